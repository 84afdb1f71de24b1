"""The issue's "Must show": a send worker SIGKILLed in the middle of a 100,000-message dispatch, a new worker and
the sweeper end with every ledger row terminal, nothing twice at the webhook, and the in-flight batches
`unknown` — the count the Deliveries page shows."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from channels.models import ChannelConfig, Delivery, Dispatch, Reason, Status
from channels.services.dispatch import Recipient, deliveries_enqueue, dispatch_create
from channels.services.send import lease
from channels.tasks import sweep
from engage import clock
from engage.celery import app
from engage.redis import redis_client
from engage.tenancy.models import Role, Tenant
from templates.models import Channel
from tests.channels.support import custom_message
from tests.channels.webhook_server import running_hook
from tests.conftest import worker_start, worker_stop
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TOTAL = 100_000
KILL_AFTER = 4_000
WORKERS = 2
BATCH = 50


def _plan(tenant: Tenant, url: str) -> Dispatch:
    now = clock.now()
    config = ChannelConfig.objects.create(
        tenant=tenant,
        name="Kill test hook",
        channel=Channel.CUSTOM,
        provider="webhook",
        settings={"url": url, "timeout_seconds": 10},
        secrets=json.dumps({"signing_secret": "whsec-kill-test-0123456789"}),
        created_at=now,
        updated_at=now,
    )
    dispatch = dispatch_create(
        tenant=tenant,
        channel=Channel.CUSTOM,
        source="campaign",
        message=custom_message('{"offer": "spring"}'),
        config=config,
        campaign_id="kill-test",
        run_id="run-1",
        treatment_id="0",
    )
    recipients = (Recipient(key=f"{dispatch.pk}:{i}", address=f"device-{i:06d}") for i in range(TOTAL))
    deliveries_enqueue(dispatch=dispatch, recipients=recipients, send=True)  # one task per 1000 rows, on commit
    return dispatch


def _wait(condition: Any, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _pending(dispatch: Dispatch) -> int:
    return Delivery.objects.filter(dispatch=dispatch, status__in=[Status.QUEUED, Status.HELD, Status.SENDING]).count()


def _forget_lost_tasks() -> None:
    """The killed worker's unacknowledged tasks would come back after the visibility timeout: drop them."""
    app.control.purge()
    redis_client().delete("unacked", "unacked_index", "unacked_mutex")


def test_a_killed_worker_sends_nothing_twice_and_loses_nobody(
    tenant: Tenant, tmp_path: Path, worker_mail_dir: Path
) -> None:
    _forget_lost_tasks()
    log = tmp_path / "worker.log"
    # The request that brings the count to KILL_AFTER is held unanswered: the worker dies while it is in flight.
    with running_hook(keep_bodies=False, hold_at=KILL_AFTER, hold_seconds=5) as hook:
        first = worker_start(log=log, mail_dir=worker_mail_dir, concurrency=WORKERS, queues="sends")
        try:
            dispatch = _plan(tenant, hook.url)
            _wait(hook.holding.is_set, seconds=60, what="the first sends")
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            worker_stop(first)
        at_kill = hook.received()
        assert at_kill < TOTAL, "the dispatch finished before the worker was killed"

        # The killed worker's leases run out (on the shared clock); a new worker and the sweeper finish the job.
        clock.advance(seconds=lease().total_seconds() + 1)
        second = worker_start(log=log, mail_dir=worker_mail_dir, concurrency=WORKERS, queues="sends")
        try:
            started = time.monotonic()
            while _pending(dispatch):
                sweep()
                assert time.monotonic() - started < 90, f"{_pending(dispatch)} rows still pending"
                time.sleep(1)
        finally:
            worker_stop(second)
            _forget_lost_tasks()
        keys, addresses = dict(hook.keys), dict(hook.addresses)

    ledger = dict(Delivery.objects.filter(dispatch=dispatch).values_list("address", "status"))
    assert len(ledger) == TOTAL
    assert set(ledger.values()) <= {Status.SENT, Status.UNKNOWN}, "every row is terminal"
    # Nothing twice at the webhook: no Idempotency-Key and no address was received more than once.
    assert [k for k, n in keys.items() if n > 1] == []
    assert [a for a, n in addresses.items() if n > 1] == []
    sent = {a for a, s in ledger.items() if s == Status.SENT}
    unknown = {a for a, s in ledger.items() if s == Status.UNKNOWN}
    assert sent <= set(addresses), "every row marked sent reached the webhook"
    assert set(addresses) - sent <= unknown, "whatever arrived but is not marked sent is unknown"
    # Only the batches in flight when the worker died are unknown (they may or may not have arrived).
    assert BATCH <= len(unknown) <= WORKERS * BATCH
    assert set(Delivery.objects.filter(dispatch=dispatch, status=Status.UNKNOWN).values_list("reason", flat=True)) <= {
        Reason.WORKER_LOST
    }

    member = MembershipFactory(tenant=tenant, user=UserFactory(), role=Role.VIEWER)
    client = Client()
    client.force_login(member.user)
    page = client.get(reverse("channels:dispatch", args=[tenant.public_id, dispatch.pk]))
    assert page.status_code == 200
    assert f'data-unknown="{len(unknown)}"' in page.content.decode()
    listing = client.get(reverse("channels:deliveries", args=[tenant.public_id]))
    assert f'data-unknown="{len(unknown)}"' in listing.content.decode()
