"""The Outbox: what the sandbox delivered, read off the ledger (the rendered message is on each row's payload)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from channels.models import Delivery, Source
from channels.selectors import outbox
from engage.errors import Invalid
from engage.tenancy.models import Tenant
from templates.models import Channel

MAX_PAGE = 500
PUSH_PARTS = ("Default", "GCM", "APNS", "ADM", "Baidu")


@dataclass(frozen=True)
class OutboxEntry:
    """One message as a person would read it: plain text fields, the email's HTML and a custom payload."""

    id: int
    channel: str
    address: str
    endpoint_id: str
    user_id: str
    subject: str
    title: str
    body: str
    html: str
    data: Any
    campaign_id: str
    journey_id: str
    run_id: str
    treatment_id: str
    activity_id: str
    source: str
    sent_at: datetime | None

    @property
    def source_label(self) -> str:
        return dict(Source.choices).get(self.source, self.source)

    @property
    def data_text(self) -> str:
        if self.data in (None, "", {}):
            return ""
        return self.data if isinstance(self.data, str) else json.dumps(self.data, indent=2, ensure_ascii=False)

    @property
    def heading(self) -> str:
        return self.subject or self.title or self.body[:120] or (str(self.data)[:120] if self.data else "")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _push(parts: dict[str, Any], name: str) -> str:
    if _text(parts.get(name)):
        return _text(parts[name])
    for part in PUSH_PARTS:
        value = parts.get(part)
        if isinstance(value, dict) and _text(value.get(name)):
            return _text(value[name])
    return ""


def _fields(channel: str, parts: dict[str, Any]) -> dict[str, Any]:
    if channel == Channel.EMAIL:
        subject, html = _text(parts.get("Subject")), _text(parts.get("HtmlPart"))
        return {"subject": subject, "html": html, "body": _text(parts.get("TextPart"))}
    if channel == Channel.PUSH:
        default: dict[str, Any] = parts["Default"] if isinstance(parts.get("Default"), dict) else {}
        return {"title": _push(parts, "Title"), "body": _push(parts, "Body"), "data": default.get("Data")}
    if channel == Channel.CUSTOM:
        return {"data": parts.get("Data")}
    return {"title": _text(parts.get("Title")), "body": _text(parts.get("Body") or parts.get("Text"))}


def outbox_entry(delivery: Delivery) -> OutboxEntry:
    """The Outbox view of one delivered row (its dispatch selected with it)."""
    dispatch = delivery.dispatch
    values: dict[str, Any] = {"subject": "", "title": "", "body": "", "html": "", "data": None}
    values.update(_fields(delivery.channel, delivery.payload or {}))
    return OutboxEntry(
        id=delivery.pk,
        channel=delivery.channel,
        address=delivery.address,
        endpoint_id=delivery.endpoint_id,
        user_id=delivery.user_id,
        campaign_id=dispatch.campaign_id,
        journey_id=dispatch.journey_id,
        run_id=dispatch.run_id,
        treatment_id=dispatch.treatment_id,
        activity_id=dispatch.activity_id,
        source=dispatch.source,
        sent_at=delivery.sent_at,
        **values,
    )


def outbox_filtered(*, tenant: Tenant, channel: str = "", source: str = "") -> QuerySet[Delivery]:
    """The tenant's Outbox, newest first, optionally of one channel and one source (unknown values are a 400)."""
    if channel and channel not in Channel.values:
        raise Invalid(f"channel must be one of {', '.join(Channel.values)}", field="channel")
    if source and source not in Source.values:
        raise Invalid(f"source must be one of {', '.join(Source.values)}", field="source")
    rows = outbox(tenant=tenant)
    if channel:
        rows = rows.filter(channel=channel)
    if source:
        rows = rows.filter(dispatch__source=source)
    return rows


def page_size(value: str | None, *, default: int = 50) -> int:
    """The `page_size` query parameter: 1–500 (a 400 naming it otherwise)."""
    if value in (None, ""):
        return default
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise Invalid(f"page_size must be a whole number from 1 to {MAX_PAGE}", field="page_size")
    return int(value)
