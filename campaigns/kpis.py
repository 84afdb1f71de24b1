"""Pinpoint's campaign KPIs (GetCampaignDateRangeKpi) and activities (GetCampaignActivities), read from the ledger and
the engagement events: shared by the Pinpoint facade and the REST API.

KPIs cover messages queued in [start, end). Each name is a Pinpoint campaign metric, optionally grouped by run
(`-grouped-by-campaign-activity`, Pinpoint's "grouped by campaign run") or by day (`-grouped-by-date`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, TruncDate

from campaigns.models import Campaign, CampaignRun
from channels.models import Delivery
from channels.models.ledger import PENDING_STATUSES
from engage.errors import Invalid
from engage.events.models import Event
from segments.segment_json import iso

KPI_DEFAULT_DAYS = 7
SENT = ("sent", "delivered")
ATTEMPTED = ("sent", "delivered", "failed", "unknown")
PUSH_OPENS = ("_campaign.opened_notification", "_push.opened_notification")
GROUPINGS = {"-grouped-by-campaign-activity": "CampaignActivityId", "-grouped-by-date": "Date"}


def _rate(part: str, whole: str) -> Callable[[dict[str, int]], float]:
    return lambda c: c[part] / c[whole] if c[whole] else 0.0


def _count(name: str) -> Callable[[dict[str, int]], float]:
    return lambda c: float(c[name])


# KPI name → (its value from the group's counts, the Values[].Key Pinpoint answers with).
KPIS: dict[str, tuple[Callable[[dict[str, int]], float], str]] = {
    "attempted-deliveries": (_count("attempted"), "AttemptedDeliveries"),
    "successful-deliveries": (_count("successful"), "SuccessfulDeliveries"),
    "unique-deliveries": (_count("unique"), "UniqueDeliveries"),
    "successful-delivery-rate": (_rate("successful", "attempted"), "SuccessfulDeliveryRate"),
    "email-open-rate": (_rate("email_opens", "successful"), "EmailOpenRate"),
    "push-open-rate": (_rate("push_opens", "successful"), "PushOpenRate"),
    "hard-bounce-rate": (_rate("hard_bounces", "attempted"), "HardBounceRate"),
}
KPI_NAMES = tuple(f"{name}{suffix}" for name in KPIS for suffix in ("", *GROUPINGS))


def kpi_check(name: str, *, field: str = "KpiName") -> tuple[str, str]:
    """(the base KPI, the grouping suffix or "") of a KPI name; Invalid naming `field` for a name not computed."""
    for suffix in GROUPINGS:
        if name.endswith(suffix) and name[: -len(suffix)] in KPIS:
            return name[: -len(suffix)], suffix
    if name in KPIS:
        return name, ""
    names = ", ".join(KPIS)
    raise Invalid(
        f"{name!r} is not a campaign KPI Engage computes: use one of {names} (each also -grouped-by-campaign-activity "
        "or -grouped-by-date)",
        field=field,
    )


def _group_key(suffix: str, column: str = "") -> Any:
    """The group expression over Delivery rows (`column` = the path to the delivery from the queried model)."""
    if suffix == "-grouped-by-campaign-activity":
        return F(f"{column}dispatch__run_id")
    if suffix == "-grouped-by-date":
        return Cast(TruncDate(f"{column}queued_at"), CharField())
    return Value("")


def _counts(campaign: Campaign, suffix: str, start: datetime, end: datetime) -> dict[str, dict[str, int]]:
    """Per group: attempted, successful and unique deliveries, email opens, hard bounces and push opens."""
    rows = Delivery.objects.filter(
        tenant_id=campaign.tenant_id, dispatch__campaign_id=str(campaign.pk), queued_at__gte=start, queued_at__lt=end
    )
    found: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    grouped = (
        rows.annotate(g=_group_key(suffix))
        .values("g")
        .annotate(
            attempted=Count("id", filter=Q(status__in=ATTEMPTED)),
            successful=Count("id", filter=Q(status__in=SENT)),
            unique=Count("endpoint_id", distinct=True, filter=Q(status__in=SENT)),
        )
        .order_by()
    )
    for g in grouped:
        found[str(g["g"])].update({k: g[k] for k in ("attempted", "successful", "unique")})
    _engagement(found, campaign, rows, suffix)
    return found


def _engagement(found: dict[str, Any], campaign: Campaign, rows: QuerySet[Delivery], suffix: str) -> None:
    events = Event.objects.filter(
        tenant_id=campaign.tenant_id, campaign_id=str(campaign.pk), delivery_id__in=rows.values("id")
    )
    owner = Delivery.objects.filter(pk=OuterRef("delivery_id")).annotate(g=_group_key(suffix)).values("g")[:1]
    kinds = {"email_opens": ("_email.open",), "hard_bounces": ("_email.hardbounce",), "push_opens": PUSH_OPENS}
    grouped = (
        events.annotate(g=Subquery(owner) if suffix else Value(""))
        .values("g")
        .annotate(
            **{
                name: Count("delivery_id", distinct=True, filter=Q(event_type__in=types))
                for name, types in kinds.items()
            }
        )
        .order_by()
    )
    for g in grouped:
        row: dict[str, Any] = dict(g)
        found[str(row["g"])].update({k: row[k] for k in kinds})


def campaign_kpi(*, campaign: Campaign, name: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """KpiResult.Rows: one row (GroupedBys empty) or one per run / day, each with its value as a Double."""
    base, suffix = kpi_check(name)
    value, key = KPIS[base]
    counts = _counts(campaign, suffix, start, end)
    if not suffix:
        counts.setdefault("", defaultdict(int))
    out = []
    for group in sorted(counts):
        c: dict[str, int] = defaultdict(int, counts[group])
        grouped = [{"Key": GROUPINGS[suffix], "Type": "String", "Value": group}] if suffix else []
        out.append({"GroupedBys": grouped, "Values": [{"Key": key, "Type": "Double", "Value": repr(value(c))}]})
    return out


ACTIVITY_STATES = {
    CampaignRun.Status.PLANNING: "INITIALIZING",
    CampaignRun.Status.SENDING: "RUNNING",
    CampaignRun.Status.COMPLETED: "COMPLETED",
    CampaignRun.Status.STOPPED: "CANCELLED",
}


def run_activities(*, campaign: Campaign, run: CampaignRun) -> list[dict[str, Any]]:
    """One ActivityResponse per treatment of a run (Id: the run's id for treatment 0, `<run>-<treatment>` for the
    others), counted from the run's ledger rows in one grouped query."""
    rows = Delivery.objects.filter(
        tenant_id=campaign.tenant_id, dispatch__campaign_id=str(campaign.pk), dispatch__run_id=str(run.pk)
    )
    by_treatment: dict[str, dict[str, int]] = defaultdict(dict)
    for g in rows.values("dispatch__treatment_id", "status").annotate(n=Count("id")).order_by():
        by_treatment[g["dispatch__treatment_id"] or "0"][g["status"]] = g["n"]
    treatments = sorted({k.split(">")[0] for k in run.dispatches} | set(by_treatment), key=int) or ["0"]
    zones = _zones(campaign, run, rows)
    state = ACTIVITY_STATES.get(CampaignRun.Status(run.status), "PENDING")
    if campaign.status == Campaign.Status.PAUSED and state in ("INITIALIZING", "RUNNING"):
        state = "PAUSED"
    out = []
    for treatment in treatments:
        counts = by_treatment.get(treatment, {})
        out.append(
            {
                "ApplicationId": campaign.tenant.public_id,
                "CampaignId": str(campaign.pk),
                "Id": str(run.pk) if treatment == "0" else f"{run.pk}-{treatment}",
                "TreatmentId": treatment,
                "ScheduledStart": _iso(run.scheduled_for),
                "Start": _iso(run.created_at),
                "End": _iso(run.completed_at),
                "State": state,
                "Result": {"COMPLETED": "SUCCESS", "CANCELLED": "CANCELLED"}.get(state),
                "TotalEndpointCount": sum(counts.values()),
                "SuccessfulEndpointCount": sum(counts.get(s, 0) for s in SENT),
                "TimezonesTotalCount": zones[0],
                "TimezonesCompletedCount": zones[1],
                "ExecutionMetrics": {status: str(n) for status, n in sorted(counts.items())},
            }
        )
    return out


def _zones(campaign: Campaign, run: CampaignRun, rows: QuerySet[Delivery]) -> tuple[int, int]:
    """(time zones of the run, zones done). A local-time run has one send time per zone offset (the held rows'
    `not_before`; rows sent at once share the earliest); other runs have one zone."""
    done = run.status in (CampaignRun.Status.COMPLETED, CampaignRun.Status.STOPPED)
    if not campaign.is_local_time:
        return 1, int(done)
    grouped = rows.values("not_before").annotate(pending=Count("id", filter=Q(status__in=PENDING_STATUSES))).order_by()
    groups = list(grouped)
    return len(groups), sum(1 for g in groups if not g["pending"])


def _iso(value: datetime | None) -> str | None:
    return iso(value) if value is not None else None
