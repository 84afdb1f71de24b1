"""Helpers for the send-activity tests: endpoints, templates, a published journey, participants and a Batch the
executors run on, as the advancer would hand it over."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from campaigns.journeys.engine.step import Batch, Step
from campaigns.journeys.graph import activity_kind
from campaigns.models import Journey, JourneyVersion, Participant
from channels.models import Delivery
from channels.services.send import deliveries_send
from channels.tracking.rewrite import click_url, open_url
from engage import clock
from engage.tenancy.models import Tenant
from segments.services.endpoints import endpoints_upsert
from templates.codec import template_request_parse
from templates.models import MessageTemplate
from templates.services.templates import template_create


def endpoint(tenant: Tenant, endpoint_id: str, channel: str, address: str, user_id: str = "", **extra: Any) -> str:
    body: dict[str, Any] = {"ChannelType": channel, "Address": address, **extra}
    if user_id:
        body["User"] = {"UserId": user_id}
    results = endpoints_upsert(tenant=tenant, items=[(endpoint_id, body)], trusted=True)
    assert all(r.ok for r in results), results
    return endpoint_id


def email_template(tenant: Tenant, name: str = "welcome") -> MessageTemplate:
    body = {
        "TemplateName": name,
        "TemplateType": "EMAIL",
        "Subject": "Hi {{User.UserId}}",
        "HtmlPart": "<p>Welcome back {{User.UserId}}</p>",
        "TextPart": "Welcome back {{User.UserId}}",
    }
    return template_create(tenant=tenant, data=template_request_parse(body), by="tests")


def sms_template(tenant: Tenant, name: str = "nudge") -> MessageTemplate:
    data = template_request_parse({"TemplateName": name, "TemplateType": "SMS", "Body": "We miss you {{User.UserId}}"})
    return template_create(tenant=tenant, data=data, by="tests")


def push_template(tenant: Tenant, name: str = "ping") -> MessageTemplate:
    body = {
        "TemplateName": name,
        "TemplateType": "PUSH",
        "Default": {"Title": "Hey {{User.UserId}}", "Body": "Come back"},
    }
    return template_create(tenant=tenant, data=template_request_parse(body), by="tests")


def journey(tenant: Tenant, activities: dict[str, Any], start: str, **settings: Any) -> Journey:
    """An ACTIVE journey whose version 1 is this definition."""
    definition = {"Activities": activities, "StartActivity": start, **settings}
    j = Journey.objects.create(tenant=tenant, name="J", state=Journey.State.ACTIVE, definition=definition, version=1)
    JourneyVersion.objects.create(tenant=tenant, journey=j, number=1, definition=definition, published_at=clock.now())
    return j


def participant(j: Journey, key: str, activity: str, *, kind: str = "endpoint", **extra: Any) -> Participant:
    now = clock.now()
    return Participant.objects.create(
        tenant_id=j.tenant_id, journey=j, version=1, kind=kind, key=key, activity=activity,
        wake_at=now, entered_at=now - timedelta(seconds=1), updated_at=now, **extra,
    )  # fmt: skip


def batch(j: Journey, activity_id: str, participants: list[Participant], now: datetime | None = None) -> Batch:
    definition = JourneyVersion.objects.get(journey=j, number=1).definition
    activity = definition["Activities"][activity_id]
    for p in participants:
        p.refresh_from_db()
    steps = [Step(p, activity_id, activity) for p in participants]
    return Batch(j, definition, activity_id, activity_kind(activity), steps, now or clock.now())


def send_all(tenant: Tenant) -> None:
    """Run the send task's service for every queued chunk (what channels.send_chunk does after commit)."""
    for dispatch_id, chunk in set(
        Delivery.objects.filter(tenant=tenant, status="queued").values_list("dispatch_id", "chunk")
    ):
        deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch_id, chunk=chunk)


def path(url: str) -> str:
    return urlsplit(url).path


def open_path(d: Delivery) -> str:
    return path(open_url(tenant_id=d.tenant_id, delivery_id=d.pk))


def click_path(d: Delivery, target: str = "https://shop.example.com/sale") -> str:
    return path(click_url(tenant_id=d.tenant_id, delivery_id=d.pk, url=target))


def at_utc(hour: int, minute: int = 0) -> None:
    """Move the shared clock forward to the next HH:MM UTC."""
    now = clock.now()
    target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    clock.advance(seconds=(target - now).total_seconds())
