"""What the advancer hands an activity executor and what it gets back. The advancer claims due participants, groups
them by (journey, version, activity), calls the executor registered for the activity's kind with the batch, and
applies the outcomes in the same transaction (next activity, wake time, trail, data, counters, step + 1)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from campaigns.models import Journey, Participant


@dataclass
class Step:
    """One claimed participant at one activity of the definition it entered with."""

    participant: Participant
    activity_id: str
    activity: dict[str, Any]


@dataclass
class Outcome:
    """Where a participant goes after its step.

    next_activity: the activity to run next; the same activity id with a wake_at means "run me again then" (a split
    waiting for its evaluation time, a send held by quiet time); None means the participant leaves the journey.
    wake_at: when next_activity runs (None: at once, in the same advancer pass if it has room).
    outcome: one short word or two for the participant's trail ("sent", "branch:a3", "held:quiet_time", ...).
    """

    next_activity: str | None
    wake_at: datetime | None = None
    outcome: str = ""
    exit_reason: str = ""
    counts: list[tuple[str, str]] = field(default_factory=list)  # (activity id or "" for journey level, metric)
    data: dict[str, Any] | None = None  # merged into participant.data


@dataclass(frozen=True)
class Batch:
    """Participants of one journey version at one activity, due now."""

    journey: Journey
    definition: dict[str, Any]
    activity_id: str
    kind: str
    steps: Sequence[Step]
    now: datetime


Executor = Callable[[Batch], list[Outcome]]  # one Outcome per step, in order

_executors: dict[str, Executor] = {}


def executor(*kinds: str) -> Callable[[Executor], Executor]:
    """Register the function that runs activities of these kinds (see campaigns.journeys.graph.KINDS)."""

    def register(fn: Executor) -> Executor:
        for kind in kinds:
            _executors[kind] = fn
        return fn

    return register


def executor_for(kind: str) -> Executor:
    """The executor of a kind; a KeyError names a kind nobody registered (the definition checks make it rare)."""
    return _executors[kind]
