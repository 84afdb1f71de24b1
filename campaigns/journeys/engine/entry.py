"""Segment entries: at starts_at, then every RefreshFrequency (and after a segment change when
RefreshOnSegmentUpdate), the segment's members that are not in yet enter, within the re-entry rules.

On PostgreSQL each chunk of endpoint ids is one INSERT ... SELECT from the segment's compiled SQL ... ON CONFLICT DO
NOTHING in its own transaction, so a million participants enter without leaving the database; elsewhere (the
embedded SQLite default) the members are read in chunks and entered through participants_enter. A pass claims the
journey by moving next_entry_at forward a lease, so two ticks never run the same pass twice at once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Max, Min, Q

from campaigns.journeys.engine.enter import (
    COLUMNS,
    EntryRules,
    entry_counts,
    entry_rules,
    member_of,
    participants_enter,
)
from campaigns.journeys.engine.membership import members, segment_definition
from campaigns.journeys.engine.versions import version_definition
from campaigns.journeys.graph import duration_parse
from campaigns.models import Journey
from segments.models import Endpoint

CHUNK = 50_000  # endpoint ids per INSERT ... SELECT
# A pass that enters this many refreshes the planner's statistics of the participants table: with statistics from
# before it, PostgreSQL believes the journey has a handful of participants and claims due ones by reading and sorting
# all of them (~0.5 s per 2,000-row claim at a million) instead of walking the due index in wake order.
ANALYZE_AFTER = 10_000
LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Refresh:
    segment_id: str
    every: timedelta | None
    on_update: bool


def refresh_settings(definition: dict[str, Any]) -> Refresh:
    """The segment entry's SegmentId, RefreshFrequency and RefreshOnSegmentUpdate."""
    start = (definition.get("StartCondition") or {}).get("SegmentStartCondition") or {}
    every = definition.get("RefreshFrequency")
    try:
        period = duration_parse(every) if every else None
    except ValueError:
        period = None
    return Refresh(str(start.get("SegmentId") or ""), period, bool(definition.get("RefreshOnSegmentUpdate")))


def entries_due(*, now: datetime) -> list[tuple[int, int]]:
    """(tenant id, journey id) of segment journeys whose entry pass is due (a segment change counts when the
    journey refreshes on segment updates)."""
    changed = Journey.objects.filter(
        state=Journey.State.ACTIVE, refreshes__gte=1, segment__updated_at__gt=F("entry_read_at")
    ).filter(Q(next_entry_at__isnull=True) | Q(next_entry_at__gt=now))
    for journey in changed.only("pk", "version", "definition"):
        if refresh_settings(version_definition(journey, journey.version)).on_update:
            Journey.objects.filter(pk=journey.pk, state=Journey.State.ACTIVE).update(next_entry_at=now)
    due = Q(next_entry_at__lte=now) | Q(refreshes=0, next_entry_at__isnull=True, starts_at__lte=now)
    rows = Journey.objects.filter(due, state=Journey.State.ACTIVE, segment__isnull=False, entry_event="")
    return list(rows.values_list("tenant_id", "pk"))


def segment_pass(*, tenant_id: int, journey_id: int, now: datetime, chunk: int = CHUNK) -> int | None:
    """Run one entry pass if it is due and nobody else runs it; None when not claimed, else how many entered."""
    due = Q(next_entry_at__lte=now) | Q(refreshes=0, next_entry_at__isnull=True, starts_at__lte=now)
    claimed = Journey.objects.filter(
        due, pk=journey_id, tenant_id=tenant_id, state=Journey.State.ACTIVE, entry_event=""
    ).update(next_entry_at=now + LEASE)
    if not claimed:
        return None
    journey = Journey.objects.select_related("tenant", "segment").get(pk=journey_id)
    definition = version_definition(journey, journey.version)
    refresh = refresh_settings(definition)
    segment = journey.segment
    entered = 0
    pinned = journey.segment_version
    if segment is not None and (journey.ends_at is None or now < journey.ends_at):
        pinned = None if refresh.on_update else (pinned or segment.version)
        query = members(tenant=journey.tenant, definition=segment_definition(segment.public_id, pinned))
        entered = _pass(journey, definition, query, now, chunk)
        if entered >= ANALYZE_AFTER and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE campaigns_participant")
    following = now + refresh.every if refresh.every else None
    if following is not None and journey.ends_at is not None and following >= journey.ends_at:
        following = None
    Journey.objects.filter(pk=journey_id).update(
        next_entry_at=following, refreshes=F("refreshes") + 1, entry_read_at=now, segment_version=pinned
    )
    return entered


