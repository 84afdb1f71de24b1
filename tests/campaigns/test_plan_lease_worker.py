"""Planning survives a lost worker: the scheduler tick re-enqueues a run whose planning heartbeat is a lease old,
and the run still ends with one ledger row per eligible endpoint."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignRun
from campaigns.services.plan_lease import plan_lease, plan_mark, plans_recover
from campaigns.tasks import tick
from channels.models import Delivery
from channels.models.ledger import PENDING_STATUSES
from channels.services.send import lease
from channels.tasks import sweep
from engage import clock
from engage.celery import app
from engage.redis import redis_client
from engage.tenancy.models import Tenant
from tests.campaigns.support import endpoints, push_body, segment_all, url
from tests.conftest import worker_start, worker_stop

TOTAL = 8000


def _forget_lost_tasks() -> None:
    """The killed worker's unacknowledged tasks would come back after the visibility timeout: drop them."""
    app.control.purge()
    redis_client().delete("unacked", "unacked_index", "unacked_mutex")


def _wait(condition: Any, *, seconds: float, what: str, step: float = 0.02) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(step)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_finishes_planning_lost_with_its_worker_exactly_once(
    api: APIClient, tenant: Tenant, tmp_path: Path, worker_mail_dir: Path
) -> None:
    _forget_lost_tasks()
    ids = endpoints(tenant, TOTAL)
    created = api.post(url(tenant), push_body(segment_all(tenant)), format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    log = tmp_path / "worker.log"
    first = worker_start(log=log, mail_dir=worker_mail_dir, queues="default")  # planning only
    try:
        assert api.post(url(tenant, f"{pk}/launch/")).status_code == 200
        runs = CampaignRun.objects.filter(campaign_id=pk)
        _wait(lambda: runs.filter(cursor__gt=0).exists(), seconds=60, what="the first planned chunk")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        worker_stop(first)
    run = runs.get()
    assert run.status == CampaignRun.Status.PLANNING and run.planned < TOTAL, "planning ended before the kill"

    tick()  # within the lease: the lost task is still presumed alive
    second = worker_start(log=log, mail_dir=worker_mail_dir)
    try:
        time.sleep(1)
        run.refresh_from_db()
        assert (run.status, run.cursor) == (CampaignRun.Status.PLANNING, runs.get().cursor)
        clock.advance(seconds=max(plan_lease(), lease()).total_seconds() + 1)
        tick()
        _wait(lambda: runs.get().status != CampaignRun.Status.PLANNING, seconds=120, what="planning", step=0.3)
        rows = Delivery.objects.filter(tenant=tenant)
        started = time.monotonic()
        while rows.filter(status__in=PENDING_STATUSES).exists():
            sweep()  # send chunks whose task never came
            assert time.monotonic() - started < 120, Counter(rows.values_list("status", flat=True))
            time.sleep(1)
        tick()
    finally:
        worker_stop(second)
        _forget_lost_tasks()

    per_endpoint = Counter(rows.values_list("endpoint_id", flat=True))
    assert set(per_endpoint) == set(ids) and set(per_endpoint.values()) == {1}
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    run.refresh_from_db()
    assert (run.status, run.planned, run.counts) == (CampaignRun.Status.COMPLETED, TOTAL, {"sent": TOTAL})


@pytest.mark.django_db
def test_it_reenqueues_only_planning_a_lease_past_its_heartbeat(api: APIClient, tenant: Tenant) -> None:
    created = api.post(url(tenant), push_body(segment_all(tenant)), format="json")
    assert created.status_code == 201, created.json()
    campaign = Campaign.objects.get(pk=created.json()["id"])
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.EXECUTING)
    now = clock.now()
    run = CampaignRun.objects.create(tenant=tenant, campaign=campaign, scheduled_for=now, created_at=now)
    queued: list[tuple[int, int]] = []

    def enqueue(tenant_id: int, run_id: int) -> None:
        queued.append((tenant_id, run_id))
        plan_mark(run_id=run_id)

    assert plans_recover(now=clock.now(), enqueue=enqueue) == 0  # new, no heartbeat yet: counts from creation
    clock.advance(seconds=plan_lease().total_seconds() + 1)
    assert plans_recover(now=clock.now(), enqueue=enqueue) == 1
    assert plans_recover(now=clock.now(), enqueue=enqueue) == 0  # the re-enqueued task holds a new lease
    assert queued == [(tenant.pk, run.pk)]
    clock.advance(seconds=plan_lease().total_seconds() + 1)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.PAUSED, is_paused=True)
    assert plans_recover(now=clock.now(), enqueue=enqueue) == 0  # resume re-enqueues a paused campaign's planning
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.EXECUTING, is_paused=False)
    CampaignRun.objects.filter(pk=run.pk).update(status=CampaignRun.Status.SENDING)
    assert plans_recover(now=clock.now(), enqueue=enqueue) == 0  # planned runs are left alone
