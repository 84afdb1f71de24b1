"""Journey advancer: N participants (one entry pass, untimed) of a journey WAIT 1 h then SEND (email), moved by two
Celery worker processes running `journeys.advance` (SELECT ... FOR UPDATE SKIP LOCKED chunks). Timed twice: the
arrival pass (every participant parks at the wait) and, with every wake time moved to now (the hour passed), the
wait → send pass (each participant leaves the wait, its email goes to the ledger, it leaves the journey). Checks
each participant stepped exactly 3 times and got one ledger row."""

from __future__ import annotations

import time
from typing import Any

from bench._common import bench_tenant, machine
from bench._journeys import journey_setup, journeys_cleanup, load, workers, workers_stop
from bench.send_sandbox import _endpoints

DEFAULT_N = 1_000_000
WORKERS = 2


def _drain(journey: Any) -> float:
    """Start the advancers and wait until no participant of the journey is due; seconds taken."""
    from campaigns.journeys.tasks import advance
    from campaigns.models import Participant
    from engage import clock

    start = time.perf_counter()
    for _ in range(WORKERS):
        advance.delay()
    due = Participant.objects.filter(journey=journey, state="waiting")
    while due.filter(wake_at__lte=clock.now()).exists():
        if time.perf_counter() - start > 3600:
            raise RuntimeError("participants still due after an hour")
        time.sleep(0.2)
    return time.perf_counter() - start


def run(n: int) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Count

    from campaigns.journeys.engine.entry import segment_pass
    from campaigns.models import Participant
    from channels.models import Delivery
    from engage import clock

    with bench_tenant("journey advance") as tenant:
        procs = []
        try:
            _endpoints(tenant, n)
            journey = journey_setup(tenant)
            segment_pass(tenant_id=tenant.pk, journey_id=journey.pk, now=clock.now())
            procs = workers(WORKERS)
            load_before = load()
            arrive = _drain(journey)
            with connection.cursor() as cursor:  # the hour passes
                cursor.execute(
                    "UPDATE campaigns_participant SET wake_at = %s WHERE journey_id = %s", [clock.now(), journey.pk]
                )
            load_middle = load()
            move = _drain(journey)
            load_after = load()
            steps = dict(Participant.objects.filter(journey=journey).values_list("step").annotate(c=Count("id")))
            ledger = Delivery.objects.filter(tenant=tenant).count()
        finally:
            if procs:
                workers_stop(procs)
            journeys_cleanup(tenant)
    return {
        "per_s": round(n / move),
        "seconds": round(move, 2),
        "arrival_per_s": round(n / arrive),
        "arrival_seconds": round(arrive, 2),
        "steps": {str(k): v for k, v in steps.items()},
        "steps_ok": steps == {3: n},
        "ledger_rows": ledger,
        "workers": WORKERS,
        "target_per_s": 20_000,
        "load": [load_before, load_middle, load_after],
        **machine(),
    }
