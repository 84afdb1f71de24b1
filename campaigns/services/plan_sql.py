"""Set-based planning of one chunk on PostgreSQL: the next keyset page of the segment goes into the ledger in one
INSERT ... SELECT that computes each row's key, its holdout/treatment (the SHA-256 of plan.bucket() in SQL), its
timing (a map per time zone string worked out in Python) and its dispatch's chunk number. No member becomes a
Python object. Used when the run has no caps and no hook (those need each member in Python: caps_reserve and the
hook's HTTP calls); plan.Planner.chunk keeps that path."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from campaigns.models import Campaign
from campaigns.services.hook import hook_url
from channels.models import Status

if TYPE_CHECKING:
    from campaigns.services.plan import Planner


def _word(offset: int) -> str:
    """Four digest bytes from `offset` as an unsigned big-endian number (int.from_bytes(digest[o:o+4], "big"))."""
    return " + ".join(f"get_byte(d, {offset + i})::bigint * {256 ** (3 - i)}" for i in range(4))


def treatment_sql(campaign: Campaign) -> tuple[str, list[Any]]:
    """A SQL CASE over `d` (sha256 of '<campaign>:<endpoint>') giving plan.treatment_for()'s answer (NULL: held
    out), and its parameters."""
    cases = [f"WHEN ({_word(0)}) %% 10000 < %s THEN NULL"]
    params: list[Any] = [campaign.holdout_percent * 100]
    edge = 0
    for treatment in campaign.additional_treatments:
        edge += int(treatment["SizePercent"])
        cases.append(f"WHEN ({_word(4)}) %% 100 < %s THEN %s")
        params += [edge, str(treatment["Id"])]
    return f"CASE {' '.join(cases)} ELSE '0' END", params


def digest_sql(column: str) -> str:
    """sha256 of '<campaign>:<value>' as plan.bucket() hashes it (the campaign id is the first parameter)."""
    return f"sha256(convert_to(%s || ':' || {column}, 'UTF8'))"


def plan_sql_supported(planner: Planner) -> bool:
    """Whether a run can be planned set-based: PostgreSQL, no caps to reserve, no FILTER hook to call."""
    return connection.vendor == "postgresql" and not planner.caps and not hook_url(planner.campaign)


@dataclass(frozen=True)
class ChunkResult:
    last_pk: int
    planned: int
    held_out: int
    sends: list[tuple[int, int]]  # (dispatch id, chunk number) of each dispatch given queued rows


_STATEMENT = """WITH chunk (id, endpoint_id, user_id, timezone) AS MATERIALIZED ({members}),
assigned AS (
    SELECT c.*, {treatment} AS treatment
    FROM (SELECT c.*, {digest} AS d FROM chunk c) c
),
timing AS (
    SELECT t.key AS tz, t.value->>'status' AS status, t.value->>'reason' AS reason,
        (t.value->>'until')::timestamptz AS until
    FROM jsonb_each(%s::jsonb) t
),
targets AS (
    SELECT t.key AS treatment, d.id AS dispatch_id, d.chunks AS chunk
    FROM jsonb_each_text(%s::jsonb) t JOIN channels_dispatch d ON d.id = t.value::bigint
    ORDER BY d.id FOR UPDATE OF d
),
planned AS (
    SELECT a.endpoint_id, a.user_id, g.dispatch_id, g.chunk, COALESCE(t.status, %s) AS status,
        COALESCE(t.reason, '') AS reason, t.until
    FROM assigned a JOIN targets g ON g.treatment = a.treatment LEFT JOIN timing t ON t.tz = a.timezone
),
inserted AS (
    INSERT INTO channels_delivery (tenant_id, dispatch_id, chunk, key, channel, endpoint_id, user_id, address,
        context, status, reason, status_message, provider_message_id, attempts, queued_at, updated_at, parts,
        price_millicents, not_before)
    SELECT %s, p.dispatch_id, p.chunk, %s || p.endpoint_id, %s, p.endpoint_id, p.user_id, '', NULL, p.status,
        p.reason, '', '', 0, %s, %s, 0, 0, p.until
    FROM planned p
    ON CONFLICT (tenant_id, key) DO NOTHING
),
numbered AS (
    UPDATE channels_dispatch d SET chunks = g.chunk + 1 FROM targets g
    WHERE d.id = g.dispatch_id AND EXISTS (SELECT 1 FROM planned p WHERE p.dispatch_id = g.dispatch_id)
)
SELECT (SELECT max(id) FROM chunk), (SELECT count(*) FROM planned),
    (SELECT count(*) FROM assigned WHERE treatment IS NULL),
    (SELECT COALESCE(jsonb_agg(DISTINCT jsonb_build_array(dispatch_id, chunk)), '[]') FROM planned
     WHERE status = %s)"""


def chunk_plan_sql(planner: Planner, *, cursor: int, size: int, now: datetime) -> ChunkResult | None:
    """Plan the members after `cursor` (up to `size`) in one statement; None when the segment is exhausted. Runs in
    the caller's transaction (the run row locked) and enqueues the send tasks after its commit."""
    from channels.tasks import chunk_enqueue

    campaign, run = planner.campaign, planner.run
    members_sql, members_params = (
        planner.members.filter(pk__gt=cursor)
        .order_by("pk")
        .values_list("pk", "endpoint_id", "user_id", "timezone")[:size]
        .query.sql_with_params()
    )
    timing = _timing_map(planner, members_sql, list(members_params), now)
    treatment, treatment_params = treatment_sql(campaign)
    targets = {t: d.pk for t, d in planner.dispatches.items() if ">" not in t}  # fallback hops get no chunk rows
    sql = _STATEMENT.format(members=members_sql, treatment=treatment, digest=digest_sql("c.endpoint_id"))
    params: list[Any] = [
        *members_params,
        *treatment_params,
        str(campaign.pk),
        json.dumps(timing),
        json.dumps(targets),
        Status.QUEUED,
        campaign.tenant_id,
        f"c{campaign.pk}:r{run.pk}:",
        campaign.channel,
        now,
        now,
        Status.QUEUED,
    ]
    with connection.cursor() as db:
        db.execute(sql, params)
        last_pk, planned, held_out, sends = db.fetchone()
    if last_pk is None:
        return None
    sends = [(int(d), int(c)) for d, c in (json.loads(sends) if isinstance(sends, str) else sends)]
    for dispatch_id, chunk in sends:
        transaction.on_commit(lambda d=dispatch_id, c=chunk: chunk_enqueue(campaign.tenant_id, d, c))  # type: ignore[misc]
    counted = "0" in (planner.treatments or {"0"})  # the holdout is counted once, by the campaign's own run
    return ChunkResult(last_pk=last_pk, planned=planned, held_out=held_out if counted else 0, sends=sends)


def _timing_map(planner: Planner, members_sql: str, params: list[Any], now: datetime) -> dict[str, Any]:
    """(status, reason, until) per time zone string of the chunk's members; empty (all queued now) when the run
    has neither local time nor quiet time. A string missing from the map (its endpoint changed zone since this
    read) is planned queued."""
    if not planner.campaign.is_local_time and planner.quiet is None:
        return {}
    with connection.cursor() as db:
        db.execute(f"SELECT DISTINCT c.tz FROM ({members_sql}) AS c(id, endpoint_id, user_id, tz)", params)  # noqa: S608
        zones = [row[0] for row in db.fetchall()]
    out = {}
    for name in zones:
        status, reason, until = planner.timing_of(name, now)
        out[name] = {"status": status, "reason": reason, "until": until.isoformat() if until else None}
    return out
