"""Read-only figures for the campaign screen, all counted from the ledger (Delivery) and the engagement events:
the list's rates and 14-day sparklines, a campaign's series over time (per treatment), its live progress and the
eligible audience of a segment on a channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Trunc

from campaigns.models import Campaign, CampaignRun
from channels.models import Delivery
from channels.services.fallback import ENDPOINT_TYPES
from engage import clock
from engage.events.models import Event
from engage.tenancy.models import Tenant
from segments.compiler.query import audience_guard_for, segment_members
from segments.definition import parse_definition
from segments.models import Segment

SENT = ("sent", "delivered")
TERMINAL = ("sent", "delivered", "failed", "skipped", "expired", "unknown")
EVENTS: dict[str, tuple[str, ...]] = {
    "opens": ("_email.open",),
    "clicks": ("_email.click",),
    "bounces": ("_email.hardbounce", "_email.softbounce"),
    "unsubscribes": ("_email.unsubscribe",),
    "complaints": ("_email.complaint",),
}
SERIES = ("sends", "deliveries", "opens", "clicks", "bounces", "unsubscribes")


@dataclass
class Overview:
    sent: int = 0
    delivered: int = 0
    opens: int = 0
    clicks: int = 0
    daily: list[int] = field(default_factory=list)

    def rate(self, count: int, base: int | None = None) -> float | None:
        base = self.sent if base is None else base
        return count / base if base else None

    @property
    def delivery_rate(self) -> float | None:
        return self.rate(self.delivered)

    @property
    def open_rate(self) -> float | None:
        return self.rate(self.opens)

    @property
    def click_rate(self) -> float | None:
        return self.rate(self.clicks)


def _rows(tenant_id: int, campaign_ids: list[str]) -> QuerySet[Delivery]:
    return Delivery.objects.filter(tenant_id=tenant_id, dispatch__campaign_id__in=campaign_ids)


def campaigns_overview(*, tenant: Tenant, campaign_ids: list[int], days: int = 14) -> dict[int, Overview]:
    """Sent, delivered, opened and clicked counts per campaign and its sends per day over the last `days` days."""
    ids = [str(pk) for pk in campaign_ids]
    found = {pk: Overview(daily=[0] * days) for pk in campaign_ids}
    rows = _rows(tenant.pk, ids).filter(status__in=SENT)
    for g in rows.values("dispatch__campaign_id", "status").annotate(n=Count("id")).order_by():
        o = found[int(g["dispatch__campaign_id"])]
        o.sent += g["n"]
        o.delivered += g["n"] if g["status"] == "delivered" else 0
    today = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    first = today - timedelta(days=days - 1)
    recent = rows.filter(sent_at__gte=first).annotate(day=Trunc("sent_at", "day"))
    for d in recent.values("dispatch__campaign_id", "day").annotate(n=Count("id")).order_by():
        index = (d["day"] - first).days
        if 0 <= index < days:
            found[int(d["dispatch__campaign_id"])].daily[index] += d["n"]
    events = Event.objects.filter(
        tenant_id=tenant.pk, campaign_id__in=ids, event_type__in=["_email.open", "_email.click"]
    )
    for e in events.values("campaign_id", "event_type").annotate(n=Count("delivery_id", distinct=True)).order_by():
        o = found[int(e["campaign_id"])]
        if e["event_type"] == "_email.open":
            o.opens = e["n"]
        else:
            o.clicks = e["n"]
    return found


def campaign_eligible(*, tenant: Tenant, segment: Segment, version: int | None = None) -> dict[str, int]:
    """How many endpoints a campaign on each channel would plan now (the planner's own query), by channel."""
    ref: dict[str, Any] = {"Id": segment.public_id, **({"Version": version} if version else {})}
    definition = parse_definition({"SegmentGroups": {"Groups": [{"SourceSegments": [ref]}]}})
    members = segment_members(tenant=tenant, definition=definition, guard=audience_guard_for(tenant=tenant))
    by_type = dict(members.order_by().values_list("channel_type").annotate(n=Count("id")))
    counts = {channel: sum(by_type.get(t, 0) for t in types) for channel, types in ENDPOINT_TYPES.items()}
    return {channel: n for channel, n in counts.items() if n} | {"ALL": sum(by_type.values())}


@dataclass
class Series:
    unit: str  # "hour" or "day"
    buckets: list[datetime]
    values: dict[str, list[int]]  # metric → one count per bucket
    by_treatment: dict[str, dict[str, list[int]]]  # treatment id → metric → counts


def _span(rows: QuerySet[Delivery], now: datetime) -> tuple[str, datetime, int]:
    first = rows.exclude(sent_at=None).order_by("sent_at").values_list("sent_at", flat=True).first() or now
    if now - first <= timedelta(hours=48):
        start = (now - timedelta(hours=23)).replace(minute=0, second=0, microsecond=0)
        start = min(start, first.replace(minute=0, second=0, microsecond=0))
        return "hour", start, int((now - start) / timedelta(hours=1)) + 1
    start = first.replace(hour=0, minute=0, second=0, microsecond=0)
    return "day", start, min((now - start).days + 1, 400)


def _fill(counts: list[int], start: datetime, unit: str, grouped: Any, key: str) -> None:
    step = timedelta(hours=1) if unit == "hour" else timedelta(days=1)
    for g in grouped:
        if g[key] is None:
            continue
        index = int((g[key] - start) / step)
        if 0 <= index < len(counts):
            counts[index] += g["n"]


def _metric_counts(
    rows: QuerySet[Delivery], events: QuerySet[Event], unit: str, start: datetime, size: int, tz: tzinfo
) -> dict[str, list[int]]:
    values = {name: [0] * size for name in SERIES}
    for name, column, statuses in (("sends", "sent_at", SENT), ("deliveries", "delivered_at", ("delivered",))):
        grouped = rows.filter(status__in=statuses, **{f"{column}__gte": start}).annotate(
            b=Trunc(column, unit, tzinfo=tz)
        )
        _fill(values[name], start, unit, grouped.values("b").annotate(n=Count("id")).order_by(), "b")
    for name in ("opens", "clicks", "bounces", "unsubscribes"):
        engaged = events.filter(event_type__in=EVENTS[name], arrival__gte=start).annotate(
            b=Trunc("arrival", unit, tzinfo=tz)
        )
        _fill(
            values[name],
            start,
            unit,
            engaged.values("b").annotate(n=Count("delivery_id", distinct=True)).order_by(),
            "b",
        )
    return values


def campaign_series(*, campaign: Campaign, tz: tzinfo) -> Series:
    """Sends, deliveries, opens, clicks, bounces and unsubscribes per hour (first 48 h) or per day, per treatment."""
    rows = _rows(campaign.tenant_id, [str(campaign.pk)])
    now = clock.now().astimezone(tz)
    unit, start, size = _span(rows, now)
    start = start.astimezone(tz)
    events = Event.objects.filter(tenant_id=campaign.tenant_id, campaign_id=str(campaign.pk))
    values = _metric_counts(rows, events.filter(delivery_id__in=rows.values("id")), unit, start, size, tz)
    by_treatment: dict[str, dict[str, list[int]]] = {}
    treatments = sorted(set(rows.values_list("dispatch__treatment_id", flat=True).distinct().order_by()))
    if len(treatments) > 1:
        for t in treatments:
            mine = rows.filter(dispatch__treatment_id=t)
            by_treatment[t or "0"] = _metric_counts(
                mine, events.filter(delivery_id__in=mine.values("id")), unit, start, size, tz
            )
    step = timedelta(hours=1) if unit == "hour" else timedelta(days=1)
    return Series(unit=unit, buckets=[start + step * i for i in range(size)], values=values, by_treatment=by_treatment)


def campaign_progress(*, campaign: Campaign) -> dict[str, Any] | None:
    """The latest run's progress: planned rows, rows in a final state, sent, and whether it is still going."""
    run = (
        CampaignRun.objects.filter(campaign=campaign, tenant_id=campaign.tenant_id)
        .order_by("-scheduled_for", "-id")
        .first()
    )
    if run is None:
        return None
    rows = Delivery.objects.filter(
        tenant_id=campaign.tenant_id, dispatch__run_id=str(run.pk), dispatch__campaign_id=str(campaign.pk)
    )
    counts = dict(rows.values_list("status").annotate(n=Count("id")).order_by())
    planned = sum(counts.values())
    done = sum(counts.get(s, 0) for s in TERMINAL)
    active = run.status in (CampaignRun.Status.PLANNING, CampaignRun.Status.SENDING)
    return {
        "run": run,
        "planned": planned,
        "done": done,
        "sent": sum(counts.get(s, 0) for s in SENT),
        "held": counts.get("held", 0),
        "percent": round(100 * done / planned) if planned else (0 if active else 100),
        "active": active and not campaign.is_paused,
        "planning": run.status == CampaignRun.Status.PLANNING,
    }
