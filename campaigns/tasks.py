"""Campaign tasks: the scheduler tick (beat) and the fan-out planner."""

from __future__ import annotations

import logging

import redis
from celery import shared_task
from django.db import InterfaceError, OperationalError

from campaigns.services.plan import run_plan
from campaigns.services.runs import campaigns_start_due, event_campaigns_end, held_release, runs_complete
from engage import clock

log = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError, redis.ConnectionError, redis.TimeoutError)


@shared_task(name="campaigns.tick", ignore_result=True)
def tick() -> None:
    """Start due runs (each occurrence once), release held messages whose time came, finish drained runs."""
    now = clock.now()
    started = campaigns_start_due(now=now)
    released = held_release(now=now)
    completed = runs_complete(now=now) + event_campaigns_end(now=now)
    if started or released or completed:
        log.info(
            "campaigns tick: %s runs started, %s messages released, %s runs completed", started, released, completed
        )


@shared_task(
    name="campaigns.plan_run",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def plan_run(tenant_id: int, run_id: int) -> None:
    """Plan a run's ledger rows chunk by chunk. Running it twice plans nothing twice."""
    run_plan(tenant_id=tenant_id, run_id=run_id)
