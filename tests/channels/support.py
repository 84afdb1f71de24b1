"""Helpers for channel tests: endpoints, message snapshots and a dispatch planned in one call."""

from __future__ import annotations

from typing import Any

from channels.models import ChannelConfig, Dispatch, Source
from channels.services.dispatch import Recipient, deliveries_enqueue, dispatch_create
from engage.tenancy.models import Tenant
from segments.services.endpoints import endpoints_upsert
from templates.models import Channel


def email_message(subject: str = "Hi {{User.UserAttributes.FirstName}}", **options: Any) -> dict[str, Any]:
    return {
        "content": {
            "Subject": subject,
            "HtmlPart": "<p>Hello {{User.UserAttributes.FirstName}}</p>",
            "TextPart": "Hello {{User.UserAttributes.FirstName}}",
        },
        "default_substitutions": {"User.UserAttributes.FirstName": "there"},
        "policy": "DEFAULT",
        "options": options,
    }


def sms_message(body: str = "Code {{Attributes.Code}}", **options: Any) -> dict[str, Any]:
    return {"content": {"Body": body}, "default_substitutions": {}, "policy": "EMPTY", "options": options}


def custom_message(data: str = '{"hello": "{{User.UserId}}"}') -> dict[str, Any]:
    return {"content": {"Data": data}, "default_substitutions": {}, "policy": "EMPTY", "options": {}}


def make_endpoints(tenant: Tenant, count: int, *, channel: str = "EMAIL", prefix: str = "ep") -> list[str]:
    items = []
    for i in range(count):
        address = f"user{i}@example.com" if channel == "EMAIL" else f"+1555{i:07d}"
        items.append(
            (
                f"{prefix}{i}",
                {
                    "ChannelType": channel,
                    "Address": address,
                    "User": {"UserId": f"u{i}", "UserAttributes": {"FirstName": [f"Name{i}"]}},
                },
            )
        )
    for start in range(0, len(items), 100):
        results = endpoints_upsert(tenant=tenant, items=items[start : start + 100], trusted=True)
        assert all(r.ok for r in results), [r for r in results if not r.ok][:3]
    return [endpoint_id for endpoint_id, _ in items]


def plan(
    tenant: Tenant,
    endpoint_ids: list[str],
    *,
    message: dict[str, Any] | None = None,
    channel: str = Channel.EMAIL,
    source: str = Source.CAMPAIGN,
    config: ChannelConfig | None = None,
    chunk_size: int = 1000,
    send: bool = False,
    campaign_id: str = "c1",
) -> tuple[Dispatch, list[int]]:
    dispatch = dispatch_create(
        tenant=tenant,
        channel=channel,
        source=source,
        message=message or email_message(),
        config=config,
        campaign_id=campaign_id,
        run_id="r1",
        treatment_id="0",
    )
    recipients = [Recipient(key=f"{dispatch.pk}:{e}", endpoint_id=e) for e in endpoint_ids]
    chunks = deliveries_enqueue(dispatch=dispatch, recipients=recipients, chunk_size=chunk_size, send=send)
    return dispatch, chunks
