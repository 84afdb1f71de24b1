"""Background work of engage.events: the event-stream export (beat ticks, one export task per destination)."""

from __future__ import annotations

import redis
from celery import shared_task
from django.db import InterfaceError, OperationalError

from engage import clock
from engage.events.streams.export import stream_export, streams_dispatch

# Destination failures are not task failures: the export records them and retries on later ticks.
# These are the worker's own infrastructure hiccups.
TRANSIENT = (OperationalError, InterfaceError, redis.ConnectionError, redis.TimeoutError)


@shared_task(name="events.streams_tick", ignore_result=True)
def streams_tick() -> None:
    """Queue an export of every destination that is due (beat runs this every 5 seconds)."""
    streams_dispatch(now=clock.now(), enqueue=_enqueue_export)


def _enqueue_export(tenant_id: int, stream_id: int) -> None:
    export_stream.delay(tenant_id, stream_id)


@shared_task(
    name="events.stream_export",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def export_stream(tenant_id: int, stream_id: int) -> None:
    """Send one destination's pending events; a second copy of this task finds the lock taken and returns."""
    stream_export(tenant_id=tenant_id, stream_id=stream_id)
