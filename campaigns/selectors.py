"""Reads for campaigns: lists, runs, and metrics counted from the ledger and the engagement events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from campaigns.models import Campaign, CampaignRun
from channels.models import Delivery
from engage.events.models import Event
from engage.tenancy.models import Tenant

ENGAGEMENT = {"opens": "_email.open", "clicks": "_email.click"}


def campaigns_list(*, tenant: Tenant, status: str | None = None, search: str | None = None) -> QuerySet[Campaign]:
    """The tenant's campaigns, newest first, optionally filtered by status or a name fragment."""
    queryset = Campaign.objects.for_tenant(tenant)
    if status:
        queryset = queryset.filter(status=status)
    if search:
        queryset = queryset.filter(name__icontains=search)
    return queryset


def campaign_runs(*, campaign: Campaign) -> QuerySet[CampaignRun]:
    """A campaign's runs, latest first."""
    return CampaignRun.objects.filter(campaign=campaign, tenant_id=campaign.tenant_id).order_by("-scheduled_for", "-id")


def campaign_metrics(
    *,
    campaign: Campaign,
    run: CampaignRun | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    """Counts from the ledger (by status, skip/failure reasons, per treatment) and distinct opened and clicked
    messages from the events, for the whole campaign, one run, or messages queued in [start, end)."""
    rows = Delivery.objects.filter(tenant_id=campaign.tenant_id, dispatch__campaign_id=str(campaign.pk))
    if run is not None:
        rows = rows.filter(dispatch__run_id=str(run.pk))
    if start is not None:
        rows = rows.filter(queued_at__gte=start)
    if end is not None:
        rows = rows.filter(queued_at__lt=end)
    grouped = rows.values("dispatch__treatment_id", "status", "reason").annotate(n=Count("id")).order_by()
    totals: dict[str, int] = {}
    reasons: dict[str, dict[str, int]] = {}
    treatments: dict[str, dict[str, int]] = {}
    for g in grouped:
        totals[g["status"]] = totals.get(g["status"], 0) + g["n"]
        if g["reason"]:
            by = reasons.setdefault(g["status"], {})
            by[g["reason"]] = by.get(g["reason"], 0) + g["n"]
        t = treatments.setdefault(g["dispatch__treatment_id"] or "0", {})
        t[g["status"]] = t.get(g["status"], 0) + g["n"]
    events = Event.objects.filter(
        tenant_id=campaign.tenant_id, campaign_id=str(campaign.pk), delivery_id__in=rows.values("id")
    )
    engaged = events.aggregate(
        **{name: Count("delivery_id", distinct=True, filter=Q(event_type=kind)) for name, kind in ENGAGEMENT.items()}
    )
    sent = totals.get("sent", 0) + totals.get("delivered", 0)
    return {
        "planned": sum(totals.values()),
        "sent": sent,
        "delivered": totals.get("delivered", 0),
        "failed": totals.get("failed", 0),
        "skipped": totals.get("skipped", 0),
        "expired": totals.get("expired", 0),
        "pending": sum(totals.get(s, 0) for s in ("queued", "held", "sending")),
        "by_status": totals,
        "reasons": reasons,
        "treatments": treatments,
        **engaged,
        "open_rate": round(engaged["opens"] / sent, 4) if sent else None,
        "click_rate": round(engaged["clicks"] / sent, 4) if sent else None,
    }
