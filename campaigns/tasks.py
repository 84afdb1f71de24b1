"""Campaign tasks: the scheduler tick (beat) and the fan-out planner."""

from __future__ import annotations

import logging

from celery import shared_task

from campaigns.services.plan import run_plan
from campaigns.services.plan_lease import plan_forget, plan_mark, plans_recover
from campaigns.services.runs import campaigns_start_due, event_campaigns_end, held_release, runs_complete
from engage import clock
from engage.taskopts import retried

log = logging.getLogger(__name__)


@shared_task(name="campaigns.tick", ignore_result=True)
def tick() -> None:
    """Start due runs (each occurrence once), release held messages whose time came, finish drained runs, and
    re-enqueue planning lost with its worker (a lease past its last heartbeat)."""
    now = clock.now()
    started = campaigns_start_due(now=now)
    released = held_release(now=now)
    completed = runs_complete(now=now) + event_campaigns_end(now=now)
    recovered = plans_recover(now=now, enqueue=plan_enqueue)
    if started or released or completed or recovered:
        log.info(
            "campaigns tick: %s runs started, %s messages released, %s runs completed, %s plannings re-enqueued",
            started,
            released,
            completed,
            recovered,
        )


def plan_enqueue(tenant_id: int, run_id: int) -> None:
    """Queue a run's planning task, leaving the heartbeat the tick's planning lease reads."""
    plan_mark(run_id=run_id)
    plan_run.delay(tenant_id, run_id)


@shared_task(**retried("campaigns.plan_run"))
def plan_run(tenant_id: int, run_id: int) -> None:
    """Plan a run's ledger rows chunk by chunk. Running it twice plans nothing twice."""
    run = run_plan(tenant_id=tenant_id, run_id=run_id)
    if run is not None and run.status != run.Status.PLANNING:
        plan_forget(run_id=run_id)


@shared_task(**retried("campaigns.events_plan_hooked"))
def events_plan_hooked(tenant_id: int, campaign_id: int, events: list[dict[str, str]]) -> None:
    """Plan the messages of matched events for an event campaign with a FILTER hook (the hook's HTTP calls run here,
    not in the PutEvents request). A campaign stopped or paused since the events matched plans nothing; running it
    twice plans nothing twice (the ledger keys come from the events)."""
    from campaigns.models import Campaign
    from campaigns.services.trigger_plan import event_from_fields, events_plan

    campaign = (
        Campaign.objects.select_related("tenant", "segment")
        .filter(pk=campaign_id, tenant_id=tenant_id, status__in=Campaign.ACTIVE, is_paused=False)
        .first()
    )
    if campaign is None:
        return
    if events:
        events_plan(campaign=campaign, events=[event_from_fields(tenant_id, e) for e in events])
