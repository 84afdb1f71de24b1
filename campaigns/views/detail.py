"""A campaign's page: live progress, KPI tiles, charts over time, runs, not-sent reasons, lifecycle buttons and
the metrics as CSV. Every figure comes from the ledger and event selectors; every button calls a service."""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from campaigns import services
from campaigns.metrics_selectors import SERIES, campaign_eligible, campaign_progress, campaign_series
from campaigns.models import Campaign
from campaigns.schedule import campaign_zone
from campaigns.selectors import campaign_metrics, campaign_runs
from campaigns.views.charts import legend, line_chart
from campaigns.views.common import CHANNEL_LABELS, CampaignMixin
from channels.models.ledger import Reason
from engage.errors import DomainError
from engage.tenancy.models import Capability
from segments.models import Segment

ACTIONS: dict[str, tuple[Callable[..., Campaign], str]] = {
    "launch": (services.campaign_launch, "launched"),
    "pause": (services.campaign_pause, "paused"),
    "resume": (services.campaign_resume, "resumed"),
    "stop": (services.campaign_stop, "stopped"),
}
LABELS = {"sends": "Sends", "deliveries": "Deliveries", "opens": "Opens", "clicks": "Clicks", "bounces": "Bounces"}
LABELS["unsubscribes"] = "Unsubscribes"


