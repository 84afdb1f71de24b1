"""Engagement per journey activity, from the ledger (Delivery rows whose dispatch names the journey and the
activity) and the system events recorded for them: sent, delivered, failures by Pinpoint send status, opens and
clicks (once per message per hour, as Pinpoint counted them), bounces, complaints, unsubscribes, SMS spend; and
for in-app activities the displays, clicks and dismissals the app reported (`_inapp.message_*` events, counted on
the stored InAppMessage of each ledger row by channels.services.inapp)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import CharField, Count, Q, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Concat, Trunc

from campaigns.journeys.metrics_period import Period
from campaigns.models import Journey
from channels.models import Delivery, InAppMessage
from channels.models.ledger import PENDING_STATUSES, Status
from channels.services.events import send_status
from engage.events.models import Event

# Engagement name → the system event types that count for it. Push opens and receipts come from the app's SDK.
EVENTS: dict[str, tuple[str, ...]] = {
    "delivered_events": ("_email.delivered", "_SMS.SUCCESS"),
    "opens": ("_email.open",),
    "clicks": ("_email.click",),
    "soft_bounces": ("_email.softbounce",),
    "hard_bounces": ("_email.hardbounce",),
    "complaints": ("_email.complaint",),
    "unsubscribes": ("_email.unsubscribe",),
    "rejected": ("_email.rejected",),
    "sms_failed": ("_SMS.FAILURE",),
    "push_opens": ("_journey.opened_notification", "_campaign.opened_notification"),
    "push_foreground": ("_journey.received_foreground", "_campaign.received_foreground"),
    "push_background": ("_journey.received_background", "_campaign.received_background"),
}
# Counted once per message and hour: 8:30 and 8:45 are one open, 8:30 and 9:05 two.
HOURLY = ("opens", "clicks")
FAILED = (Status.FAILED, Status.EXPIRED, Status.UNKNOWN)
# What each channel's activity shows, in order (the console's columns and the CSV's).
CHANNEL_FIELDS: dict[str, tuple[str, ...]] = {
    "EMAIL": ("sent", "delivered", "opens", "clicks", "soft_bounces", "hard_bounces", "unsubscribes", "complaints",
              "rejected", "failed"),
    "SMS": ("sent", "delivered", "failed", "parts", "spend_usd"),
    "PUSH": ("sent", "delivered", "push_opens", "failed"),
    "CUSTOM": ("sent", "failed"),
    "INAPP": ("sent", "inapp_displayed", "inapp_displays", "inapp_clicks", "inapp_dismissals"),
}  # fmt: skip
FIELD_LABELS = {
    "sent": "Sent",
    "delivered": "Delivered",
    "opens": "Opens",
    "clicks": "Clicks",
    "soft_bounces": "Soft bounces",
    "hard_bounces": "Hard bounces",
    "unsubscribes": "Unsubscribed",
    "complaints": "Complaints",
    "rejected": "Rejected",
    "failed": "Failed",
    "parts": "Message parts",
    "spend_usd": "Estimated spend (USD)",
    "push_opens": "Opened",
    "inapp_displayed": "Messages displayed",
    "inapp_displays": "Displays",
    "inapp_clicks": "Clicks",
    "inapp_dismissals": "Dismissals",
}
INAPP_FIELDS = ("inapp_displayed", "inapp_displays", "inapp_clicks", "inapp_dismissals")


def _empty() -> dict[str, Any]:
    return {"queued": 0, "sent": 0, "delivered": 0, "pending": 0, "skipped": 0, "failed": 0, "parts": 0,
            "spend_usd": 0.0, "failures": {}, "channel": ""}  # fmt: skip


def _ledger(journey: Journey, out: dict[str, dict[str, Any]], period: Period | None) -> None:
    rows = Delivery.objects.filter(tenant_id=journey.tenant_id, dispatch__journey_id=str(journey.pk))
    if period is not None:
        rows = rows.filter(queued_at__gte=period.start, queued_at__lt=period.end)
    grouped = (
        rows.values("dispatch__activity_id", "dispatch__channel", "status", "reason")
        .annotate(n=Count("id"), parts=Sum("parts"), price=Sum("price_millicents"))
        .order_by()
    )
    for g in grouped:
        a = out[g["dispatch__activity_id"]]
        a["channel"] = a["channel"] or g["dispatch__channel"]
        n, status = g["n"], g["status"]
        a["queued"] += n
        if status in (Status.SENT, Status.DELIVERED):
            a["sent"] += n
            a["delivered"] += n if status == Status.DELIVERED else 0
            a["parts"] += g["parts"] or 0
            a["spend_usd"] += (g["price"] or 0) / 100_000
        elif status in PENDING_STATUSES:
            a["pending"] += n
        elif status == Status.SKIPPED:
            a["skipped"] += n
        elif status in FAILED:
            a["failed"] += n
            name = send_status(status, g["reason"])
            a["failures"][name] = a["failures"].get(name, 0) + n


def _events(journey: Journey, out: dict[str, dict[str, Any]], period: Period | None) -> None:
    kinds = {t: name for name, types in EVENTS.items() for t in types}
    events = Event.objects.filter(tenant_id=journey.tenant_id, journey_id=str(journey.pk), event_type__in=kinds)
    if period is not None:
        events = events.filter(arrival__gte=period.start, arrival__lt=period.end)
    hour = Cast(Trunc("arrival", "hour"), CharField())
    grouped = (
        events.annotate(activity=KT("attributes__journey_activity_id"))
        .values("activity", "event_type")
        .annotate(
            messages=Count("delivery_id", distinct=True),
            hourly=Count(Concat(Cast("delivery_id", CharField()), Value("@"), hour), distinct=True),
        )
        .order_by()
    )
    for g in grouped:
        name = kinds[g["event_type"]]
        a = out[g["activity"] or ""]
        a[name] = a.get(name, 0) + (g["hourly"] if name in HOURLY else g["messages"])


def _inapp(journey: Journey, out: dict[str, dict[str, Any]], period: Period | None) -> None:
    """In-app engagement: what the app reported on the messages this journey stored (in the period)."""
    stored = InAppMessage.objects.filter(tenant_id=journey.tenant_id, journey_id=str(journey.pk))
    if period is not None:
        stored = stored.filter(created_at__gte=period.start, created_at__lt=period.end)
    grouped = (
        stored.values("delivery__dispatch__activity_id")
        .annotate(
            displayed=Count("id", filter=Q(displayed_count__gt=0)),
            displays=Sum("displayed_count"),
            clicks=Sum("clicked_count"),
            dismissals=Sum("dismissed_count"),
        )
        .order_by()
    )
    for g in grouped:
        a = out[g["delivery__dispatch__activity_id"] or ""]
        found = (g["displayed"], g["displays"], g["clicks"], g["dismissals"])
        for name, n in zip(INAPP_FIELDS, found, strict=True):
            a[name] = a.get(name, 0) + (n or 0)


def activity_engagement(*, journey: Journey, period: Period | None = None) -> dict[str, dict[str, Any]]:
    """Per activity id: ledger counts (queued, sent, delivered, pending, skipped, failed, failures by send status,
    SMS parts and estimated spend) and engagement event counts; with a period, messages queued, events arrived and
    in-app messages stored in it. Three grouped queries."""
    out: dict[str, dict[str, Any]] = defaultdict(_empty)
    _ledger(journey, out, period)
    _events(journey, out, period)
    _inapp(journey, out, period)
    for a in out.values():
        a["delivered"] = max(a["delivered"], a.pop("delivered_events", 0))
        a["failed"] = max(a["failed"], a.get("sms_failed", 0))
        a["delivered"] = max(a["delivered"], a.get("push_foreground", 0) + a.get("push_background", 0))
        a["spend_usd"] = round(a["spend_usd"], 5)
    return dict(out)


def journey_kpis(*, journey: Journey, start: datetime, end: datetime) -> dict[str, float]:
    """Messages the journey queued in [start, end): attempted (sent or failed), successful, and the share of sent
    emails opened."""
    rows = Delivery.objects.filter(
        tenant_id=journey.tenant_id, dispatch__journey_id=str(journey.pk), queued_at__gte=start, queued_at__lt=end
    )
    counts = dict(rows.values_list("status").annotate(n=Count("id")).order_by())
    sent = counts.get(Status.SENT, 0) + counts.get(Status.DELIVERED, 0)
    attempted = sent + sum(counts.get(s, 0) for s in FAILED)
    emails = rows.filter(channel="EMAIL", status__in=(Status.SENT, Status.DELIVERED))
    opened = (
        Event.objects.filter(tenant_id=journey.tenant_id, journey_id=str(journey.pk), event_type="_email.open")
        .filter(delivery_id__in=emails.values("id"))
        .aggregate(n=Count("delivery_id", distinct=True))["n"]
    )
    email_sent = emails.count()
    return {
        "attempted-deliveries": float(attempted),
        "successful-deliveries": float(sent),
        "successful-delivery-rate": sent / attempted if attempted else 0.0,
        "email-open-rate": opened / email_sent if email_sent else 0.0,
    }
