"""Journey tasks: the tick (beat: segment entries due, resumes due, closing and completion, advancers started when
participants are due) and the advancer, which any number of workers may run at once."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from campaigns.journeys.engine.advance import advance_run, due_exists
from campaigns.journeys.engine.closing import journeys_close, journeys_complete
from campaigns.journeys.engine.entry import entries_due, segment_pass
from campaigns.journeys.services.lifecycle import journeys_resume_due
from engage import clock
from engage.redis import redis_client
from engage.taskopts import retried

log = logging.getLogger(__name__)

RUNNING_KEY = "engage:journeys:advancing"  # set while advancers run; the tick starts new ones when it lapses
BUDGET_SECONDS = 30.0


@shared_task(name="journeys.tick", ignore_result=True)
def tick() -> None:
    """Start due segment entry passes, apply due resumes, close and complete journeys, and start advancers."""
    now = clock.now()
    resumed = journeys_resume_due(now=now)
    passes = entries_due(now=now)
    for tenant_id, journey_id in passes:
        enter.delay(tenant_id, journey_id)
    closed = journeys_close(now=now)
    completed = journeys_complete(now=now)
    if due_exists(now=now):
        advancers_start()
    if resumed or passes or closed or completed:
        log.info(
            "journeys tick: %s resumed, %s entry passes, %s closed, %s completed",
            resumed,
            len(passes),
            closed,
            completed,
        )


@shared_task(**retried("journeys.enter"))
def enter(tenant_id: int, journey_id: int) -> None:
    """One segment entry pass; a pass already taken (or not due) does nothing."""
    entered = segment_pass(tenant_id=tenant_id, journey_id=journey_id, now=clock.now())
    if entered:
        advancers_start(force=True)


@shared_task(**retried("journeys.advance"))
def advance(journey_id: int | None = None) -> None:
    """Move due participants for a time budget; re-enqueue itself while more are due."""
    redis_client().set(RUNNING_KEY, "1", ex=int(BUDGET_SECONDS * 2))
    _, more = advance_run(budget_seconds=BUDGET_SECONDS, journey_id=journey_id)
    if more:
        advance.delay(journey_id)


def advancers_start(*, force: bool = False) -> None:
    """Queue JOURNEYS_ADVANCERS advancers unless some are running (`force`: queue them anyway)."""
    if redis_client().set(RUNNING_KEY, "1", nx=not force, ex=int(BUDGET_SECONDS * 2)):
        for _ in range(int(getattr(settings, "JOURNEYS_ADVANCERS", 2))):
            transaction.on_commit(advance.delay)


def advance_enqueue(*, journey_id: int | None = None) -> None:
    """Queue an advancer (for one journey's participants, or all) once the current transaction commits."""
    transaction.on_commit(lambda: advance.delay(journey_id))
