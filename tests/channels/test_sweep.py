"""The sweeper: what a lost worker leaves in `sending` is re-queued if the provider never had it, and
resolved as `unknown` (never sent again) if it might have."""

from __future__ import annotations

import pytest

from channels.models import Delivery, Reason, Status
from channels.services.ledger import deliveries_claim, deliveries_mark_attempted
from channels.services.send import deliveries_send, lease
from channels.services.sweep import deliveries_sweep
from channels.tasks import chunk_enqueue, chunk_is_enqueued
from engage import clock
from engage.events.models import Event
from engage.tenancy.models import Tenant
from tests.channels.support import make_endpoints, plan

pytestmark = pytest.mark.django_db


def _lose_a_worker(tenant: Tenant, dispatch_id: int, *, handed: int) -> list[int]:
    """Claim a chunk the way a worker does, hand some rows to the provider, then 'die'."""
    now = clock.now()
    claimed = deliveries_claim(
        tenant_id=tenant.pk, dispatch_id=dispatch_id, chunk=0, limit=10, now=now, lease_until=now + lease()
    )
    deliveries_mark_attempted(ids=[c.id for c in claimed[:handed]], now=now)
    return [c.id for c in claimed]


def test_it_requeues_unhanded_rows_and_resolves_handed_ones_as_unknown(tenant: Tenant) -> None:
    ids = make_endpoints(tenant, 6)
    dispatch, _ = plan(tenant, ids)
    _lose_a_worker(tenant, dispatch.pk, handed=2)
    enqueued: list[tuple[int, int, int]] = []

    early = deliveries_sweep(now=clock.now(), enqueue=lambda *a: enqueued.append(a), is_enqueued=lambda d, c: False)
    assert (early.requeued, early.unknown) == (0, 0)  # leases still live

    clock.advance(seconds=lease().total_seconds() + 1)
    result = deliveries_sweep(now=clock.now(), enqueue=lambda *a: enqueued.append(a), is_enqueued=lambda d, c: False)
    assert (result.requeued, result.unknown, result.chunks) == (4, 2, 1)
    assert enqueued == [(tenant.pk, dispatch.pk, 0)]
    unknown = Delivery.objects.filter(dispatch=dispatch, status=Status.UNKNOWN)
    assert unknown.count() == 2 and set(unknown.values_list("reason", flat=True)) == {Reason.WORKER_LOST}
    sends = Event.objects.filter(tenant=tenant, event_type="_campaign.send")
    assert list(sends.values_list("attributes__campaign_send_status", flat=True)) == ["UNKNOWN_FAILURE"] * 2

    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    counts = {s: Delivery.objects.filter(dispatch=dispatch, status=s).count() for s in (Status.SENT, Status.UNKNOWN)}
    assert counts == {Status.SENT: 4, Status.UNKNOWN: 2}


def test_it_reenqueues_a_chunk_only_when_its_task_is_overdue(tenant: Tenant) -> None:
    from engage.celery import app

    ids = make_endpoints(tenant, 2)
    dispatch, _ = plan(tenant, ids)
    chunk_enqueue(tenant.pk, dispatch.pk, 0)
    app.control.purge()  # the task is lost (say, its worker died before taking it)
    assert chunk_is_enqueued(dispatch.pk, 0)
    enqueued: list[tuple[int, int, int]] = []
    deliveries_sweep(now=clock.now(), enqueue=lambda *a: enqueued.append(a), is_enqueued=chunk_is_enqueued)
    assert enqueued == []
    clock.advance(seconds=lease().total_seconds() + 1)
    assert not chunk_is_enqueued(dispatch.pk, 0)
    deliveries_sweep(now=clock.now(), enqueue=lambda *a: enqueued.append(a), is_enqueued=chunk_is_enqueued)
    assert enqueued == [(tenant.pk, dispatch.pk, 0)]
