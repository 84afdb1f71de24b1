"""Helpers for the provider transport tests: channel configs, dispatches with per-recipient options, and
handing the transports a botocore client of the test's choosing (a Stubber's, or one with event hooks)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from channels.models import ChannelConfig, Delivery, Dispatch, Source
from channels.services.dispatch import Recipient, deliveries_enqueue, dispatch_create
from channels.services.send import deliveries_send
from channels.transports import aws
from engage import clock
from engage.tenancy.models import Tenant

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def set_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)


def channel_config(
    tenant: Tenant, *, provider: str, channel: str, secrets: dict[str, str] | None = None, **settings: Any
) -> ChannelConfig:
    now = clock.now()
    return ChannelConfig.objects.create(
        tenant=tenant,
        name=f"{provider} {ChannelConfig.objects.count() + 1}",
        channel=channel,
        provider=provider,
        is_default=False,
        settings=settings,
        secrets=json.dumps(secrets) if secrets else "",
        created_at=now,
        updated_at=now,
    )


def dispatch_to(
    tenant: Tenant,
    config: ChannelConfig,
    message: dict[str, Any],
    recipients: list[tuple[str, dict[str, Any] | None]],
    *,
    by_address: bool = False,
) -> Dispatch:
    """A campaign dispatch to endpoint ids (or raw addresses, which may repeat), each with optional Options."""
    dispatch = dispatch_create(
        tenant=tenant,
        channel=config.channel,
        source=Source.CAMPAIGN,
        message=message,
        config=config,
        campaign_id="c1",
        run_id="r1",
        treatment_id="0",
    )
    planned, seen = [], Counter[str]()
    for target, options in recipients:
        seen[target] += 1
        repeat = f"#{seen[target]}" if seen[target] > 1 else ""
        planned.append(
            Recipient(
                key=f"{dispatch.pk}:{target}{repeat}",
                endpoint_id="" if by_address else target,
                address=target if by_address else "",
                context={"Options": options} if options else None,
            )
        )
    deliveries_enqueue(dispatch=dispatch, recipients=planned, send=False)
    return dispatch


def send(dispatch: Dispatch) -> list[Delivery]:
    deliveries_send(tenant_id=dispatch.tenant_id, dispatch_id=dispatch.pk, chunk=0)
    return list(Delivery.objects.filter(dispatch=dispatch).order_by("id"))


@contextmanager
def clients(make: Callable[[str, ChannelConfig | None], Any]) -> Iterator[None]:
    """Transports get their AWS clients from `make` inside the block."""
    previous = aws.client_factory
    aws.client_factory = make
    try:
        yield
    finally:
        aws.client_factory = previous


def stub_client(service: str) -> Any:
    """A real botocore client (no credentials needed) for a Stubber to drive."""
    return boto3.client(service, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


def error_response(code: str, message: str, status: int) -> tuple[AWSResponse, dict[str, Any]]:
    """What a `before-call` hook returns to make botocore raise the service's own ClientError."""
    parsed = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return AWSResponse("https://aws.test/", status, {}, None), parsed


@contextmanager
def hooked(event: str, handler: Callable[..., Any]) -> Iterator[None]:
    """Transports get their usual clients, with a botocore event hook registered for the block."""
    touched: list[Any] = []

    def make(service: str, config: ChannelConfig | None) -> Any:
        client = aws.default_client_factory(service, config)
        client.meta.events.register(event, handler, unique_id=f"test-hook-{id(handler)}")
        touched.append(client)
        return client

    try:
        with clients(make):
            yield
    finally:
        for client in touched:
            client.meta.events.unregister(event, handler, unique_id=f"test-hook-{id(handler)}")
