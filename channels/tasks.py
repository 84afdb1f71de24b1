"""Send tasks: one per chunk, plus the sweeper beat runs."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task

from channels.services.send import deliveries_send, lease
from channels.services.sweep import deliveries_sweep
from engage import clock
from engage.redis import redis_client
from engage.taskopts import retried

log = logging.getLogger(__name__)


def _marker(dispatch_id: int, chunk: int) -> str:
    return f"engage:chunk:{dispatch_id}:{chunk}"


def chunk_enqueue(tenant_id: int, dispatch_id: int, chunk: int, *, eta: datetime | None = None) -> None:
    """Queue a chunk's send task, leaving a marker (when it should run, on the shared clock) so that the
    sweeper knows it is coming and re-enqueues it only once it is a lease overdue."""
    now = clock.now()
    countdown = max(0.0, (eta - now).total_seconds()) if eta is not None else 0.0
    due = now.timestamp() + countdown
    redis_client().set(_marker(dispatch_id, chunk), str(due), ex=int(countdown + 7 * 24 * 3600))
    send_chunk.apply_async((tenant_id, dispatch_id, chunk), countdown=countdown)


def chunk_is_enqueued(dispatch_id: int, chunk: int) -> bool:
    """A task for this chunk is queued and not yet a lease overdue."""
    due = redis_client().get(_marker(dispatch_id, chunk))
    return due is not None and float(due) + lease().total_seconds() > clock.now().timestamp()


@shared_task(**retried("channels.send_chunk"))
def send_chunk(tenant_id: int, dispatch_id: int, chunk: int) -> None:
    """Send one planned chunk. Running it twice sends nothing twice."""
    result = deliveries_send(tenant_id=tenant_id, dispatch_id=dispatch_id, chunk=chunk)
    if result.retry_at is not None:
        chunk_enqueue(tenant_id, dispatch_id, chunk, eta=result.retry_at)
    else:
        redis_client().delete(_marker(dispatch_id, chunk))


@shared_task(name="channels.sweep", ignore_result=True)
def sweep() -> None:
    """Requeue rows lost workers never handed over, resolve the ones they did as unknown, and re-enqueue
    chunks whose task went missing (beat runs this every 30 seconds)."""
    result = deliveries_sweep(now=clock.now(), enqueue=chunk_enqueue, is_enqueued=chunk_is_enqueued)
    if result.requeued or result.unknown or result.chunks:
        log.info(
            "sweep: %s requeued, %s unknown, %s chunks re-enqueued", result.requeued, result.unknown, result.chunks
        )


@shared_task(name="channels.guard_tick", ignore_result=True)
def guard_tick() -> None:
    """Recompute the deliverability guard's rates and pause configs past the limits (beat: every minute)."""
    from channels.services.guard import guard_tick as tick

    tick(now=clock.now())


@shared_task(name="channels.prune", ignore_result=True)
def prune() -> None:
    """Delete ledger rows and events past each tenant's retention period, in batches (beat: hourly)."""
    from channels.services.retention import tenant_prune
    from engage.tenancy.models import Tenant

    now = clock.now()
    for tenant in Tenant.objects.all().iterator():
        result = tenant_prune(tenant=tenant, now=now)
        if result.deliveries or result.events or result.dispatches:
            log.info("pruned tenant %s: %s", tenant.public_id, result)