def _pass(journey: Journey, definition: dict[str, Any], query: Any, now: datetime, chunk: int) -> int:
    bounds = Endpoint.objects.filter(tenant_id=journey.tenant_id).aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return 0
    rules = entry_rules(definition)
    entered = 0
    for lo in range(bounds["lo"] - 1, bounds["hi"], chunk):
        if not Journey.objects.filter(pk=journey.pk, state=Journey.State.ACTIVE).exists():
            break  # paused or stopped mid-pass: the rest waits for the next pass
        page = query.filter(pk__gt=lo, pk__lte=lo + chunk)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                entered += _chunk_sql(journey, rules, page, now)
            else:
                rows = [member_of(e, u) for e, u in page.values_list("endpoint_id", "user_id")]
                version = journey.version
                entered += len(
                    participants_enter(
                        journey=journey, version=version, definition=definition, members=rows, now=now
                    ).ids
                )
    return entered


_MEMBERS = """m AS (
    SELECT DISTINCT CASE WHEN s.user_id <> '' THEN 'user' ELSE 'endpoint' END AS kind,
           CASE WHEN s.user_id <> '' THEN s.user_id ELSE s.endpoint_id END AS key
    FROM (@members) s)"""

_INSERT = f"""INSERT INTO campaigns_participant ({COLUMNS})
    SELECT %s, %s, %s, c.kind, c.key, @entry, %s, 'waiting', %s, 0, %s, %s, '', '[]'::jsonb, '{{}}'::jsonb
    FROM @source c @where ON CONFLICT (journey_id, key, entry) DO NOTHING RETURNING 1"""  # noqa: S608


def _insert(entry: str, source: str, where: str) -> str:
    return _INSERT.replace("@entry", entry).replace("@source", source).replace("@where", where)


# EndpointReentryCap 1 (the default): a key enters once, so the unique (journey, key, entry) index alone decides.
_ONCE = f"""WITH {_MEMBERS}, ins AS ({_insert("1", "m", "")})
    SELECT 'entered', count(*) FROM ins UNION ALL SELECT 'members', count(*) FROM m"""  # noqa: S608

_AGAIN = f"""WITH {_MEMBERS},
p AS (SELECT key, max(entry) AS last_entry, max(entered_at) AS last_at, bool_or(state = 'waiting') AS inside
      FROM campaigns_participant WHERE journey_id = %s AND key IN (SELECT key FROM m) GROUP BY key),
c AS (SELECT m.kind, m.key, COALESCE(p.last_entry, 0) + 1 AS entry,
        CASE WHEN p.key IS NULL THEN ''
             WHEN %s > 0 AND p.last_entry >= %s THEN 'reentry_cap'
             WHEN p.inside THEN 'in_journey'
             WHEN p.last_at > %s THEN 'reentry_interval' ELSE '' END AS refused
      FROM m LEFT JOIN p ON p.key = m.key),
ins AS ({_insert("c.entry", "c", "WHERE c.refused = ''")})
SELECT 'entered', count(*) FROM ins UNION ALL SELECT refused, count(*) FROM c WHERE refused <> '' GROUP BY refused"""  # noqa: S608


def _chunk_sql(journey: Journey, rules: EntryRules, page: Any, now: datetime) -> int:
    """One INSERT ... SELECT for a chunk of the segment; counts entries and refusals in the same transaction."""
    sql, params = page.values("endpoint_id", "user_id").query.sql_with_params()
    insert = [journey.tenant_id, journey.pk, journey.version, rules.start, now, now, now]
    if rules.cap == 1:
        statement, args = _ONCE.replace("@members", sql), [*params, *insert]
    else:
        checks = [journey.pk, rules.cap, rules.cap, now - rules.interval]
        statement, args = _AGAIN.replace("@members", sql), [*params, *checks, *insert]
    with connection.cursor() as cursor:
        cursor.execute(statement, args)
        result = dict(cursor.fetchall())
    entered = int(result.pop("entered", 0))
    refused: Counter[str] = Counter()
    if rules.cap == 1:
        if journey.refreshes:  # on the first pass a user met twice is not a refused re-entry
            refused["reentry_cap"] = int(result.get("members", 0)) - entered
    else:
        refused.update({k: int(v) for k, v in result.items()})
    entry_counts(journey=journey, start=rules.start, entered=entered, refused=refused)
    return entered
