"""The highest Event id the export may read up to without skipping an event that commits later.

PostgreSQL hands out ids when rows are inserted, not when they commit: transaction A can take id 100,
transaction B id 101, and B can commit first. A cursor that moved past 101 would never see 100. So the
export reads only up to a watermark below which every id is settled (committed or rolled back):

1. every writer of events takes its transaction id before it takes Event ids (`transaction_id_assign`);
2. a sample reads the sequence's last id L, then the transactions in progress in this database;
3. once all of those have finished, every id <= L is settled, and L becomes the watermark.

A sample with no writer in progress counts at once; otherwise it waits in Redis for a later call. On
SQLite writers are serialized (ids commit in order), so there is no watermark.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection

from engage.events.models import Event
from engage.redis import redis_client

_WATERMARK = "engage:events:watermark"
_PENDING = "engage:events:watermark:pending"
_PENDING_TTL = 24 * 3600

# Raise the watermark, never lower it (several workers sample concurrently).
_RAISE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local proposed = tonumber(ARGV[1])
if proposed > current then redis.call('SET', KEYS[1], ARGV[1]) return proposed end
return current
"""
# Drop the pending sample only if it is still the one this caller checked.
_DROP_IF_SAME = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def transaction_id_assign() -> None:
    """Give the current PostgreSQL transaction its id before it takes Event ids (step 1 above)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()")


def _sample() -> tuple[int, list[list[Any]]]:
    """The last Event id handed out, then the (pid, xid) of every other writer in progress in this database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence(%s, 'id')::regclass), 0)",
            [Event._meta.db_table],
        )
        last = int(cursor.fetchone()[0])
        writers = _writers(cursor)
    return last, writers


def _writers(cursor: Any) -> list[list[Any]]:
    # pg_stat_activity is cached per transaction; clear it so that a caller inside one sees the present.
    cursor.execute("SELECT pg_stat_clear_snapshot()")
    cursor.execute(
        "SELECT pid, backend_xid::text FROM pg_stat_activity "
        "WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
    )
    return [[pid, xid] for pid, xid in cursor.fetchall()]


def _finished(writers: list[list[Any]]) -> bool:
    if not writers:
        return True
    with connection.cursor() as cursor:
        current = {(pid, xid) for pid, xid in _writers(cursor)}
    return not any((pid, xid) in current for pid, xid in writers)


def export_watermark() -> int | None:
    """The id up to which events are settled (None: no limit on this database)."""
    if connection.vendor != "postgresql":
        return None
    client = redis_client()
    pending = client.get(_PENDING)
    if pending is not None:
        sample = json.loads(pending)
        if _finished(sample["writers"]):
            client.eval(_RAISE, 1, _WATERMARK, int(sample["last"]))
            client.eval(_DROP_IF_SAME, 1, _PENDING, pending)
    last, writers = _sample()
    if not writers:
        return int(client.eval(_RAISE, 1, _WATERMARK, last))
    # Keep the oldest pending sample until it settles: replacing it on every call could starve it.
    client.set(_PENDING, json.dumps({"last": last, "writers": writers}), nx=True, ex=_PENDING_TTL)
    return int(client.get(_WATERMARK) or 0)
