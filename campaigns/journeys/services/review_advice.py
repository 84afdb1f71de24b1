"""The review's recommendations: Pinpoint's journey best practices, checked against one definition."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings

from campaigns.journeys.definition_fields import instant
from campaigns.journeys.graph import activity_kind, activity_next, duration_parse
from campaigns.journeys.services.review import Issue, is_event_journey
from campaigns.journeys.services.review_graph import paths_between
from engage import clock
from engage.tenancy.models import Tenant
from segments.models import Segment

ENGAGEMENT_BUFFER = timedelta(hours=1)
DEFAULT_MPS = 50
_UNBOUNDED = timedelta(days=36500)


def _back_to_back(activities: dict[str, Any]) -> list[Issue]:
    found = []
    for activity_id, activity in activities.items():
        if activity_kind(activity) != "EMAIL":
            continue
        for nxt in activity_next(activity):
            if activity_kind(activities.get(nxt) or {}) == "EMAIL":
                found.append(
                    Issue(
                        nxt,
                        f"Activities.{activity_id}.EMAIL.NextActivity",
                        f"“{activity_id}” and “{nxt}” send email back to back; put a wait between them",
                    )
                )
    return found


def _wait_of(activity: dict[str, Any]) -> timedelta:
    """How long participants stay at an activity before moving on (a wait until a date counts as long enough)."""
    if activity_kind(activity) != "Wait":
        return timedelta(0)
    wait = activity["Wait"].get("WaitTime") or {}
    if wait.get("WaitUntil"):
        return _UNBOUNDED
    return duration_parse(wait["WaitFor"]) if wait.get("WaitFor") else timedelta(0)


def _evaluation_wait(body: dict[str, Any]) -> timedelta:
    wait = body.get("EvaluationWaitTime") or {}
    if wait.get("WaitUntil"):
        return _UNBOUNDED
    return duration_parse(wait["WaitFor"]) if wait.get("WaitFor") else timedelta(0)


def _engagement_buffer(definition: dict[str, Any]) -> list[Issue]:
    activities = definition.get("Activities") or {}
    found = []
    for activity_id, activity in activities.items():
        kind = activity_kind(activity)
        if kind not in ("ConditionalSplit", "MultiCondition"):
            continue
        body = activity[kind]
        conditions = [*((body.get("Condition") or {}).get("Conditions") or [])]
        conditions += [b.get("Condition") or {} for b in body.get("Branches") or []]
        sources = {c["EventCondition"]["MessageActivity"] for c in conditions if c.get("EventCondition")}
        for source in sorted(sources):
            paths = paths_between(definition, source, activity_id)
            if not paths:
                continue
            least = min(sum((_wait_of(activities[a]) for a in p[1:-1]), timedelta(0)) for p in paths)
            if least + _evaluation_wait(body) < ENGAGEMENT_BUFFER:
                found.append(
                    Issue(
                        activity_id,
                        f"Activities.{activity_id}.{kind}.EvaluationWaitTime",
                        f"the split checks engagement with “{source}” less than an hour after sending it; give "
                        "recipients time to open and click (a wait, or an evaluation wait of at least PT1H)",
                    )
                )
    return found


def _reentry(definition: dict[str, Any]) -> list[Issue]:
    limits = definition.get("Limits") or {}
    cap = limits.get("EndpointReentryCap", 1)
    can_reenter = is_event_journey(definition) or bool(definition.get("RefreshFrequency"))
    if cap != 1 and can_reenter and not limits.get("EndpointReentryInterval"):
        return [
            Issue(
                "",
                "Limits.EndpointReentryInterval",
                "participants may enter again at once; set a re-entry interval so nobody gets the same messages "
                "twice in a row",
            )
        ]
    return []


def _segment_size(tenant: Tenant, segment: Segment, cap: int) -> int:
    from segments.compiler.query import audience_guard_for, segment_members
    from segments.definition import parse_definition
    from segments.selectors import count_capped

    definition = parse_definition({"SegmentGroups": {"Groups": [{"SourceSegments": [{"Id": segment.public_id}]}]}})
    members = segment_members(tenant=tenant, definition=definition, guard=audience_guard_for(tenant=tenant))
    return count_capped(members, cap=cap)[0]


def _rate(tenant: Tenant, definition: dict[str, Any]) -> list[Issue]:
    start = (definition.get("StartCondition") or {}).get("SegmentStartCondition") or {}
    segment = Segment.objects.for_tenant(tenant).filter(public_id=start.get("SegmentId") or "").first()
    if segment is None:
        return []
    mps = (definition.get("Limits") or {}).get("MessagesPerSecond") or DEFAULT_MPS
    # A segment whose sending takes longer than this at the journey's rate races the activities after the send.
    enough = int(mps * settings.JOURNEYS_REVIEW_SENDING_SECONDS)
    size = _segment_size(tenant, segment, enough + 1)
    if size <= enough:
        return []
    return [
        Issue(
            "",
            "Limits.MessagesPerSecond",
            f"“{segment.name}” has more than {enough:,} endpoints: at {mps} messages a second each send takes "
            "over an hour and may race the activities after it; raise the rate",
        )
    ]


def _timing(definition: dict[str, Any]) -> list[Issue]:
    found = []
    schedule = definition.get("Schedule") or {}
    if schedule.get("StartTime") and instant(schedule["StartTime"], "Schedule.StartTime") < clock.now():
        found.append(
            Issue("", "Schedule.StartTime", "the start time has passed: participants enter as soon as it is published")
        )
    quiet = definition.get("QuietTime") or {}
    if quiet.get("Start") and not definition.get("WaitForQuietTime"):
        found.append(
            Issue(
                "",
                "WaitForQuietTime",
                "messages due during quiet time are dropped; turn on WaitForQuietTime to send them after it",
            )
        )
    if definition.get("LocalTime") and not definition.get("TimezoneEstimationMethods"):
        found.append(
            Issue(
                "",
                "TimezoneEstimationMethods",
                "endpoints without a time zone are left out of local-time sending; estimate it from the phone "
                "number or postal code",
            )
        )
    return found


def _holdouts(activities: dict[str, Any]) -> list[Issue]:
    return [
        Issue(a, f"Activities.{a}.Holdout.Percentage", "this holdout keeps every participant out of the rest")
        for a, activity in activities.items()
        if activity_kind(activity) == "Holdout" and activity["Holdout"].get("Percentage") == 100
    ]


def recommendations(*, tenant: Tenant, definition: dict[str, Any]) -> list[Issue]:
    """Advice that does not block publishing."""
    activities = definition.get("Activities") or {}
    return [
        *_back_to_back(activities),
        *_engagement_buffer(definition),
        *_reentry(definition),
        *_rate(tenant, definition),
        *_timing(definition),
        *_holdouts(activities),
    ]
