"""Times shared by the flow activities: whether a participant is back at an activity it already started, when a
WaitTime ends, the implicit evaluation waits after message activities, and test mode's skipped or shortened waits."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils.dateparse import parse_datetime

from campaigns.journeys.engine.step import Batch, Step
from campaigns.journeys.graph import SEND_KINDS, activity_kind, duration_parse
from campaigns.models import Journey

# Pinpoint evaluates an engagement split this long after the message activity when no evaluation wait is set.
IMPLICIT_WAIT = {"CUSTOM": timedelta(minutes=15), **{k: timedelta(hours=1) for k in SEND_KINDS if k != "CUSTOM"}}


def returning(step: Step) -> bool:
    """Whether the participant's last step was at this activity (it waited here and came back)."""
    trail = step.participant.trail
    return bool(trail) and trail[-1][0] == step.activity_id


def wait_end(wait: dict[str, Any] | None, now: datetime) -> datetime | None:
    """When a WaitTime ends (WaitFor from now, or WaitUntil); None when it sets neither or cannot be read."""
    wait = wait or {}
    if wait.get("WaitFor"):
        try:
            return now + duration_parse(wait["WaitFor"])
        except ValueError:
            return None
    if wait.get("WaitUntil"):
        until = parse_datetime(str(wait["WaitUntil"]))
        if until is not None and until.tzinfo is None:
            until = until.replace(tzinfo=now.tzinfo)
        return until
    return None


def test_wake(journey: Journey, at: datetime, now: datetime) -> datetime | None:
    """A wait's wake time in test mode: skipped (None: at once) or shortened to test_wait_seconds."""
    if journey.test_wait == Journey.TestWait.SKIP:
        return None
    if journey.test_wait == Journey.TestWait.CUSTOM and journey.test_wait_seconds is not None:
        return min(at, now + timedelta(seconds=journey.test_wait_seconds))
    return at


def implicit_end(batch: Batch, step: Step, message_activities: list[str]) -> datetime:
    """The implicit evaluation time of an engagement condition: 1 h after the participant passed the channel
    activity it reads (15 minutes after a custom one); now when it never passed it."""
    latest = batch.now
    activities = batch.definition.get("Activities") or {}
    for activity_id in message_activities:
        kind = activity_kind(activities.get(activity_id) or {})
        passed = [item[1] for item in step.participant.trail if item[0] == activity_id]
        at = parse_datetime(passed[-1]) if passed else None
        if at is not None and kind in IMPLICIT_WAIT:
            latest = max(latest, at + IMPLICIT_WAIT[kind])
    return latest
