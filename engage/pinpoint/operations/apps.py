"""Applications (Engage tenants) and their project settings: GetApps, GetApp, CreateApp, Get/Update
ApplicationSettings. DeleteApp is not offered: deleting a tenant is an operator's job in the admin."""

from __future__ import annotations

from datetime import time
from typing import Any

from campaigns.hook import FILTER, hook_check
from engage.errors import Invalid
from engage.pinpoint.pages import page
from engage.pinpoint.registry import Call, operation
from engage.tenancy.arn import pinpoint_arn
from engage.tenancy.models import ApiKey, Capability, Tenant
from engage.tenancy.services import tenant_create, tenant_update_settings
from segments.segment_json import iso

# Tenant fields under the Pinpoint paths that set them (for error messages).
SETTING_PATHS = {
    "name": "Name",
    "quiet_time_start": "QuietTime.Start",
    "quiet_time_end": "QuietTime.End",
    "campaign_daily_cap": "Limits.Daily",
    "campaign_total_cap": "Limits.Total",
    "messages_per_second": "Limits.MessagesPerSecond",
    "campaign_max_duration": "Limits.MaximumDuration",
    "campaign_hook_url": "CampaignHook.WebUrl",
    "journey_daily_cap": "JourneyLimits.DailyCap",
    "journey_timeframe_cap": "JourneyLimits.TimeframeCap.Cap",
    "journey_timeframe_days": "JourneyLimits.TimeframeCap.Days",
}
LIMITS = {
    "Daily": "campaign_daily_cap",
    "Total": "campaign_total_cap",
    "MessagesPerSecond": "messages_per_second",
    "MaximumDuration": "campaign_max_duration",
}


def application_json(tenant: Tenant) -> dict[str, Any]:
    """ApplicationResponse."""
    return {
        "Arn": pinpoint_arn(tenant.public_id),
        "Id": tenant.public_id,
        "Name": tenant.name,
        "tags": {},
        "CreationDate": iso(tenant.created_at),
    }


@operation("GetApps")
def get_apps(call: Call) -> dict[str, Any]:
    """A tenant key sees its own application; an operator key sees every tenant."""
    if call.key.role == ApiKey.Role.OPERATOR:
        tenants: Any = Tenant.objects.order_by("created_at", "id")
    else:
        tenants = [call.tenant]
    return page(tenants, params=call.params, render=application_json)


@operation("GetApp")
def get_app(call: Call) -> dict[str, Any]:
    return application_json(call.tenant)


@operation("CreateApp", operator_only=True)
def create_app(call: Call) -> dict[str, Any]:
    """A new tenant (tags are not kept: tenants have none)."""
    try:
        tenant = tenant_create(name=call.body["Name"], by=call.key, ip=call.ip)
    except Invalid as exc:
        raise Invalid(exc.message, field="Name") from None
    return application_json(tenant)


def _hhmm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def settings_json(tenant: Tenant) -> dict[str, Any]:
    """ApplicationSettingsResource; unset limits are left out (Pinpoint's 0, no limit)."""
    limits = {name: getattr(tenant, field) for name, field in LIMITS.items()}
    journey: dict[str, Any] = {"DailyCap": tenant.journey_daily_cap}
    if tenant.journey_timeframe_cap is not None:
        journey["TimeframeCap"] = {"Cap": tenant.journey_timeframe_cap, "Days": tenant.journey_timeframe_days}
    out: dict[str, Any] = {"ApplicationId": tenant.public_id, "Limits": limits, "JourneyLimits": journey}
    if tenant.campaign_hook_url:
        out["CampaignHook"] = {"WebUrl": tenant.campaign_hook_url, "Mode": FILTER}
    if tenant.quiet_time_start is not None:
        out["QuietTime"] = {"Start": _hhmm(tenant.quiet_time_start), "End": _hhmm(tenant.quiet_time_end)}
    return out


@operation("GetApplicationSettings", capability=Capability.VIEW)
def get_application_settings(call: Call) -> dict[str, Any]:
    return settings_json(call.tenant)


def _clock_time(value: Any, path: str) -> time | None:
    if value in (None, ""):
        return None
    try:
        hours, minutes = (int(part) for part in str(value).split(":"))
        return time(hours, minutes)
    except ValueError:
        raise Invalid(f"{path} must be a time of day as HH:MM (24-hour), e.g. 22:00", field=path) from None


def _cap(value: int) -> int | None:
    return value or None  # Pinpoint's 0 means no limit


def _unsupported(body: dict[str, Any]) -> None:
    """Settings Engage does not hold are refused rather than silently dropped."""
    if (body.get("Limits") or {}).get("Session"):
        raise Invalid("session caps are not supported in the project settings", field="Limits.Session")
    if (body.get("JourneyLimits") or {}).get("TotalCap"):
        raise Invalid("a total journey cap is not supported in the project settings", field="JourneyLimits.TotalCap")


def _hook_url(value: Any) -> str:
    """The tenant's default hook (CampaignHook: a signed webhook in FILTER mode, as a campaign's Hook)."""
    try:
        hook = hook_check(value)
    except Invalid as exc:
        raise Invalid(exc.message, field=f"Campaign{exc.field or 'Hook'}") from None
    return hook["WebUrl"] if hook else ""


def settings_changes(body: dict[str, Any]) -> dict[str, Any]:
    """The tenant fields a WriteApplicationSettingsRequest sets (members left out keep their values)."""
    _unsupported(body)
    changes: dict[str, Any] = {}
    if "CampaignHook" in body:
        changes["campaign_hook_url"] = _hook_url(body["CampaignHook"])
    limits = body.get("Limits") or {}
    changes.update({field: _cap(limits[name]) for name, field in LIMITS.items() if name in limits})
    if "QuietTime" in body:
        quiet = body["QuietTime"]
        changes["quiet_time_start"] = _clock_time(quiet.get("Start"), "QuietTime.Start")
        changes["quiet_time_end"] = _clock_time(quiet.get("End"), "QuietTime.End")
    journey = body.get("JourneyLimits") or {}
    if "DailyCap" in journey:
        changes["journey_daily_cap"] = _cap(journey["DailyCap"])
    if "TimeframeCap" in journey:
        frame = journey["TimeframeCap"]
        changes["journey_timeframe_cap"] = _cap(frame.get("Cap", 0))
        changes["journey_timeframe_days"] = _cap(frame.get("Days", 0))
    return changes


@operation("UpdateApplicationSettings", capability=Capability.MANAGE)
def update_application_settings(call: Call) -> dict[str, Any]:
    changes = settings_changes(call.body)
    if changes:
        try:
            tenant = tenant_update_settings(tenant=call.tenant, by=call.key, ip=call.ip, **changes)
        except Invalid as exc:
            path = SETTING_PATHS.get(exc.field or "", exc.field)
            raise Invalid(exc.message, field=path) from None
    else:
        tenant = call.tenant
    return settings_json(tenant)
