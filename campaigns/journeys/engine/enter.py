"""Entering participants into a journey: the re-entry rules (EndpointReentryCap, default 1, 0 = unlimited;
EndpointReentryInterval between two entries of the same key; never twice at the same time) and the insert of the
accepted ones at the start activity, due at once; each refusal is kept per key (engine/refusals.py) for the
participants lookup. Used for event entries and wherever members come as a list; the segment pass on PostgreSQL
applies the same rules in SQL (entry.py) and only counts its refusals: there a refusal is a member who already
entered on an earlier refresh, which the lookup shows as its participant row."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Q

from campaigns.journeys.engine.counts import CountKey, counts_add
from campaigns.journeys.engine.refusals import refusals_record
from campaigns.journeys.graph import duration_parse
from campaigns.models import Journey, Participant

INSERT_ROWS = 1000  # 13 parameters a row: well under PostgreSQL's 65,535 per statement
COLUMNS = (
    "tenant_id, journey_id, version, kind, key, entry, activity, state, wake_at, step, entered_at, updated_at, "
    "exit_reason, trail, data"
)


@dataclass(frozen=True)
class EntryRules:
    start: str
    cap: int  # entries per key; 0 = unlimited
    interval: timedelta


@dataclass(frozen=True)
class Member:
    kind: str
    key: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Entered:
    ids: list[int] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)


def entry_rules(definition: dict[str, Any]) -> EntryRules:
    """The start activity and re-entry limits of a published definition."""
    limits = definition.get("Limits") or {}
    cap = limits.get("EndpointReentryCap")
    interval = limits.get("EndpointReentryInterval")
    try:
        gap = duration_parse(interval) if interval else timedelta(0)
    except ValueError:
        gap = timedelta(0)
    return EntryRules(
        start=str(definition.get("StartActivity") or ""),
        cap=1 if cap is None else max(int(cap), 0),
        interval=gap,
    )


def member_of(endpoint_id: str, user_id: str, data: dict[str, Any] | None = None) -> Member:
    """An endpoint enters as its user when it has a UserId (all the user's endpoints travel together)."""
    if user_id:
        return Member(Participant.Kind.USER, user_id, data or {})
    return Member(Participant.Kind.ENDPOINT, endpoint_id, data or {})


def _refusal(rules: EntryRules, last: Mapping[str, Any] | None, now: datetime) -> str:
    if last is None:
        return ""
    if rules.cap and last["entry"] >= rules.cap:
        return "reentry_cap"
    if last["inside"]:
        return "in_journey"
    if rules.interval and last["entered_at"] > now - rules.interval:
        return "reentry_interval"
    return ""


def participants_enter(
    *, journey: Journey, version: int, definition: dict[str, Any], members: Sequence[Member], now: datetime
) -> Entered:
    """Enter the members the re-entry rules accept (the caller's transaction); count entries and refusals."""
    rules = entry_rules(definition)
    out = Entered()
    if not rules.start or not members:
        return out
    unique = list({m.key: m for m in reversed(members)}.values())[::-1]  # one per key, the first one kept
    last = {
        row["key"]: row
        for row in Participant.objects.filter(journey=journey, key__in=[m.key for m in unique])
        .values("key")
        .annotate(
            entry=Max("entry"),
            entered_at=Max("entered_at"),
            inside=Count("id", filter=Q(state=Participant.State.WAITING)),
        )
    }
    accepted: list[tuple[Member, int]] = []
    refusals: list[tuple[str, str, str]] = []
    for m in unique:
        reason = _refusal(rules, last.get(m.key), now)
        if reason:
            out.refused[reason] += 1
            refusals.append((m.kind, m.key, reason))
        else:
            accepted.append((m, last[m.key]["entry"] + 1 if m.key in last else 1))
    for start in range(0, len(accepted), INSERT_ROWS):
        out.ids += _insert(journey, version, rules.start, accepted[start : start + INSERT_ROWS], now)
    entry_counts(journey=journey, start=rules.start, entered=len(out.ids), refused=out.refused)
    refusals_record(journey=journey, refused=refusals, now=now)
    return out


def _insert(journey: Journey, version: int, start: str, rows: list[tuple[Member, int]], now: datetime) -> list[int]:
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, 'waiting', %s, 0, %s, %s, '', '[]', %s)"] * len(rows))
    params: list[Any] = []
    for m, entry in rows:
        params += [
            journey.tenant_id,
            journey.pk,
            version,
            m.kind,
            m.key,
            entry,
            start,
            now,
            now,
            now,
            json.dumps(m.data),
        ]
    sql = f"""INSERT INTO campaigns_participant ({COLUMNS}) VALUES {values}
        ON CONFLICT (journey_id, key, entry) DO NOTHING RETURNING id"""  # noqa: S608 (placeholders only)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def entry_counts(*, journey: Journey, start: str, entered: int, refused: Counter[str]) -> None:
    """Count entries at the journey level and at the start activity, and refusals by reason."""
    counts: Counter[CountKey] = Counter()
    t, j = journey.tenant_id, journey.pk
    counts[(t, j, "", "entered")] += entered
    counts[(t, j, start, "entered")] += entered
    for reason, n in refused.items():
        counts[(t, j, "", f"entry_refused:{reason}")] += n
    counts_add(counts)
