"""The shared rate limiter: real Redis, and real worker processes drawing from one bucket."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from channels.models import ChannelConfig, Delivery, Status
from channels.ratelimit import RateLimiter
from channels.services.dispatch import Recipient, deliveries_enqueue, dispatch_create
from engage import clock
from engage.tenancy.models import Tenant
from templates.models import Channel
from tests.channels.support import email_message
from tests.conftest import worker_start, worker_stop


def _max_in_any_window(times: list[float], width: float = 1.0) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= width:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_it_grants_no_more_than_the_capacity_in_any_window() -> None:
    limiter = RateLimiter("test:window", 20)
    granted_at: list[float] = []
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:
        got, wait = limiter.try_acquire(7)
        if got:
            granted_at.extend([time.monotonic()] * got)
        else:
            time.sleep(min(wait, 0.05))
    assert _max_in_any_window(granted_at) <= 20
    assert len(granted_at) >= 40  # the bucket refills: three windows in 2.5 s


def test_a_slow_rate_spaces_single_tokens() -> None:
    limiter = RateLimiter("test:slow", 0.5)  # one message every two seconds
    assert limiter.try_acquire(5)[0] == 1
    granted, wait = limiter.try_acquire(1)
    assert granted == 0 and 1.9 < wait <= 2.2


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_four_worker_processes_never_exceed_the_configured_rate(
    tenant: Tenant, tmp_path: Path, worker_mail_dir: Path
) -> None:
    from engage.celery import app

    config = ChannelConfig.objects.create(
        tenant=tenant,
        name="Limited sandbox",
        channel=Channel.EMAIL,
        provider="sandbox",
        messages_per_second=50,
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    app.control.purge()
    proc = worker_start(log=tmp_path / "worker.log", mail_dir=worker_mail_dir, concurrency=4, queues="sends")
    try:
        with transaction.atomic():
            dispatch = dispatch_create(
                tenant=tenant, channel=Channel.EMAIL, source="transactional", message=email_message(), config=config
            )
            recipients = [Recipient(key=f"rate:{i}", address=f"r{i}@example.com") for i in range(500)]
            chunks = deliveries_enqueue(dispatch=dispatch, recipients=recipients, chunk_size=25)
        assert len(chunks) == 20
        deadline = time.monotonic() + 60
        rows: Any = Delivery.objects.filter(dispatch=dispatch)
        while rows.filter(status=Status.SENT).count() < 500 and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        worker_stop(proc)
        app.control.purge()
    sent = [d.timestamp() for d in rows.filter(status=Status.SENT).values_list("sent_at", flat=True)]
    assert len(sent) == 500
    assert _max_in_any_window(sent) <= 50
    assert max(sent) - min(sent) >= 9.0
