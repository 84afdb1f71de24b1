"""The advancer: claims due participants (waiting, wake_at ≤ now, journey ACTIVE or CLOSED) with SELECT ... FOR
UPDATE SKIP LOCKED in chunks, groups them into batches of (journey, version, activity), runs the executor of each
activity's kind and writes every outcome back in one UPDATE, with the counters, in the same transaction. A
participant whose next step is due at once takes it in the same pass (a bounded number of hops).

Crash-safe: the claim, the executors' writes (ledger rows of sends, keyed j<journey>:<participant>:<activity>) and
the outcome commit together or not at all, so a chunk whose transaction dies is retaken whole and no participant
takes a step twice. One transaction never spans more than one chunk."""

from __future__ import annotations

import json
import logging
import random
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models.base import ModelState

# Importing the executor modules registers the executors of every activity kind.
from campaigns.journeys.engine import activities, sends  # noqa: F401
from campaigns.journeys.engine.counts import CountKey, counts_add
from campaigns.journeys.engine.step import Batch, Executor, Outcome, Step, executor_for
from campaigns.journeys.engine.versions import version_definition
from campaigns.journeys.graph import activity_kind
from campaigns.models import Journey, Participant
from engage import clock

log = logging.getLogger(__name__)

CHUNK = 2000
MAX_HOPS = 25  # steps one participant may take in one pass (definitions have no cycles; this bounds a bad one)
RETRY = timedelta(minutes=1)  # a batch whose executor failed is retried this much later

# Columns a step never reads (the advancer sets them) come back as NULL: fewer timestamps to parse per row.
_UNREAD = {"wake_at", "updated_at", "exited_at"}
_FIELDS = [f.attname for f in Participant._meta.concrete_fields]
_CLAIM = f"""SELECT {", ".join("NULL" if f in _UNREAD else f"p.{f}" for f in _FIELDS)} FROM campaigns_participant p
WHERE p.journey_id = %s AND p.state = 'waiting' AND p.wake_at <= %s @ids
ORDER BY p.wake_at LIMIT %s FOR UPDATE OF p SKIP LOCKED"""  # noqa: S608 (column names only)
_JSON = [i for i, f in enumerate(_FIELDS) if f in ("trail", "data")]

# The trail and data get only what this pass added (jsonb ||: array append, top-level key merge), so a long trail
# is not encoded and sent back whole at every step. Participants that moved alike (same place, same trail entries and
# data added: most of a chunk, usually) share one outcome row; each participant is an (id, outcome row) pair.
_WRITE = """UPDATE campaigns_participant p SET activity = o.activity, state = o.state, wake_at = o.wake_at,
    step = p.step + o.hops, trail = p.trail || o.trail, data = p.data || o.data, exit_reason = o.exit_reason,
    exited_at = o.exited_at, updated_at = %s
FROM unnest(%s::bigint[], %s::integer[]) AS m(id, o)
JOIN jsonb_to_recordset(%s::jsonb) AS o(o integer, activity text, state text, wake_at timestamptz, hops integer,
    trail jsonb, data jsonb, exit_reason text, exited_at timestamptz) ON o.o = m.o
WHERE p.id = m.id"""


def _claim(now: datetime, limit: int, journey_id: int | None, ids: Sequence[int] | None) -> list[Participant]:
    """Lock up to `limit` due participants of running journeys, a journey at a time (most due first)."""
    running = Journey.objects.filter(state__in=Journey.RUNNING)
    if journey_id is not None:
        running = running.filter(pk=journey_id)
    journeys = list(running.values_list("pk", flat=True))
    random.shuffle(journeys)  # concurrent advancers start on different journeys
    claimed: list[Participant] = []
    for pk in journeys:
        if len(claimed) >= limit:
            break
        claimed += _claim_journey(pk, now, limit - len(claimed), ids)
    return claimed


