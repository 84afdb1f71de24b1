"""Journey segment entry: N endpoints (each its own user) in a segment; one entry pass of a published journey
(WAIT 1 h then SEND) timed from the pass's start to its commit — on PostgreSQL chunked INSERT ... SELECT from the
segment's compiled SQL. Checks every member entered once."""

from __future__ import annotations

import time
from typing import Any

from bench._common import bench_tenant, machine
from bench._journeys import journey_setup, journeys_cleanup, load
from bench.send_sandbox import _endpoints

DEFAULT_N = 1_000_000


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
    return {
        "per_s": round(n / elapsed),
        "seconds": round(elapsed, 2),
        "entered": entered,
        "entered_ok": entered == rows == counted == n,
        "target_per_s": 20_000,
        "load_before": load_before,
        "load_after": load(),
        **machine(),
    }
