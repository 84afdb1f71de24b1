"""Moving each destination's cursor forward: the next events in id order, sent, then the cursor advanced.

At least once: the cursor moves only after the destination accepted the whole batch, so a failure sends the
same events again later (never skipping one). A Redis lock per destination keeps two workers from sending
the same batch at the same time; the conditional cursor update keeps a late worker from moving it wrongly.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Q

from engage import clock
from engage.events.models import Event
from engage.events.streams.destinations import DeliveryError, destination_send
from engage.events.streams.models import EventStream
from engage.events.streams.records import records_build
from engage.events.streams.watermark import export_watermark
from engage.redis import redis_client

log = logging.getLogger(__name__)

BATCH_SIZE = 500
RUN_BUDGET = timedelta(seconds=20)
LOCK_TTL_MS = 120_000
QUEUED_TTL_S = 60
BACKOFF_FIRST_S = 5
BACKOFF_MAX_S = 900

_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
_RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"


class StreamLock:
    """SET NX with an expiry: one exporter per destination; only the holder's token releases or renews it."""

    def __init__(self, stream_id: int) -> None:
        self.key = f"engage:events:stream:{stream_id}:lock"
        self.token = uuid.uuid4().hex

    def acquire(self) -> bool:
        return bool(redis_client().set(self.key, self.token, nx=True, px=LOCK_TTL_MS))

    def renew(self) -> bool:
        return bool(redis_client().eval(_RENEW, 1, self.key, self.token, LOCK_TTL_MS))

    def release(self) -> None:
        redis_client().eval(_RELEASE, 1, self.key, self.token)


def _queued_key(stream_id: int) -> str:
    return f"engage:events:stream:{stream_id}:queued"


@dataclass
class ExportResult:
    exported: int = 0
    batches: int = 0
    error: str = ""
    locked: bool = False


def backoff(failures: int) -> timedelta:
    """5 s, 10 s, 20 s … up to 15 minutes between attempts of a failing destination."""
    return timedelta(seconds=min(BACKOFF_FIRST_S * 2 ** max(failures - 1, 0), BACKOFF_MAX_S))


def _next_batch(stream: EventStream) -> list[Event]:
    events = Event.objects.filter(tenant_id=stream.tenant_id, id__gt=stream.cursor)
    if not events.exists():
        return []
    watermark = export_watermark()
    if watermark is not None:
        events = events.filter(id__lte=watermark)
    return list(events.order_by("id")[:BATCH_SIZE])


def _advance(stream: EventStream, last_id: int, count: int, now: datetime) -> bool:
    moved = EventStream.objects.filter(pk=stream.pk, cursor=stream.cursor).update(
        cursor=last_id,
        exported_count=F("exported_count") + count,
        last_success_at=now,
        failures=0,
        next_attempt_at=None,
    )
    return moved == 1


def _fail(stream: EventStream, message: str, now: datetime) -> None:
    failures = stream.failures + 1
    EventStream.objects.filter(pk=stream.pk).update(
        failures=failures, last_error=message[:2000], last_error_at=now, next_attempt_at=now + backoff(failures)
    )


def _send(stream: EventStream, events: list[Event], now: datetime) -> str | None:
    """Send one batch; the refusal's message, or None when the destination took it all."""
    records = records_build(tenant=stream.tenant, events=events)
    try:
        destination_send(stream=stream, records=records, now=now)
    except DeliveryError as exc:
        return exc.message
    except Exception as exc:
        log.exception("event stream %s: sending events %s-%s failed", stream.pk, events[0].pk, events[-1].pk)
        return f"unexpected error: {exc}"
    return None


def stream_export(*, tenant_id: int, stream_id: int) -> ExportResult:
    """Send the destination's next batches in id order for up to ~20 s; the cursor follows what it accepted."""
    redis_client().delete(_queued_key(stream_id))
    lock = StreamLock(stream_id)
    if not lock.acquire():
        return ExportResult(locked=True)
    result = ExportResult()
    try:
        started = clock.now()
        while True:
            stream = EventStream.objects.select_related("tenant").filter(pk=stream_id, tenant_id=tenant_id).first()
            now = clock.now()
            if stream is None or not stream.enabled:
                break
            if stream.next_attempt_at is not None and stream.next_attempt_at > now:
                break
            events = _next_batch(stream)
            if not events:
                break
            error = _send(stream, events, now)
            if error is not None:
                _fail(stream, error, now)
                result.error = error
                break
            if not _advance(stream, events[-1].pk, len(events), clock.now()):
                break
            result.exported += len(events)
            result.batches += 1
            if len(events) < BATCH_SIZE or clock.now() - started > RUN_BUDGET or not lock.renew():
                break
    finally:
        lock.release()
    return result


def streams_dispatch(*, now: datetime, enqueue: Callable[[int, int], None]) -> int:
    """Queue an export of every enabled destination that is due, unless one is already queued."""
    due = EventStream.objects.filter(enabled=True).filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    queued = 0
    for tenant_id, stream_id in due.values_list("tenant_id", "id"):
        if redis_client().set(_queued_key(stream_id), "1", nx=True, ex=QUEUED_TTL_S):
            enqueue(tenant_id, stream_id)
            queued += 1
    return queued
