"""Campaigns: CreateCampaign, GetCampaigns, GetCampaign, UpdateCampaign, DeleteCampaign, GetCampaignVersions,
GetCampaignVersion, GetCampaignActivities and GetCampaignDateRangeKpi, through the campaigns services and selectors
the REST API uses. As in Pinpoint a created campaign is live (launched) unless `IsPaused`; Engage's drafts answer as
PAUSED, and `IsPaused: false` launches them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction

from campaigns.api.representation import campaign_json
from campaigns.kpis import KPI_DEFAULT_DAYS, campaign_kpi, kpi_check, run_activities
from campaigns.models import Campaign
from campaigns.selectors import campaign_runs, campaigns_list
from campaigns.services import (
    campaign_create,
    campaign_delete,
    campaign_launch,
    campaign_pause,
    campaign_resume,
    campaign_update,
)
from engage import clock
from engage.errors import Invalid, NotFound
from engage.pinpoint.pages import page
from engage.pinpoint.registry import Call, operation
from engage.tenancy.models import Capability
from segments.segment_json import iso

# The KPIs GetJourneyDateRangeKpi computes (journey_metrics imports them from here); campaigns have campaigns.kpis.
KPI_NAMES = ("attempted-deliveries", "successful-deliveries", "successful-delivery-rate", "email-open-rate")


def campaign_of(call: Call) -> Campaign:
    """The path's campaign, inside the caller's application only."""
    text = str(call.params["CampaignId"])
    found = None
    if text.isdigit() and len(text) <= 18:
        found = campaigns_list(tenant=call.tenant).select_related("tenant", "segment").filter(pk=int(text)).first()
    if found is None:
        raise NotFound(f"Campaign {text} not found")
    return found


def _json(campaign: Campaign) -> dict[str, Any]:
    """CampaignResponse; a draft (never launched) is a paused campaign to a Pinpoint client."""
    out = campaign_json(campaign)
    if campaign.status == Campaign.Status.DRAFT:
        state = {"CampaignStatus": Campaign.Status.PAUSED.value}
        treatments = [{**t, "State": state} for t in campaign.additional_treatments]
        out.update(State=state, DefaultState=state, IsPaused=True, AdditionalTreatments=treatments)
    return out


@operation("CreateCampaign", capability=Capability.EDIT)
def create_campaign(call: Call) -> dict[str, Any]:
    """Create the campaign and launch it, unless `IsPaused` (then it waits, as a draft, for `IsPaused: false`)."""
    with transaction.atomic():
        campaign = campaign_create(tenant=call.tenant, by=call.key, body=call.body)
        if call.body.get("IsPaused") is not True:
            campaign = campaign_launch(campaign=campaign, by=call.key, ip=call.ip)
    return _json(campaign)


@operation("GetCampaigns", capability=Capability.VIEW)
def get_campaigns(call: Call) -> dict[str, Any]:
    rows = campaigns_list(tenant=call.tenant).select_related("tenant", "segment").order_by("-created_at", "-id")
    return page(rows, params=call.params, render=_json)


@operation("GetCampaign", capability=Capability.VIEW)
def get_campaign(call: Call) -> dict[str, Any]:
    return _json(campaign_of(call))


@operation("UpdateCampaign", capability=Capability.EDIT)
def update_campaign(call: Call) -> dict[str, Any]:
    """`IsPaused: true` pauses a live campaign; other members change a paused one (a live one must be paused
    first: 409); `IsPaused: false` then launches a draft or resumes a paused campaign."""
    body, campaign = call.body, campaign_of(call)
    paused = body.get("IsPaused")
    with transaction.atomic():
        if paused is True and campaign.status in Campaign.ACTIVE:
            campaign = campaign_pause(campaign=campaign, by=call.key, ip=call.ip)
        if set(body) - {"IsPaused"}:
            campaign = campaign_update(campaign=campaign, by=call.key, body=body)
        if paused is False and campaign.status == Campaign.Status.DRAFT:
            campaign = campaign_launch(campaign=campaign, by=call.key, ip=call.ip)
        elif paused is False and campaign.status == Campaign.Status.PAUSED:
            campaign = campaign_resume(campaign=campaign, by=call.key, ip=call.ip)
    return _json(campaign_of(call))


@operation("DeleteCampaign", capability=Capability.EDIT)
def delete_campaign(call: Call) -> dict[str, Any]:
    """Delete a campaign that is not sending right now (409 while it is); answer with what it was."""
    campaign = campaign_of(call)
    answer = _json(campaign)
    campaign_delete(campaign=campaign, by=call.key, ip=call.ip)
    return answer


@operation("GetCampaignVersions", capability=Capability.VIEW)
def get_campaign_versions(call: Call) -> dict[str, Any]:
    """Engage keeps only a campaign's current version: the list holds that one."""
    return page([campaign_of(call)], params=call.params, render=_json)


@operation("GetCampaignVersion", capability=Capability.VIEW)
def get_campaign_version(call: Call) -> dict[str, Any]:
    campaign = campaign_of(call)
    text = str(call.params["Version"])
    if text != str(campaign.version):
        raise NotFound(
            f"Campaign {campaign.pk} has no stored version {text}: Engage keeps only the current version "
            f"({campaign.version})"
        )
    return _json(campaign)


@operation("GetCampaignActivities", capability=Capability.VIEW)
def get_campaign_activities(call: Call) -> dict[str, Any]:
    """The campaign's runs, latest first: an activity per run and treatment (a page holds PageSize runs)."""
    campaign = campaign_of(call)
    found = page(
        campaign_runs(campaign=campaign), params=call.params, render=lambda r: run_activities(campaign=campaign, run=r)
    )
    found["Item"] = [activity for run in found["Item"] for activity in run]  # one per run and treatment
    return found


def _when(value: Any, field: str) -> datetime | None:
    """A query timestamp (ISO 8601, as botocore sends it, or epoch seconds) as an aware datetime."""
    if value in (None, ""):
        return None
    text = str(value)
    try:
        if text.replace(".", "", 1).isdigit():
            return datetime.fromtimestamp(float(text), tz=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise Invalid(f"{field} must be an ISO 8601 date-time such as 2026-05-01T00:00:00Z", field=field) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


@operation("GetCampaignDateRangeKpi", capability=Capability.VIEW)
def get_campaign_date_range_kpi(call: Call) -> dict[str, Any]:
    """One KPI over messages queued in [StartTime, EndTime) (default: the last 7 days), from the ledger and events."""
    campaign, name = campaign_of(call), str(call.params["KpiName"])
    kpi_check(name)
    end = _when(call.params.get("EndTime"), "EndTime") or clock.now()
    start = _when(call.params.get("StartTime"), "StartTime") or end - timedelta(days=KPI_DEFAULT_DAYS)
    if start >= end:
        raise Invalid("StartTime must be before EndTime", field="StartTime")
    rows = campaign_kpi(campaign=campaign, name=name, start=start, end=end)
    return {
        "ApplicationId": call.application_id,
        "CampaignId": str(campaign.pk),
        "KpiName": name,
        "StartTime": iso(start),
        "EndTime": iso(end),
        "KpiResult": {"Rows": rows},
    }
