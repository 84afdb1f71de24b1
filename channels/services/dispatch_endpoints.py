"""Set-based planning of ledger rows addressed by endpoint id or by UserId (PostgreSQL): the endpoints are looked up,
keyed and inserted by one INSERT ... SELECT, so no endpoint becomes a Python object. A journey send step without
caps, webhook or timing uses it (campaigns/journeys/engine/sends.py); the per-recipient path is
dispatch.deliveries_enqueue_bulk."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from channels.models import Dispatch, Status
from channels.services.dispatch import chunk_number_take
from engage import clock

MAX_KEY = 255  # Delivery.key; a longer "<key>:<endpoint id>" ends in ":#" and 40 hex digits of the id's SHA-256


@dataclass(frozen=True)
class Addressed:
    """What one addressee came to: its endpoints (any channel type), those of the dispatch's types, rows inserted
    (fewer than `matching` when keys were already in the ledger: a replay)."""

    endpoints: int
    matching: int
    inserted: int


# The addressees travel as one JSON array of [ref, by_user, id, key] (psycopg's client-side dumping of four Python
# lists cost more per addressee than the statement's work for it).
_STATEMENT = """WITH a AS MATERIALIZED (
    SELECT (v->>0)::bigint AS ref, (v->>1)::boolean AS by_user, v->>2 AS id, v->>3 AS key
    FROM jsonb_array_elements(%(addressees)s::jsonb) AS r(v)
),
t AS MATERIALIZED (
    SELECT a.ref, a.key AS key, e.endpoint_id, e.user_id, e.channel_type
    FROM a JOIN segments_endpoint e ON e.tenant_id = %(tenant)s AND e.endpoint_id = a.id
    WHERE NOT a.by_user
    UNION ALL
    SELECT a.ref,
        CASE WHEN length(a.key) + 1 + length(e.endpoint_id) <= %(max_key)s THEN a.key || ':' || e.endpoint_id
        ELSE a.key || ':#' || left(encode(sha256(convert_to(e.endpoint_id, 'UTF8')), 'hex'), 40) END,
        e.endpoint_id, e.user_id, e.channel_type
    FROM a JOIN segments_endpoint e ON e.tenant_id = %(tenant)s AND e.user_id = a.id
    WHERE a.by_user
),
inserted AS (
    INSERT INTO channels_delivery (tenant_id, dispatch_id, chunk, key, channel, endpoint_id, user_id, address,
        context, status, reason, status_message, provider_message_id, attempts, queued_at, updated_at, parts,
        price_millicents)
    SELECT %(tenant)s, %(dispatch)s, %(chunk)s, t.key, %(channel)s, t.endpoint_id, t.user_id, '', NULL,
        %(queued)s, '', '', '', 0, %(now)s, %(now)s, 0, 0
    FROM t WHERE t.channel_type = ANY(%(types)s)
    ON CONFLICT (tenant_id, key) DO NOTHING
    RETURNING key
)
SELECT t.ref, count(*), count(*) FILTER (WHERE t.channel_type = ANY(%(types)s)), count(i.key)
FROM t LEFT JOIN inserted i ON i.key = t.key
GROUP BY t.ref"""


def deliveries_enqueue_endpoints(
    *,
    dispatch: Dispatch,
    refs: Sequence[int],
    by_user: Sequence[bool],
    ids: Sequence[str],
    keys: Sequence[str],
    types: Collection[str],
) -> dict[int, Addressed]:
    """Queue one ledger row per endpoint of each addressee whose channel type is in `types`: addressee i is the
    endpoint `ids[i]` (by_user false) or every endpoint of UserId `ids[i]` (its keys get ":<endpoint id>"), keyed
    `keys[i]`. The rows form one new chunk, whose send task is enqueued when the caller's transaction commits.
    Returns what each ref came to; a ref with no endpoint at all is absent."""
    from channels.tasks import chunk_enqueue

    if connection.vendor != "postgresql":
        raise RuntimeError("set-based planning needs PostgreSQL; use deliveries_enqueue_bulk")
    if not refs:
        return {}
    now = clock.now()
    with transaction.atomic():
        chunk = chunk_number_take(dispatch)
        params: dict[str, Any] = {
            "addressees": json.dumps(list(zip(refs, by_user, ids, keys, strict=True))),
            "tenant": dispatch.tenant_id,
            "max_key": MAX_KEY,
            "dispatch": dispatch.pk,
            "chunk": chunk,
            "channel": dispatch.channel,
            "queued": Status.QUEUED,
            "now": now,
            "types": sorted(types),
        }
        with connection.cursor() as cursor:
            cursor.execute(_STATEMENT, params)
            out = {int(ref): Addressed(int(e), int(m), int(i)) for ref, e, m, i in cursor.fetchall()}
        if any(a.inserted for a in out.values()):
            transaction.on_commit(lambda: chunk_enqueue(dispatch.tenant_id, dispatch.pk, chunk))
    return out