def _claim_journey(journey_id: int, now: datetime, limit: int, ids: Sequence[int] | None) -> list[Participant]:
    if connection.vendor != "postgresql":
        rows = Participant.objects.filter(journey_id=journey_id, state=Participant.State.WAITING, wake_at__lte=now)
        if ids is not None:
            rows = rows.filter(pk__in=list(ids))
        return list(rows.order_by("wake_at")[:limit])
    sql = _CLAIM.replace("@ids", "AND p.id = ANY(%s)" if ids is not None else "")
    params: list[Any] = [journey_id, now, *([list(ids)] if ids is not None else []), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    claimed = []
    alias = connection.alias  # read once: each read goes through the connection proxy's thread-local lookup
    for row in rows:
        values = list(row)
        for i in _JSON:
            value = values[i]
            if isinstance(value, str):
                values[i] = {} if value == "{}" else [] if value == "[]" else json.loads(value)
        claimed.append(_participant(values, alias))
    return claimed


def _participant(values: list[Any], alias: str) -> Participant:
    """A model instance from a claimed row without Model.__init__ (a fifth of a chunk's time at 2,000 rows)."""
    participant = Participant.__new__(Participant)
    participant.__dict__.update(zip(_FIELDS, values, strict=True))
    participant._state = ModelState()
    participant._state.adding = False
    participant._state.db = alias
    return participant


class Pass:
    """One chunk's steps: every claimed participant moves until it waits, leaves, or runs out of hops."""

    def __init__(self, participants: list[Participant], now: datetime) -> None:
        self.now = now
        self.stamp = now.isoformat(timespec="seconds")
        self.participants = participants
        self.journeys = {
            j.pk: j
            for j in Journey.objects.select_related("tenant").filter(pk__in={p.journey_id for p in participants})
        }
        self.counts: Counter[CountKey] = Counter()
        # What this pass appended to each participant's trail and merged into its data (written with jsonb ||).
        self.trail_added: dict[int, tuple[tuple[str, str, str], ...]] = {}
        self.data_added: dict[int, dict[str, Any]] = defaultdict(dict)

    def run(self) -> None:
        todo = self.participants
        for _ in range(MAX_HOPS):
            groups: dict[tuple[int, int, str], list[Participant]] = defaultdict(list)
            for p in todo:
                groups[(p.journey_id, p.version, p.activity)].append(p)
            todo = []
            for (journey_id, version, activity_id), group in groups.items():
                todo += self._batch(self.journeys[journey_id], version, activity_id, group)
            if not todo:
                return
        for p in todo:
            p.wake_at = self.now  # out of hops: due again, the next pass carries on

    def _batch(self, journey: Journey, version: int, activity_id: str, group: list[Participant]) -> list[Participant]:
        definition = version_definition(journey, version)
        activity = (definition.get("Activities") or {}).get(activity_id)
        if activity is None:
            return self._apply(group, [Outcome(None, outcome="missing", exit_reason="missing_activity")] * len(group))
        kind = activity_kind(activity)
        try:
            run: Executor | None = executor_for(kind)
        except KeyError:
            run = None
        if run is None:
            outcome = Outcome(None, outcome=f"unsupported:{kind or 'none'}", exit_reason="unsupported_activity")
            return self._apply(group, [outcome] * len(group))
        steps = [Step(participant=p, activity_id=activity_id, activity=activity) for p in group]
        batch = Batch(
            journey=journey, definition=definition, activity_id=activity_id, kind=kind, steps=steps, now=self.now
        )
        try:
            with transaction.atomic():  # a savepoint: a failing executor undoes only its own writes
                outcomes = run(batch)
            if len(outcomes) != len(group):
                raise ValueError(f"the {kind} executor returned {len(outcomes)} outcomes for {len(group)} steps")
        except Exception:
            log.exception("journey %s: the %s activity %s failed; retrying later", journey.pk, kind, activity_id)
            outcomes = [Outcome(activity_id, wake_at=self.now + RETRY, outcome="error")] * len(group)
        return self._apply(group, outcomes)

    def _apply(self, group: list[Participant], outcomes: Sequence[Outcome]) -> list[Participant]:
        """Move the participants in memory; returns those due again at once."""
        again = []
        counts, trails, stamp = self.counts, self.trail_added, self.stamp
        for p, o in zip(group, outcomes, strict=True):
            here = p.activity
            t, j, pk = p.tenant_id, p.journey_id, p.id
            p.step += 1
            entry = (here, stamp, o.outcome)
            p.trail = [*p.trail, entry]
            trails[pk] = (*trails.get(pk, ()), entry)
            if o.data:
                p.data = {**p.data, **o.data}
                self.data_added[pk].update(o.data)
            for activity, metric in o.counts:
                counts[(t, j, activity, metric)] += 1
            if o.next_activity is None:
                reason = o.exit_reason or "completed"
                p.state, p.wake_at, p.exited_at, p.exit_reason = Participant.State.DONE, None, self.now, reason
                counts[(t, j, here, "done")] += 1
                counts[(t, j, "", "completed" if reason == "completed" else f"exited:{reason}")] += 1
                continue
            if o.next_activity != here:
                counts[(t, j, here, "done")] += 1
                counts[(t, j, o.next_activity, "entered")] += 1
                p.activity = o.next_activity
            if o.wake_at is None or o.wake_at <= self.now:
                p.wake_at = self.now
                again.append(p)
            else:
                p.wake_at = o.wake_at
        return again

    def write(self) -> None:
        """Every participant's new position in one statement, then the counters."""
        if connection.vendor == "postgresql":
            ids, indexes, outcomes = self._outcome_rows()
            with connection.cursor() as cursor:
                # Integer arrays as literals: psycopg's dumping of a Python list costs microseconds per element.
                literals = ["{" + ",".join(map(str, values)) + "}" for values in (ids, indexes)]
                cursor.execute(_WRITE, [self.now, *literals, json.dumps(outcomes, default=str)])
        else:
            for p in self.participants:
                p.updated_at = self.now
            fields = ["activity", "state", "wake_at", "step", "trail", "data", "exit_reason", "exited_at", "updated_at"]
            Participant.objects.bulk_update(self.participants, fields, batch_size=500)
        counts_add(self.counts)

    def _outcome_rows(self) -> tuple[list[int], list[int], list[dict[str, Any]]]:
        """(participant ids, the index of each one's outcome row, the distinct outcome rows)."""
        found: dict[tuple[Any, ...], int] = {}
        rows: list[dict[str, Any]] = []
        ids, indexes = [], []
        no_trail: tuple[tuple[str, str, str], ...] = ()
        for p in self.participants:
            pk = p.id
            trail = self.trail_added.get(pk, no_trail)
            data = self.data_added.get(pk)
            data_key = json.dumps(data, sort_keys=True, default=str) if data else ""
            key = (p.activity, p.state, p.wake_at, trail, data_key, p.exit_reason, p.exited_at)
            index = found.get(key)
            if index is None:
                index = found[key] = len(rows)
                rows.append(
                    {
                        "o": index,
                        "activity": p.activity,
                        "state": p.state,
                        "wake_at": p.wake_at.isoformat() if p.wake_at else None,
                        "hops": len(trail),
                        "trail": trail,
                        "data": data or {},
                        "exit_reason": p.exit_reason,
                        "exited_at": p.exited_at.isoformat() if p.exited_at else None,
                    }
                )
            ids.append(pk)
            indexes.append(index)
        return ids, indexes, rows


def advance_chunk(
    *, now: datetime | None = None, limit: int = CHUNK, journey_id: int | None = None, ids: Sequence[int] | None = None
) -> int:
    """Claim up to `limit` due participants and move each as far as it goes now; returns how many were claimed."""
    now = now or clock.now()
    with transaction.atomic():
        claimed = _claim(now, limit, journey_id, ids)
        if not claimed:
            return 0
        step = Pass(claimed, now)
        step.run()
        step.write()
    return len(claimed)


def advance_ids(*, ids: Sequence[int], journey_id: int | None = None) -> int:
    """Take the due steps of these participants now (event entry: the first step runs without waiting)."""
    moved = 0
    for start in range(0, len(ids), CHUNK):
        moved += advance_chunk(ids=ids[start : start + CHUNK], journey_id=journey_id)
    return moved


def advance_run(*, budget_seconds: float = 30.0, journey_id: int | None = None, limit: int = CHUNK) -> tuple[int, bool]:
    """Advance chunk after chunk until nothing is due or the time budget is spent: (moved, more may be due)."""
    deadline = time.monotonic() + budget_seconds
    moved = 0
    while True:
        n = advance_chunk(journey_id=journey_id, limit=limit)
        moved += n
        if n < limit:
            return moved, False
        if time.monotonic() >= deadline:
            return moved, True


def due_exists(*, now: datetime) -> bool:
    """Whether any participant of a running journey is due."""
    return Participant.objects.filter(
        state=Participant.State.WAITING, wake_at__lte=now, journey__state__in=Journey.RUNNING
    ).exists()
