"""Background work of engage.events: the event-stream export (beat ticks, one export task per destination)."""

from __future__ import annotations

from celery import shared_task

from engage import clock
from engage.events.streams.export import stream_export, streams_dispatch
from engage.taskopts import retried

# Destination failures are not task failures: the export records them and retries on later ticks.
# These are the worker's own infrastructure hiccups.


@shared_task(name="events.streams_tick", ignore_result=True)
def streams_tick() -> None:
    """Queue an export of every destination that is due (beat runs this every 5 seconds)."""
    streams_dispatch(now=clock.now(), enqueue=_enqueue_export)


def _enqueue_export(tenant_id: int, stream_id: int) -> None:
    export_stream.delay(tenant_id, stream_id)


@shared_task(**retried("events.stream_export", max_retries=3))
def export_stream(tenant_id: int, stream_id: int) -> None:
    """Send one destination's pending events; a second copy of this task finds the lock taken and returns."""
    stream_export(tenant_id=tenant_id, stream_id=stream_id)
