"""The journey-wide members of a definition: entry (StartCondition), Schedule, Limits, QuietTime, the sending
schedule (OpenHours, ClosedDays), time-zone estimation and channel settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from campaigns.eventfilter import event_filter_check
from campaigns.journeys.definition_conditions import description, segment_of
from campaigns.journeys.definition_fields import (
    choice,
    compact,
    duration,
    hhmm,
    instant,
    instant_text,
    integer,
    items,
    obj,
    text,
)
from campaigns.schedule import zone
from engage.errors import Invalid
from engage.tenancy.models import Tenant
from segments.models import Segment

CHANNELS = ("EMAIL", "SMS", "PUSH", "VOICE", "CUSTOM")
WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
ESTIMATION_METHODS = ("PHONE_NUMBER", "POSTAL_CODE")
MAX_RANGES_PER_DAY = 4
MAX_CLOSED_DAYS = 20
EVENT_FILTER = "StartCondition.EventStartCondition.EventFilter"


def _event_start(tenant: Tenant, value: Any) -> dict[str, Any]:
    path = "StartCondition.EventStartCondition"
    data = obj(value, path)
    out: dict[str, Any] = {}
    if data.get("EventFilter") is not None:
        try:
            out["EventFilter"] = event_filter_check(data["EventFilter"])
        except Invalid as exc:
            field = (exc.field or "").replace("Schedule.EventFilter", EVENT_FILTER)
            raise Invalid(f"{field}: {exc.message}", field=field) from None
    if data.get("SegmentId") not in (None, ""):
        segment = segment_of(tenant, data["SegmentId"], f"{path}.SegmentId")
        if segment.kind != Segment.Kind.DIMENSIONAL:
            raise Invalid(
                f"{path}.SegmentId: an event-triggered journey can only be limited by a dynamic segment, "
                f"and “{segment.name}” is imported",
                field=f"{path}.SegmentId",
            )
        out["SegmentId"] = segment.public_id
    return out


def start_condition_check(tenant: Tenant, value: Any) -> dict[str, Any]:
    """How participants enter: from a segment (SegmentStartCondition) or on an event (EventStartCondition)."""
    data = obj(value, "StartCondition")
    given = [k for k in ("SegmentStartCondition", "EventStartCondition") if data.get(k) is not None]
    if len(given) > 1:
        raise Invalid(
            "StartCondition: participants enter from a segment or on an event; give one of "
            "SegmentStartCondition and EventStartCondition",
            field="StartCondition",
        )
    out: dict[str, Any] = compact({"Description": description(data.get("Description"), "StartCondition.Description")})
    if given == ["SegmentStartCondition"]:
        path = "StartCondition.SegmentStartCondition"
        segment = segment_of(tenant, obj(data[given[0]], path).get("SegmentId"), f"{path}.SegmentId")
        out["SegmentStartCondition"] = {"SegmentId": segment.public_id}
    elif given:
        out["EventStartCondition"] = _event_start(tenant, data[given[0]])
    return out


def schedule_check(value: Any) -> dict[str, Any]:
    """StartTime and EndTime (UTC, ending in Z; the end after the start) and the Timezone they are set in."""
    data = obj(value, "Schedule")
    out: dict[str, Any] = {}
    for key in ("StartTime", "EndTime"):
        if data.get(key) not in (None, ""):
            out[key] = instant_text(data[key], f"Schedule.{key}")
    both = "StartTime" in out and "EndTime" in out
    if both and instant(out["EndTime"], "Schedule.EndTime") <= instant(out["StartTime"], "Schedule.StartTime"):
        raise Invalid("Schedule.EndTime must be after Schedule.StartTime", field="Schedule.EndTime")
    if data.get("Timezone") not in (None, ""):
        name = text(data["Timezone"], "Schedule.Timezone", limit=64)
        if zone(name) is None:
            raise Invalid(
                f"Schedule.Timezone: {name!r} is not a time zone; use a name such as America/New_York or UTC+02",
                field="Schedule.Timezone",
            )
        out["Timezone"] = name
    return out


def limits_check(value: Any) -> dict[str, Any]:
    """JourneyLimits with Pinpoint's bounds."""
    data = obj(value, "Limits")
    bounds = {
        "DailyCap": (0, 100),
        "TotalCap": (0, 100),
        "MessagesPerSecond": (50, 20_000),
        "EndpointReentryCap": (0, None),
    }
    out: dict[str, Any] = {}
    for key, (low, high) in bounds.items():
        if data.get(key) is not None:
            out[key] = integer(data[key], f"Limits.{key}", low, high)
    if data.get("EndpointReentryInterval") not in (None, ""):
        out["EndpointReentryInterval"] = duration(data["EndpointReentryInterval"], "Limits.EndpointReentryInterval")
    if data.get("TimeframeCap") is not None:
        frame = obj(data["TimeframeCap"], "Limits.TimeframeCap")
        out["TimeframeCap"] = compact(
            {
                "Cap": integer(frame["Cap"], "Limits.TimeframeCap.Cap", 0, 100)
                if frame.get("Cap") is not None
                else None,
                "Days": integer(frame["Days"], "Limits.TimeframeCap.Days", 1, 30)
                if frame.get("Days") is not None
                else None,
            }
        )
    return out


