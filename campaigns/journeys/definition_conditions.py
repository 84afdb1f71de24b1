"""Split conditions of a journey definition: SimpleCondition (segment, inline segment dimensions, or an engagement
event of an earlier message activity), Condition (several, ALL or ANY) and WaitTime.

ENGAGEMENT_EVENTS lists, per channel of the message activity, the event types a split may wait for: the names our
send, feedback and tracking paths record (channels/services/events.py, channels/feedback, channels/tracking) and
the spellings Pinpoint's journeys use for the same events. Matching ignores case. An in-app activity (INAPP) has
none: a split on it is refused, since the app's display and click events come whenever the app shows the message,
not as the outcome of a send, and carry no delivery to tie them to one participant's step."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from campaigns.eventfilter import event_filter_check
from campaigns.journeys.definition_fields import compact, duration, instant_text, items, obj, text
from engage.errors import Invalid
from engage.tenancy.models import Tenant
from segments.models import Segment

ENGAGEMENT_EVENTS: dict[str, tuple[str, ...]] = {
    "EMAIL": (
        "_email.send", "_email.delivered", "_email.rejected", "_email.hardbounce", "_email.hard_bounce",
        "_email.softbounce", "_email.soft_bounce", "_email.complaint", "_email.open", "_email.click",
        "_email.unsubscribe", "_email.rendering_failure",
    ),
    "SMS": (
        "_SMS.send", "_SMS.BUFFERED", "_SMS.SUCCESS", "_SMS.delivered", "_SMS.FAILURE", "_SMS.failed", "_SMS.OPTOUT",
        "_SMS.optout",
    ),
    "PUSH": (
        "_push.send", "_push.opened_notification", "_push.received_foreground", "_push.received_background",
        "_journey.send", "_journey.opened_notification", "_journey.received_foreground",
        "_journey.received_background",
    ),
    "CUSTOM": ("_custom.send", "_custom.success", "_custom.failure", "_custom.response"),
}  # fmt: skip
_KNOWN = {kind: {name.lower() for name in names} for kind, names in ENGAGEMENT_EVENTS.items()}
MAX_WAIT = timedelta(days=365)


def segment_of(tenant: Tenant, value: Any, path: str) -> Segment:
    """The tenant's segment with this SegmentId."""
    found = None
    if isinstance(value, str) and value.strip():
        found = Segment.objects.for_tenant(tenant).filter(public_id=value.strip()).first()
    if found is None:
        raise Invalid(f"{path}: there is no segment {value!r} in this project; pick one of its segments", field=path)
    return found


def wait_time_check(value: Any, path: str, *, low: timedelta) -> dict[str, Any]:
    """WaitTime: WaitFor (an ISO 8601 duration from `low` to 365 days) or WaitUntil (a date-time), not both."""
    data = obj(value, path)
    given = [k for k in ("WaitFor", "WaitUntil") if data.get(k) is not None]
    if len(given) > 1:
        raise Invalid(f"{path}: give WaitFor or WaitUntil, not both", field=path)
    if "WaitFor" in given:
        return {"WaitFor": duration(data["WaitFor"], f"{path}.WaitFor", low=low, high=MAX_WAIT)}
    if "WaitUntil" in given:
        return {"WaitUntil": instant_text(data["WaitUntil"], f"{path}.WaitUntil")}
    return {}


def _event_condition(value: Any, path: str, activities: dict[str, Any]) -> dict[str, Any]:
    from campaigns.journeys.graph import SEND_KINDS, activity_kind

    data = obj(value, path)
    source = data.get("MessageActivity")
    if not isinstance(source, str) or not source:
        where = f"{path}.MessageActivity"
        raise Invalid(f"{where}: name the earlier message activity whose events to check", field=where)
    kind = activity_kind(obj(activities.get(source), f"{path}.MessageActivity")) if source in activities else ""
    if kind == "INAPP":
        raise Invalid(
            f"{path}.MessageActivity: {source!r} is an in-app activity; a split cannot wait for in-app engagement "
            "(the app reports displays and clicks, which the journey's metrics count) — test an email, SMS, push or "
            "custom activity instead",
            field=f"{path}.MessageActivity",
        )
    if kind not in SEND_KINDS:
        raise Invalid(
            f"{path}.MessageActivity: {source!r} is not a send activity (email, SMS, push or custom) of this journey",
            field=f"{path}.MessageActivity",
        )
    dims_path = f"{path}.Dimensions"
    try:
        checked = event_filter_check({"FilterType": "SYSTEM", "Dimensions": obj(data.get("Dimensions"), dims_path)})
    except Invalid as exc:
        field = (exc.field or "").replace("Schedule.EventFilter.Dimensions", dims_path)
        raise Invalid(f"{field}: {exc.message}", field=field) from None
    dims = checked["Dimensions"]
    event_type = dims.get("EventType")
    if not event_type:
        where = f"{dims_path}.EventType"
        raise Invalid(f"{where}: give the engagement event to wait for, e.g. _email.open", field=where)
    for value_ in event_type["Values"]:
        if value_.lower() not in _KNOWN[kind]:
            where = f"{dims_path}.EventType.Values"
            raise Invalid(
                f"{where}: {value_!r} is not an event of a {kind} message; use one of "
                f"{', '.join(ENGAGEMENT_EVENTS[kind])}",
                field=where,
            )
    return {"Dimensions": dims, "MessageActivity": source}


def _segment_dimensions(value: Any, path: str) -> dict[str, Any]:
    from segments.definition import parse_definition

    data = obj(value, path)
    try:
        parse_definition({"Dimensions": data})
    except Invalid as exc:
        field = f"{path}.{(exc.field or '').removeprefix('Dimensions').lstrip('.')}".rstrip(".")
        raise Invalid(f"{field}: {exc.message}", field=field) from None
    return data


def simple_condition_check(tenant: Tenant, value: Any, path: str, activities: dict[str, Any]) -> dict[str, Any]:
    """One SimpleCondition: exactly one of SegmentCondition, EventCondition, segmentDimensions."""
    data = obj(value, path)
    given = [k for k in ("SegmentCondition", "EventCondition", "segmentDimensions") if data.get(k) is not None]
    if len(given) != 1:
        raise Invalid(f"{path}: give exactly one of SegmentCondition, EventCondition or segmentDimensions", field=path)
    kind = given[0]
    where = f"{path}.{kind}"
    if kind == "SegmentCondition":
        segment = segment_of(tenant, obj(data[kind], where).get("SegmentId"), f"{where}.SegmentId")
        return {kind: {"SegmentId": segment.public_id}}
    if kind == "EventCondition":
        return {kind: _event_condition(data[kind], where, activities)}
    return {kind: _segment_dimensions(data[kind], where)}


def condition_check(tenant: Tenant, value: Any, path: str, activities: dict[str, Any]) -> dict[str, Any]:
    """Condition: one or more SimpleConditions and the Operator (ALL or ANY) joining them."""
    data = obj(value, path)
    conditions = items(data.get("Conditions"), f"{path}.Conditions")
    if not conditions:
        raise Invalid(f"{path}.Conditions: give at least one condition", field=f"{path}.Conditions")
    operator = data.get("Operator")
    if operator is not None and operator not in ("ALL", "ANY"):
        raise Invalid(f"{path}.Operator must be ALL or ANY", field=f"{path}.Operator")
    return compact(
        {
            "Conditions": [
                simple_condition_check(tenant, c, f"{path}.Conditions[{i}]", activities)
                for i, c in enumerate(conditions)
            ],
            "Operator": operator,
        }
    )


def description(value: Any, path: str) -> str | None:
    return None if value is None else text(value, path, limit=1000)
