"""A few calls with the real AWS CLI (`aws pinpoint ... --endpoint-url`), as a migrating team's scripts make them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engage.tenancy.models import Tenant
from segments.models import Endpoint
from tests.pinpoint.conftest import Key

AWS = Path(sys.executable).with_name("aws")
pytestmark = pytest.mark.skipif(
    not AWS.exists(), reason="the AWS CLI (awscli in requirements/dev.txt) is not installed"
)


def aws(
    endpoint_url: str, key: Key, *args: str, secret: str = "", in_env: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run `aws pinpoint ...` against Engage: --endpoint-url, or (in_env) AWS_ENDPOINT_URL_PINPOINT."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "AWS_ACCESS_KEY_ID": key.key_id,
        "AWS_SECRET_ACCESS_KEY": secret or key.secret,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_MAX_ATTEMPTS": "1",
    }
    command = [
        str(AWS),
        "pinpoint",
        *args,
        "--endpoint-url",
        endpoint_url,
        "--region",
        "eu-central-1",
        "--output",
        "json",
    ]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def ok(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_the_aws_cli_reads_and_writes_through_engage(endpoint_url: str, acme_key: Key, acme: Tenant) -> None:
    app = acme.public_id
    assert ok(aws(endpoint_url, acme_key, "get-app", "--application-id", app))["ApplicationResponse"]["Name"] == "Acme"
    endpoint = json.dumps({"ChannelType": "EMAIL", "Address": "cli@example.com", "User": {"UserId": "cli"}})
    written = ok(
        aws(
            endpoint_url,
            acme_key,
            "update-endpoint",
            "--application-id",
            app,
            "--endpoint-id",
            "cli-1",
            "--endpoint-request",
            endpoint,
        )
    )
    assert written["MessageBody"]["Message"] == "Accepted"
    assert Endpoint.objects.get(tenant=acme, endpoint_id="cli-1").address == "cli@example.com"
    got = ok(aws(endpoint_url, acme_key, "get-endpoint", "--application-id", app, "--endpoint-id", "cli-1"))
    assert got["EndpointResponse"]["User"]["UserId"] == "cli"
    segment = json.dumps({"Name": "CLI", "Dimensions": {"Demographic": {"Channel": {"Values": ["EMAIL"]}}}})
    created = ok(
        aws(endpoint_url, acme_key, "create-segment", "--application-id", app, "--write-segment-request", segment)
    )
    listed = ok(aws(endpoint_url, acme_key, "get-segments", "--application-id", app, "--page-size", "5", in_env=True))
    assert [s["Id"] for s in listed["SegmentsResponse"]["Item"]] == [created["SegmentResponse"]["Id"]]


def test_the_aws_cli_shows_engages_errors(endpoint_url: str, acme_key: Key, acme: Tenant) -> None:
    missing = aws(endpoint_url, acme_key, "get-endpoint", "--application-id", acme.public_id, "--endpoint-id", "nobody")
    assert missing.returncode != 0
    assert (
        "An error occurred (NotFoundException) when calling the GetEndpoint operation: Endpoint nobody not found"
        in (missing.stderr)
    )
    wrong = aws(endpoint_url, acme_key, "get-app", "--application-id", acme.public_id, secret="not-the-secret")
    assert wrong.returncode != 0 and "(ForbiddenException) when calling the GetApp operation" in wrong.stderr