def quiet_time_check(value: Any) -> dict[str, Any]:
    data = obj(value, "QuietTime")
    given = {k: data.get(k) for k in ("Start", "End") if data.get(k) not in (None, "")}
    if len(given) == 1:
        missing = "End" if "Start" in given else "Start"
        raise Invalid(
            f"QuietTime.{missing}: give both the start and the end of quiet time", field=f"QuietTime.{missing}"
        )
    return {k: hhmm(v, f"QuietTime.{k}") for k, v in given.items()}


def refresh_check(value: Any) -> str:
    return duration(value, "RefreshFrequency", low=timedelta(hours=1))


def open_hours_check(value: Any) -> dict[str, Any]:
    """Per channel and weekday, up to four sending windows, each starting before it ends."""
    data = obj(value, "OpenHours")
    out: dict[str, Any] = {}
    for channel, days in data.items():
        choice(channel, f"OpenHours.{channel}", CHANNELS)
        out[channel] = {}
        for day, rules in obj(days, f"OpenHours.{channel}").items():
            where = f"OpenHours.{channel}.{day}"
            choice(day, where, WEEKDAYS)
            ranges = items(rules, where)
            if len(ranges) > MAX_RANGES_PER_DAY:
                raise Invalid(f"{where}: at most {MAX_RANGES_PER_DAY} time ranges a day", field=where)
            out[channel][day] = [_range(r, f"{where}[{i}]") for i, r in enumerate(ranges)]
    return out


def _range(value: Any, path: str) -> dict[str, str]:
    rule = obj(value, path)
    start = hhmm(rule.get("StartTime"), f"{path}.StartTime")
    end = hhmm(rule.get("EndTime"), f"{path}.EndTime")
    if start >= end:
        raise Invalid(f"{path}.EndTime must be later in the day than StartTime", field=f"{path}.EndTime")
    return {"StartTime": start, "EndTime": end}


def closed_days_check(value: Any) -> dict[str, Any]:
    """Per channel, up to 20 named closures, each starting before it ends."""
    data = obj(value, "ClosedDays")
    out: dict[str, Any] = {}
    for channel, rules in data.items():
        choice(channel, f"ClosedDays.{channel}", CHANNELS)
        listed = items(rules, f"ClosedDays.{channel}")
        if len(listed) > MAX_CLOSED_DAYS:
            raise Invalid(
                f"ClosedDays.{channel}: at most {MAX_CLOSED_DAYS} closed-day rules", field=f"ClosedDays.{channel}"
            )
        out[channel] = []
        for i, raw in enumerate(listed):
            where = f"ClosedDays.{channel}[{i}]"
            rule = obj(raw, where)
            start = text(rule.get("StartDateTime"), f"{where}.StartDateTime", limit=64)
            end = text(rule.get("EndDateTime"), f"{where}.EndDateTime", limit=64)
            if instant(end, f"{where}.EndDateTime") <= instant(start, f"{where}.StartDateTime"):
                raise Invalid(f"{where}.EndDateTime must be after StartDateTime", field=f"{where}.EndDateTime")
            name = text(rule["Name"], f"{where}.Name", limit=100) if rule.get("Name") is not None else None
            out[channel].append(compact({"Name": name, "StartDateTime": start, "EndDateTime": end}))
    return out


def estimation_check(value: Any) -> list[str]:
    methods = items(value, "TimezoneEstimationMethods")
    out: list[str] = []
    for i, method in enumerate(methods):
        name = choice(method, f"TimezoneEstimationMethods[{i}]", ESTIMATION_METHODS)
        if name not in out:
            out.append(name)
    return out


def channel_settings_check(value: Any) -> dict[str, Any]:
    data = obj(value, "JourneyChannelSettings")
    return {
        key: text(data[key], f"JourneyChannelSettings.{key}", limit=2048)
        for key in ("ConnectCampaignArn", "ConnectCampaignExecutionRoleArn")
        if data.get(key) not in (None, "")
    }
