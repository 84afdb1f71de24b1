"""Pinpoint's WriteCampaignRequest → Campaign field values, checked, with errors naming the request's fields.
Read-only members of a CampaignResponse (Id, Arn, State, Version, dates...) are ignored, so a GetCampaign body
can be posted as it is. Engage's additions: Schedule.NoTimezoneAction (SKIP | CAMPAIGN_ZONE) and
Schedule.QuietTimeAction (HOLD | DROP); lower-case `name` and `description` are accepted too."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from campaigns.eventfilter import event_filter_check
from campaigns.hook import hook_check
from campaigns.message import MC, TC, campaign_message, message_channel
from campaigns.models import Campaign
from campaigns.schedule import zone
from engage.errors import Invalid
from engage.tenancy.models import Tenant
from segments.models import Segment

MAX_TREATMENTS = 5
MAX_TAGS = 50
MAX_FALLBACKS = 3


def _int(body: dict[str, Any], key: str, path: str, low: int, high: int | None = None) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("must be a whole number", field=f"{path}{key}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise Invalid(f"must be {bounds}", field=f"{path}{key}")
    return value


def _obj(value: Any, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid("must be a JSON object", field=path)
    return value


def _text(body: dict[str, Any], key: str, path: str, limit: int) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid("must be text", field=path)
    if len(value.strip()) > limit:
        raise Invalid(f"is longer than {limit:,} characters", field=path)
    return value.strip()


def _instant(value: Any, path: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise Invalid("must be an ISO 8601 date and time, e.g. 2026-05-01T09:00:00Z", field=path) from None
    if parsed.tzinfo is None:
        raise Invalid("give a time zone offset, e.g. 2026-05-01T09:00:00Z", field=path)
    return parsed


def _clock(value: Any, path: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise Invalid("must be a 24-hour time, HH:MM", field=path) from None


def _names(body: dict[str, Any], out: dict[str, Any]) -> None:
    for key, field, limit in (("Name", "name", 255), ("Description", "description", 10_000)):
        source = key if key in body else field if field in body else None
        if source is None:
            continue
        value = _text(body, source, source, limit)
        if field == "name" and not value:
            raise Invalid("give the campaign a name", field=source)
        out[field] = value


def _segment(tenant: Tenant, body: dict[str, Any], out: dict[str, Any]) -> None:
    if "SegmentId" in body:
        segment = Segment.objects.for_tenant(tenant).filter(public_id=str(body["SegmentId"] or "")).first()
        if segment is None:
            raise Invalid("there is no such segment in this project", field="SegmentId")
        out["segment"] = segment
    version = _int(body, "SegmentVersion", "", 1)
    if version is not None:
        segment = out.get("segment")
        if segment is not None and version > segment.version:
            raise Invalid(f"the segment's latest version is {segment.version}", field="SegmentVersion")
        out["segment_version"] = version


def _limits(body: dict[str, Any], out: dict[str, Any]) -> None:
    if "Limits" not in body:
        return
    limits = _obj(body["Limits"], "Limits")
    out["daily_cap"] = _int(limits, "Daily", "Limits.", 0, 100) or None
    out["total_cap"] = _int(limits, "Total", "Limits.", 0, 100) or None
    mps = _int(limits, "MessagesPerSecond", "Limits.", 0, 20_000) or None
    if mps is not None and mps < 50:
        raise Invalid("must be between 50 and 20,000", field="Limits.MessagesPerSecond")
    out["messages_per_second"] = mps
    out["maximum_duration"] = _int(limits, "MaximumDuration", "Limits.", 0) or None
    if out["maximum_duration"] is not None and out["maximum_duration"] < 60:
        raise Invalid("must be at least 60 seconds", field="Limits.MaximumDuration")
    out["session_cap"] = _int(limits, "Session", "Limits.", 0, 10) or None


def _schedule(body: dict[str, Any], out: dict[str, Any]) -> None:
    if "Schedule" not in body:
        return
    s = _obj(body["Schedule"], "Schedule")
    start = s.get("StartTime")
    if not start:
        raise Invalid("give the start time (IMMEDIATE or an ISO 8601 time)", field="Schedule.StartTime")
    out["start_immediate"] = start == "IMMEDIATE"
    out["start_time"] = None if out["start_immediate"] else _instant(start, "Schedule.StartTime")
    out["end_time"] = _instant(s["EndTime"], "Schedule.EndTime") if s.get("EndTime") else None
    frequency = s.get("Frequency") or Campaign.Frequency.ONCE
    if frequency not in Campaign.Frequency.values:
        raise Invalid(f"must be one of {', '.join(Campaign.Frequency.values)}", field="Schedule.Frequency")
    out["frequency"] = frequency
    if out["end_time"] and out["start_time"] and out["end_time"] <= out["start_time"]:
        raise Invalid("must be after the start time", field="Schedule.EndTime")
    out["is_local_time"] = bool(s.get("IsLocalTime")) and not out["start_immediate"]
    tz = s.get("Timezone") or ""
    if tz and zone(str(tz)) is None:
        raise Invalid(
            "is not a time zone; use a name like Europe/Paris or an offset like UTC+09", field="Schedule.Timezone"
        )
    out["timezone"] = str(tz)
    quiet = _obj(s.get("QuietTime"), "Schedule.QuietTime")
    out["quiet_time_start"] = _clock(quiet["Start"], "Schedule.QuietTime.Start") if quiet.get("Start") else None
    out["quiet_time_end"] = _clock(quiet["End"], "Schedule.QuietTime.End") if quiet.get("End") else None
    if (out["quiet_time_start"] is None) != (out["quiet_time_end"] is None):
        raise Invalid("give both the start and the end of quiet time", field="Schedule.QuietTime")
    out["event_filter"] = _event_filter(s.get("EventFilter"), frequency)
    for key, field, choices in (
        ("NoTimezoneAction", "no_timezone", Campaign.NoTimezone.values),
        ("QuietTimeAction", "quiet_time_action", Campaign.QuietTimeAction.values),
    ):
        if s.get(key) is not None and s[key] not in choices:
            raise Invalid(f"must be one of {', '.join(choices)}", field=f"Schedule.{key}")
        out[field] = s.get(key) or choices[0]


def _event_filter(value: Any, frequency: str) -> dict[str, Any] | None:
    if frequency in (Campaign.Frequency.EVENT, Campaign.Frequency.IN_APP_EVENT) and not value:
        raise Invalid(f"an {frequency} campaign needs an event filter", field="Schedule.EventFilter")
    return event_filter_check(value) if value else None


def _treatments(body: dict[str, Any], out: dict[str, Any]) -> None:
    if "HoldoutPercent" in body:
        out["holdout_percent"] = _int(body, "HoldoutPercent", "", 0, 100) or 0
    if "AdditionalTreatments" not in body:
        return
    items = body["AdditionalTreatments"] or []
    if not isinstance(items, list) or len(items) > MAX_TREATMENTS - 1:
        raise Invalid(f"give at most {MAX_TREATMENTS - 1} additional treatments", field="AdditionalTreatments")
    treatments = []
    for index, raw in enumerate(items):
        path = f"AdditionalTreatments[{index}]"
        item = _obj(raw, path)
        size = _int(item, "SizePercent", f"{path}.", 0, 100)
        if size is None:
            raise Invalid("give the treatment's share of the segment", field=f"{path}.SizePercent")
        kept = {k: item[k] for k in (MC, TC, "TreatmentName", "TreatmentDescription") if item.get(k)}
        if item.get("Schedule"):
            kept["Schedule"] = _treatment_schedule(item["Schedule"], f"{path}.Schedule")
        if item.get("CustomDeliveryConfiguration"):
            kept["CustomDeliveryConfiguration"] = item["CustomDeliveryConfiguration"]
        treatments.append({"Id": str(index + 1), "SizePercent": size, **kept})
    if sum(t["SizePercent"] for t in treatments) > 100:
        raise Invalid("the treatments' SizePercent add up to more than 100", field="AdditionalTreatments")
    out["additional_treatments"] = treatments


def _treatment_schedule(value: Any, path: str) -> dict[str, Any]:
    """A treatment's own schedule: its times (checked against the campaign's schedule on save)."""
    s = _obj(value, path)
    start = s.get("StartTime")
    if not start or start == "IMMEDIATE":
        text = "give the treatment's own start as an ISO 8601 time (leave Schedule out to follow the campaign's)"
        raise Invalid(text, field=f"{path}.StartTime")
    out: dict[str, Any] = {k: s[k] for k in ("Frequency", "IsLocalTime", "Timezone") if k in s}
    begins = _instant(start, f"{path}.StartTime")
    out["StartTime"] = begins.isoformat()
    if s.get("EndTime"):
        ends = _instant(s["EndTime"], f"{path}.EndTime")
        if ends <= begins:
            raise Invalid("must be after the treatment's start time", field=f"{path}.EndTime")
        out["EndTime"] = ends.isoformat()
    return out


def _plain(body: dict[str, Any], out: dict[str, Any]) -> None:
    for key, field in ((MC, "message_configuration"), (TC, "template_configuration")):
        if key in body:
            out[field] = _obj(body[key], key)
    if "TreatmentName" in body:
        out["treatment_name"] = _text(body, "TreatmentName", "TreatmentName", 255)
    if "TreatmentDescription" in body:
        out["treatment_description"] = _text(body, "TreatmentDescription", "TreatmentDescription", 10_000)
    if "Priority" in body:
        out["priority"] = _int(body, "Priority", "", 1, 5)
    if "tags" in body:
        tags = _obj(body["tags"], "tags")
        if len(tags) > MAX_TAGS or not all(isinstance(v, str) for v in tags.values()):
            raise Invalid(f"tags must be at most {MAX_TAGS} string values", field="tags")
        out["tags"] = tags
    if "Hook" in body:
        out["hook"] = hook_check(body["Hook"])
    if "CustomDeliveryConfiguration" in body:
        out["custom_delivery"] = _obj(body["CustomDeliveryConfiguration"], "CustomDeliveryConfiguration") or None
    if "IsPaused" in body:
        out["is_paused"] = bool(body["IsPaused"])


def _fallbacks(body: dict[str, Any], out: dict[str, Any]) -> None:
    """Engage's `Fallbacks`: channels tried in order after the campaign's own, each with its own message."""
    if "Fallbacks" not in body:
        return
    items = body["Fallbacks"] or []
    if not isinstance(items, list) or len(items) > MAX_FALLBACKS:
        raise Invalid(f"give at most {MAX_FALLBACKS} fallback channels", field="Fallbacks")
    fallbacks = []
    for index, raw in enumerate(items):
        item = _obj(raw, f"Fallbacks[{index}]")
        fallbacks.append({k: _obj(item[k], f"Fallbacks[{index}].{k}") for k in (MC, TC) if item.get(k)})
    out["fallbacks"] = fallbacks


def campaign_fields(*, tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    """The Campaign fields a (partial) WriteCampaignRequest sets."""
    if not isinstance(body, dict):
        raise Invalid("send a JSON object", field="body")
    out: dict[str, Any] = {}
    _names(body, out)
    _segment(tenant, body, out)
    _limits(body, out)
    _schedule(body, out)
    _treatments(body, out)
    _plain(body, out)
    _fallbacks(body, out)
    return out


def messages_check(*, campaign: Campaign) -> None:
    """Check every treatment's message renders into content for the campaign's channel (Invalid otherwise)."""
    configs = [("", campaign.message_configuration, campaign.template_configuration)]
    for index, t in enumerate(campaign.additional_treatments):
        configs.append((f"AdditionalTreatments[{index}].", t.get(MC) or {}, t.get(TC) or {}))
    for prefix, mc, tc in configs:
        try:
            channel = message_channel(message_configuration=mc, template_configuration=tc)
            if channel and campaign.channel and channel != campaign.channel:
                raise Invalid(f"every treatment sends on {campaign.channel}, not {channel}", field=MC)
            if channel or prefix:
                campaign_message(
                    tenant=campaign.tenant,
                    channel=channel or campaign.channel,
                    message_configuration=mc,
                    template_configuration=tc,
                )
        except Invalid as exc:
            raise Invalid(exc.message, field=f"{prefix}{exc.field or MC}") from None
    _fallbacks_check(campaign)


def _fallbacks_check(campaign: Campaign) -> None:
    """Each fallback sends on a channel of its own (stored as its `Channel`), after the campaign's."""
    seen = {campaign.channel}
    for index, fallback in enumerate(campaign.fallbacks or []):
        prefix = f"Fallbacks[{index}]."
        mc, tc = fallback.get(MC) or {}, fallback.get(TC) or {}
        try:
            channel = message_channel(message_configuration=mc, template_configuration=tc)
            if not channel:
                raise Invalid("give the fallback's message or template", field=MC)
            if channel in seen:
                raise Invalid(f"{channel} is already a channel of this campaign; fall back to another", field=MC)
            campaign_message(
                tenant=campaign.tenant, channel=channel, message_configuration=mc, template_configuration=tc
            )
        except Invalid as exc:
            raise Invalid(exc.message, field=f"{prefix}{exc.field or MC}") from None
        seen.add(channel)
        fallback["Channel"] = channel


def event_check(*, campaign: Campaign) -> None:
    """An EVENT campaign's segment must be dynamic: imported segments are refused, as Pinpoint did."""
    if campaign.frequency != Campaign.Frequency.EVENT or campaign.segment is None:
        return
    if campaign.segment.kind == Segment.Kind.IMPORT:
        raise Invalid("an event-triggered campaign needs a dynamic segment, not an imported one", field="SegmentId")
