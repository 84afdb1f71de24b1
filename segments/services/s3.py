"""Amazon S3 for imports and exports: boto3 with its default credential chain.

Credentials come from the environment, the shared config files, or the instance/task role; an S3-compatible
store (MinIO, moto in tests) is reached by setting AWS_ENDPOINT_URL_S3, which boto3 reads itself.
"""

from __future__ import annotations

import re
from typing import Any

import boto3
from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError

from engage.errors import Invalid

S3_URL = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(?P<prefix>.*))?$")
S3_ERRORS = (BotoCoreError, ClientError, Boto3Error)


class S3Error(Exception):
    """S3 refused or could not be reached; the message says what to check."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def s3_parse(url: str, *, field: str) -> tuple[str, str]:
    """(bucket, key prefix) of an s3://bucket/prefix URL; Invalid naming `field` otherwise."""
    match = S3_URL.match((url or "").strip())
    if match is None:
        raise Invalid(
            f"{url!r} is not an S3 URL: write s3://bucket-name/optional/prefix (bucket names are 3–63 lowercase "
            "letters, digits, dots and hyphens)",
            field=field,
        )
    return match["bucket"], match["prefix"] or ""


def s3_client() -> Any:
    """A client on boto3's default credential chain (and AWS_ENDPOINT_URL_S3 when set)."""
    return boto3.client("s3")


def s3_describe(exc: Exception) -> str:
    """A readable reason for a boto3 failure."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "Error"), error.get("Message", "")
        hints = {
            "NoSuchBucket": "the bucket does not exist",
            "AccessDenied": "the credentials Engage runs with may not read or write there",
            "NoSuchKey": "the object is gone",
        }
        return f"{code}: {hints.get(code, message) or message}"
    text = str(exc)
    if "credentials" in text.lower():
        return f"{text} (configure AWS credentials for the worker: environment, ~/.aws or an instance role)"
    return text