def _pct(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def kpis(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    sent = metrics["sent"]
    return [
        {
            "key": "sent",
            "label": "Sent",
            "value": sent,
            "of": metrics["planned"],
            "rate": _pct(sent, metrics["planned"]),
        },
        {
            "key": "delivered",
            "label": "Delivered",
            "value": metrics["delivered"],
            "of": sent,
            "rate": _pct(metrics["delivered"], sent),
        },
        {
            "key": "opens",
            "label": "Opened",
            "value": metrics["opens"],
            "of": sent,
            "rate": _pct(metrics["opens"], sent),
        },
        {
            "key": "clicks",
            "label": "Clicked",
            "value": metrics["clicks"],
            "of": sent,
            "rate": _pct(metrics["clicks"], sent),
        },
        {
            "key": "failed",
            "label": "Failed",
            "value": metrics["failed"],
            "of": metrics["planned"],
            "rate": _pct(metrics["failed"], metrics["planned"]),
        },
        {
            "key": "not-sent",
            "label": "Not sent",
            "value": metrics["skipped"] + metrics["expired"],
            "of": metrics["planned"],
            "rate": _pct(metrics["skipped"] + metrics["expired"], metrics["planned"]),
        },
    ]


def reasons(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    labels = dict(Reason.choices)
    found = [
        {"status": status, "reason": reason, "label": labels.get(reason, reason), "n": n}
        for status, by in metrics["reasons"].items()
        if status in ("skipped", "expired", "failed")
        for reason, n in by.items()
    ]
    top = max([r["n"] for r in found] + [1])
    for r in found:
        r["width"] = round(100 * r["n"] / top)
    return sorted(found, key=lambda r: -r["n"])


class CampaignDetailView(CampaignMixin):
    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        campaign = self.campaign(pk)
        metrics = campaign_metrics(campaign=campaign)
        tz = campaign_zone(campaign)
        series = campaign_series(campaign=campaign, tz=tz)
        chart = line_chart(
            [(LABELS[k], series.values[k]) for k in SERIES],
            buckets=series.buckets,
            unit=series.unit,
            title="Messages over time",
        )
        treatments = self._treatments(campaign, metrics, series)
        runs = [(run, campaign_metrics(campaign=campaign, run=run)) for run in campaign_runs(campaign=campaign)[:20]]
        eligible = (
            campaign_eligible(tenant=self.tenant, segment=campaign.segment)
            if campaign.segment and campaign.can_launch
            else {}
        )
        context = {
            "campaign": campaign,
            "section": "campaigns",
            "channel_label": CHANNEL_LABELS.get(campaign.channel, "—"),
            "metrics": metrics,
            "kpis": kpis(metrics),
            "chart": chart,
            "legend": legend([LABELS[k] for k in SERIES]),
            "series": series,
            "extra": {k: sum(series.values[k]) for k in ("bounces", "unsubscribes")},
            "zone": str(tz),
            "treatments": treatments,
            "runs": runs,
            "reasons": reasons(metrics),
            "progress": campaign_progress(campaign=campaign),
            "eligible": eligible.get(campaign.channel, 0),
            "can_edit": self.can(Capability.EDIT),
            "can_export": self.can(Capability.EXPORT),
            "test_segments": Segment.objects.for_tenant(self.tenant).order_by("name")[:200],
        }
        return render(request, "campaigns/detail.html", context)

    def _treatments(self, campaign: Campaign, metrics: dict[str, Any], series: Any) -> dict[str, Any] | None:
        if not campaign.additional_treatments and len(metrics["treatments"]) < 2:
            return None
        names = {"0": campaign.treatment_name or "Default"}
        names.update(
            {t["Id"]: t.get("TreatmentName") or f"Treatment {t['Id']}" for t in campaign.additional_treatments}
        )
        rows = []
        for tid, name in names.items():
            counts = metrics["treatments"].get(tid, {})
            sent = counts.get("sent", 0) + counts.get("delivered", 0)
            per = series.by_treatment.get(tid, {})
            opens, clicks = sum(per.get("opens", [])), sum(per.get("clicks", []))
            rows.append(
                {"id": tid, "name": name, "sent": sent, "delivered": counts.get("delivered", 0), "opens": opens,
                 "clicks": clicks, "open_rate": _pct(opens, sent), "click_rate": _pct(clicks, sent)}
            )  # fmt: skip
        ids = sorted(series.by_treatment)
        opens = [(names.get(t, t), series.by_treatment[t]["opens"]) for t in ids]
        sends = [(names.get(t, t), series.by_treatment[t]["sends"]) for t in ids]
        return {
            "rows": rows,
            "opens_chart": line_chart(opens, buckets=series.buckets, unit=series.unit, title="Opens by treatment")
            if ids
            else None,
            "sends_chart": line_chart(sends, buckets=series.buckets, unit=series.unit, title="Sends by treatment")
            if ids
            else None,
            "legend": legend([names.get(t, t) for t in ids]),
        }


class CampaignProgressView(CampaignMixin):
    """The live part of the page (HTMX, polled while a run executes): progress bar and KPI tiles."""

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        campaign = self.campaign(pk)
        metrics = campaign_metrics(campaign=campaign)
        context = {"campaign": campaign, "progress": campaign_progress(campaign=campaign), "kpis": kpis(metrics)}
        return render(request, "campaigns/_live.html", context)


class CampaignActionView(CampaignMixin):
    """POST launch | pause | resume | stop | duplicate: the lifecycle services, audited by them."""

    def post(self, request: HttpRequest, tenant_id: str, pk: int, action: str) -> HttpResponse:
        campaign = self.campaign(pk)
        if action == "duplicate":
            copy = services.campaign_duplicate(campaign=campaign, by=self.actor)
            messages.success(request, f"Duplicated as the draft “{copy.name}”.")
            return redirect("campaigns:detail", tenant_id, copy.pk)
        if action not in ACTIONS:
            raise Http404("no such action")
        service, done = ACTIONS[action]
        try:
            service(campaign=campaign, by=self.actor, ip=self.ip)
        except DomainError as exc:
            messages.error(request, exc.message[:1].upper() + exc.message[1:] + ".")
            if action == "launch":
                return redirect("campaigns:setup_review", tenant_id, pk)
        else:
            messages.success(request, f"“{campaign.name}” {done}.")
        return redirect("campaigns:detail", tenant_id, pk)

    def get(self, request: HttpRequest, tenant_id: str, pk: int, action: str) -> HttpResponse:
        self.campaign(pk)
        return redirect("campaigns:detail", tenant_id, pk)


class CampaignDeleteView(CampaignMixin):
    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        campaign = self.campaign(pk)
        try:
            services.campaign_delete(campaign=campaign, by=self.actor, ip=self.ip)
        except DomainError as exc:
            messages.error(request, exc.message[:1].upper() + exc.message[1:] + ".")
            return (
                redirect("campaigns:detail", tenant_id, pk)
                if request.POST.get("from") == "detail"
                else redirect("campaigns:list", tenant_id)
            )
        messages.success(request, f"Campaign “{campaign.name}” deleted.")
        return redirect("campaigns:list", tenant_id)

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        self.campaign(pk)
        return redirect("campaigns:list", tenant_id)


class CampaignExportView(CampaignMixin):
    """The campaign's metrics over time as CSV: one row per time bucket and treatment."""

    read_capability = Capability.EXPORT

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        campaign = self.campaign(pk)
        tz = campaign_zone(campaign)
        series = campaign_series(campaign=campaign, tz=tz)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-metrics.csv"'
        writer = csv.writer(response)
        writer.writerow([series.unit, "treatment", *SERIES])
        groups = {"all": series.values, **series.by_treatment}
        for name, values in groups.items():
            for i, at in enumerate(series.buckets):
                if any(values[k][i] for k in SERIES):
                    writer.writerow([at.isoformat(), name, *(values[k][i] for k in SERIES)])
        return response
