"""Journey segment entry: N endpoints (each its own user) in a segment; one entry pass of a published journey
(WAIT 1 h then SEND) timed from the pass's start to its commit — on PostgreSQL chunked INSERT ... SELECT from the
segment's compiled SQL. Checks every member entered once. The floor: a raw COPY of N participant rows into a twin
of the table (same columns and indexes, logged) on the same machine."""

from __future__ import annotations

import io
import time
from typing import Any

from django.db import connection

from bench._common import bench_tenant, machine
from bench._journeys import journey_setup, journeys_cleanup, load
from bench.send_sandbox import _endpoints

DEFAULT_N = 1_000_000


def _copy_floor(n: int) -> float:
    """Rows per second of a raw COPY of n waiting participant rows into a twin of campaigns_participant."""
    stamp = "2026-11-23 00:00:00+00"
    buf = io.StringIO()
    for i in range(n):
        buf.write(f"{i}\t1\tuser\tu{i}\t1\twait\twaiting\t{stamp}\t0\t{stamp}\t{stamp}\t\t[]\t{{}}\t1\t1\n")
    data = buf.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_participant_copy (LIKE campaigns_participant INCLUDING ALL)")
        try:
            start = time.perf_counter()
            with cursor.cursor.copy(
                "COPY bench_participant_copy (id, version, kind, key, entry, activity, state, wake_at, step,"
                " entered_at, updated_at, exit_reason, trail, data, journey_id, tenant_id) FROM STDIN"
            ) as copy:
                copy.write(data)
            elapsed = time.perf_counter() - start
        finally:
            cursor.execute("DROP TABLE bench_participant_copy")
    return n / elapsed


def run(n: int) -> dict[str, Any]:
    from campaigns.journeys.engine.entry import segment_pass
    from campaigns.models import ActivityCount, Participant
    from engage import clock

    with bench_tenant("journey entry") as tenant:
        try:
            _endpoints(tenant, n)
            journey = journey_setup(tenant)
            load_before = load()
            start = time.perf_counter()
            entered = segment_pass(tenant_id=tenant.pk, journey_id=journey.pk, now=clock.now())
            elapsed = time.perf_counter() - start
            rows = Participant.objects.filter(journey=journey).count()
            counted = ActivityCount.objects.get(journey=journey, activity="", metric="entered").count
        finally:
            journeys_cleanup(tenant)
    floor = _copy_floor(n)
    return {
        "per_s": round(n / elapsed),
        "seconds": round(elapsed, 2),
        "entered": entered,
        "entered_ok": entered == rows == counted == n,
        "target_per_s": 20_000,
        "copy_floor_per_s": round(floor),
        "ratio_to_copy": round(n / elapsed / floor, 3),
        "load_before": load_before,
        "load_after": load(),
        **machine(),
    }
