"""Pinpoint's WriteJourneyRequest, checked member by member and kept as written (normalised): the journey's
definition is that JSON minus Name, State, CreationDate and LastModifiedDate, so a GetJourney answer posted back
as it is exports again unchanged. Unknown members are dropped, as Pinpoint dropped them; every error is an
Invalid naming the member by its dotted path (`Activities.<id>.EMAIL.TemplateName`) and what to fix.

Shape, types, bounds and this project's segments and templates are checked here; whether the activities form a
journey that can run (links, reachability, cycles, quotas) is the review's job, so a half-drawn draft still saves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from campaigns.journeys.definition_activities import activities_check
from campaigns.journeys.definition_fields import boolean, instant, obj, text
from campaigns.journeys.definition_settings import (
    channel_settings_check,
    closed_days_check,
    estimation_check,
    limits_check,
    open_hours_check,
    quiet_time_check,
    refresh_check,
    schedule_check,
    start_condition_check,
)
from campaigns.journeys.graph import activity_kind
from engage.errors import Invalid
from engage.tenancy.models import Tenant

NAME_MAX = 150
# Members that are not part of the definition (they live on the Journey row, or the server sets them).
OUTSIDE = ("Name", "State", "CreationDate", "LastModifiedDate", "Id", "ApplicationId", "tags")
BOOLEANS = ("LocalTime", "WaitForQuietTime", "RefreshOnSegmentUpdate", "SendingSchedule")

_READERS: dict[str, Callable[[Any], Any]] = {
    "Schedule": schedule_check,
    "Limits": limits_check,
    "QuietTime": quiet_time_check,
    "RefreshFrequency": refresh_check,
    "OpenHours": open_hours_check,
    "ClosedDays": closed_days_check,
    "TimezoneEstimationMethods": estimation_check,
    "JourneyChannelSettings": channel_settings_check,
}


def _name(body: dict[str, Any], partial: bool) -> str:
    if body.get("Name") is None:
        if partial:
            return ""
        raise Invalid("Name: give the journey a name (up to 150 characters)", field="Name")
    name = text(body["Name"], "Name", limit=NAME_MAX)
    if not name:
        raise Invalid("Name: give the journey a name (up to 150 characters)", field="Name")
    return name


def _start_activity(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise Invalid("StartActivity must be the id of the first activity", field="StartActivity")
    return value.strip()


def _waits_before_end(definition: dict[str, Any]) -> None:
    """A Wait until a date must end before the journey does (Pinpoint refused it too)."""
    end_text = (definition.get("Schedule") or {}).get("EndTime")
    if not end_text:
        return
    end: datetime = instant(end_text, "Schedule.EndTime")
    for activity_id, activity in (definition.get("Activities") or {}).items():
        if activity_kind(activity) != "Wait":
            continue
        until = ((activity["Wait"].get("WaitTime") or {}).get("WaitUntil")) or None
        path = f"Activities.{activity_id}.Wait.WaitTime.WaitUntil"
        if until and instant(until, path) >= end:
            raise Invalid(f"{path}: wait until a time before the journey ends ({end_text})", field=path)


def definition_check(*, tenant: Tenant, body: Any, partial: bool = False) -> tuple[str, dict[str, Any]]:
    """(name, definition) of a WriteJourneyRequest; `partial` when the body only carries the members to change
    (then the name may be missing, and only given members are returned)."""
    data = obj(body, "body")
    name = _name(data, partial)
    definition: dict[str, Any] = {}
    if data.get("Activities") is not None:
        definition["Activities"] = activities_check(tenant, data["Activities"])
    start = _start_activity(data.get("StartActivity"))
    if start is not None:
        definition["StartActivity"] = start
    if data.get("StartCondition") is not None:
        definition["StartCondition"] = start_condition_check(tenant, data["StartCondition"])
    for key, read in _READERS.items():
        if data.get(key) not in (None, ""):
            definition[key] = read(data[key])
    for key in BOOLEANS:
        if data.get(key) is not None:
            definition[key] = boolean(data[key], key)
    _waits_before_end(definition)
    return name, definition


def definition_state(body: Any) -> str:
    """The State a create or update asks for: DRAFT (the default) or ACTIVE (publish), as Pinpoint allows."""
    state = obj(body, "body").get("State")
    if state in (None, "", "DRAFT", "ACTIVE"):
        return str(state or "DRAFT")
    raise Invalid(
        f"State: a journey is created or updated as DRAFT or ACTIVE (got {state!r}); pause or stop it through "
        "its state instead",
        field="State",
    )


def tags_check(value: Any) -> dict[str, str]:
    """Tags as Pinpoint keeps them: up to 50 text keys and values."""
    tags = obj(value, "tags")
    if len(tags) > 50:
        raise Invalid("tags: at most 50 tags", field="tags")
    out: dict[str, str] = {}
    for key, tag in tags.items():
        out[text(key, "tags", limit=128)] = text(tag, f"tags.{key}", limit=256)
    return out
