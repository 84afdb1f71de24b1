"""Planning leases: a planning task leaves a heartbeat in Redis (a time on the shared clock) when it is queued
and before every chunk; the scheduler tick re-enqueues a run still planning whose heartbeat is a lease old (its
worker was lost), as the channels sweeper does for send chunks. Planning is idempotent per chunk (the run row is
locked, the cursor moves in the chunk's transaction, ledger keys are unique), so a duplicate task plans nothing
twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings

from campaigns.models import Campaign, CampaignRun
from engage import clock
from engage.redis import redis_client

KEEP_SECONDS = 7 * 24 * 3600


def plan_lease() -> timedelta:
    """How long a planning heartbeat holds before the tick takes the run to be lost."""
    return timedelta(seconds=int(getattr(settings, "CAMPAIGNS_PLAN_LEASE_SECONDS", 120)))


def _marker(run_id: int) -> str:
    return f"engage:plan:{run_id}"


def plan_mark(*, run_id: int) -> None:
    """Record that a planning task for the run is queued or alive now."""
    redis_client().set(_marker(run_id), str(clock.now().timestamp()), ex=KEEP_SECONDS)


def plan_is_live(*, run_id: int, created_at: datetime, now: datetime) -> bool:
    """A planning task for the run was queued or beat less than a lease ago (a run without a heartbeat counts
    from its creation)."""
    beat = redis_client().get(_marker(run_id))
    last = float(beat) if beat is not None else created_at.timestamp()
    return last + plan_lease().total_seconds() > now.timestamp()


def plan_forget(*, run_id: int) -> None:
    """The run is planned: no heartbeat to keep."""
    redis_client().delete(_marker(run_id))


def plans_recover(*, now: datetime, enqueue: Callable[[int, int], None]) -> int:
    """Re-enqueue planning of runs of executing campaigns whose planning task is a lease overdue."""
    runs = CampaignRun.objects.filter(
        status=CampaignRun.Status.PLANNING, campaign__status=Campaign.Status.EXECUTING, campaign__is_paused=False
    ).values_list("tenant_id", "pk", "created_at")[:1000]
    recovered = 0
    for tenant_id, run_id, created_at in runs:
        if not plan_is_live(run_id=run_id, created_at=created_at, now=now):
            enqueue(tenant_id, run_id)
            recovered += 1
    return recovered
