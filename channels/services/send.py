"""The send service: claim a chunk's rows, screen and render them, respect the rate, hand them to the
transport in provider-sized batches, write the results back in bulk and derive the events from them."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from channels.models import Dispatch, Reason, Status
from channels.ratelimit import backoff_seconds, limiter_for, source_limiter_for
from channels.services.events import Written, delivery_events_record
from channels.services.fallback import FALLBACK_AFTER, Hop, deliveries_fall_back
from channels.services.ledger import (
    Claimed,
    Outcome,
    deliveries_claim,
    deliveries_mark_attempted,
    deliveries_write,
)
from channels.services.render import Rendered, RenderPlan
from channels.services.screen import Screen
from channels.transports import SendResult, TransportError, transport_class
from engage import clock

log = logging.getLogger(__name__)

MAX_TRANSIENT_ATTEMPTS = 5
MAX_THROTTLED_ATTEMPTS = 20


def lease() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "CHANNELS_LEASE_SECONDS", 120)))


@dataclass
class ChunkResult:
    counts: Counter[str] = field(default_factory=Counter)
    retry_at: datetime | None = None

    @property
    def claimed(self) -> int:
        return sum(self.counts.values())


def deliveries_send(*, tenant_id: int, dispatch_id: int, chunk: int) -> ChunkResult:
    """Send one chunk. Running it twice, or in two workers at once, sends nothing twice."""
    dispatch = Dispatch.objects.select_related("tenant", "config").filter(pk=dispatch_id, tenant_id=tenant_id).first()
    if dispatch is None:
        return ChunkResult()
    if dispatch.config is not None and dispatch.config.paused_at is not None:
        # Paused (the deliverability guard or an admin): the rows wait, queued; resuming re-enqueues them.
        return ChunkResult()
    sender = ChunkSender(dispatch)
    try:
        while sender.round(chunk):
            pass
    finally:
        sender.transport.close()
    return sender.result


class ChunkSender:
    """Sends a dispatch's rows one provider batch (one claim) at a time."""

    def __init__(self, dispatch: Dispatch) -> None:
        self.dispatch = dispatch
        self.transport = transport_class(dispatch.provider)(dispatch.config)
        self.plan = RenderPlan(dispatch)
        rate = dispatch.config.effective_rate if dispatch.config is not None else 0.0
        self.limiter = limiter_for(config_id=dispatch.config_id, rate=rate)
        self.source_limiter = source_limiter_for(dispatch)
        self.result = ChunkResult()

    def round(self, chunk: int) -> bool:
        """Claim and send one batch; False when the chunk has nothing due."""
        if self.transport.atomic:
            with transaction.atomic():
                return self._round(chunk)
        return self._round(chunk)

    def _round(self, chunk: int) -> bool:
        now = clock.now()
        lease_until = now + lease()
        claimed = deliveries_claim(
            tenant_id=self.dispatch.tenant_id,
            dispatch_id=self.dispatch.pk,
            chunk=chunk,
            limit=self.transport.batch_size,
            now=now,
            lease_until=lease_until,
            lock_only=self.transport.atomic,
        )
        if not claimed:
            return False
        outcomes: dict[int, Outcome] = {}
        ready = Screen(self.dispatch, self.plan).prepare(claimed, now, outcomes)
        self._deliver(ready, {c.id: c for c in claimed}, outcomes, now, lease_until)
        with transaction.atomic():
            deliveries_write(outcomes=list(outcomes.values()), now=now)
            self._record(claimed, outcomes, now)
        return True

    def _deliver(
        self,
        ready: list[Rendered],
        rows: dict[int, Claimed],
        outcomes: dict[int, Outcome],
        now: datetime,
        lease_until: datetime,
    ) -> None:
        start = 0
        while start < len(ready):
            wanted = len(ready) - start
            granted = self.source_limiter.acquire(wanted) if self.source_limiter is not None else wanted
            granted = self.limiter.acquire(granted) if self.limiter is not None else granted
            batch = ready[start : start + granted]
            start += granted
            handed = clock.now()
            if not self.transport.atomic:
                ids = [r.message.delivery_id for r in batch]
                held = deliveries_mark_attempted(ids=ids, now=handed, lease_until=lease_until)
                # Rows whose lease ran out (say, waiting for the rate limiter) may be another worker's by now.
                batch = [r for r in batch if r.message.delivery_id in held]
                if not batch:
                    continue
            by_id = {r.message.delivery_id: r for r in batch}
            for result in self._call(batch):
                outcome = self._outcome(result, rows[result.delivery_id], by_id[result.delivery_id], now)
                outcome.sent_at = handed
                outcomes[result.delivery_id] = outcome

    def _call(self, batch: list[Rendered]) -> list[SendResult]:
        messages = [r.message for r in batch]
        try:
            results = self.transport.send(messages)
        except TransportError as exc:
            return [_from_error(m.delivery_id, exc, self.transport.idempotent) for m in messages]
        except Exception as exc:
            if self.transport.atomic:
                raise
            log.exception("transport %s failed on dispatch %s", self.transport.name, self.dispatch.pk)
            text = f"the {self.transport.name} transport failed unexpectedly ({type(exc).__name__})"
            return [SendResult(m.delivery_id, "unknown", message=text, status_code=500) for m in messages]
        answered = {r.delivery_id for r in results}
        missing = [m for m in messages if m.delivery_id not in answered]
        text = "the provider returned no result for this message"
        return [*results, *(SendResult(m.delivery_id, "unknown", message=text, status_code=500) for m in missing)]

    def _outcome(self, result: SendResult, row: Claimed, rendered: Rendered, now: datetime) -> Outcome:
        message = rendered.message
        outcome = Outcome(
            id=row.id,
            status=Status.SENT,
            status_message=result.message[:2000],
            provider_message_id=result.provider_message_id,
            parts=result.parts or int(message.options.get("_parts", 0)),
            price_millicents=result.price_millicents or int(message.options.get("_price_millicents", 0)),
            address=message.address,
            attributes=result.attributes or None,
        )
        if result.status == "sent":
            if self.transport.atomic:
                outcome.payload = message.parts
            return outcome
        if result.status in ("throttled", "retry"):
            limit = MAX_THROTTLED_ATTEMPTS if result.status == "throttled" else MAX_TRANSIENT_ATTEMPTS
            if row.attempts < limit:
                outcome.status, outcome.reason = Status.QUEUED, Reason.THROTTLED if result.status == "throttled" else ""
                outcome.not_before = now + timedelta(seconds=backoff_seconds(row.attempts))
                return outcome
            outcome.status, outcome.reason = Status.FAILED, Reason.PROVIDER_ERROR
            return outcome
        if result.status == "unknown":
            outcome.status, outcome.reason = Status.UNKNOWN, Reason.PROVIDER_ERROR
            return outcome
        outcome.status, outcome.reason = Status.FAILED, Reason.PROVIDER_REJECTED
        return outcome

    def _record(self, claimed: list[Claimed], outcomes: dict[int, Outcome], now: datetime) -> None:
        written: list[Written] = []
        for row in claimed:
            o = outcomes.get(row.id)
            if o is None:  # lost to the sweeper before the handover: no longer this worker's to write
                continue
            self.result.counts[o.status] += 1
            if o.status == Status.QUEUED:
                if o.not_before is not None and (self.result.retry_at is None or o.not_before < self.result.retry_at):
                    self.result.retry_at = o.not_before
                continue
            written.append(
                Written(
                    row.id,
                    row.endpoint_id,
                    row.user_id,
                    o.address or row.address,
                    o.status,
                    o.reason,
                    o.provider_message_id,
                    o.status_message,
                    o.parts,
                    o.price_millicents,
                    o.attributes,
                )
            )
        delivery_events_record(dispatch=self.dispatch, rows=written, now=now)
        if self.dispatch.fallback_id is not None:
            keys = {row.id: row.key for row in claimed}
            moving = [
                Hop(keys[w.delivery_id], w.delivery_id, w.user_id, w.endpoint_id)
                for w in written
                if (w.status, w.reason) in FALLBACK_AFTER
            ]
            if moving:
                deliveries_fall_back(dispatch=self.dispatch, hops=moving)


def _from_error(delivery_id: int, exc: TransportError, idempotent: bool) -> SendResult:
    if exc.permanent:
        status = "failed"
    elif exc.throttled:
        status = "throttled"
    elif exc.delivered_unknown and not idempotent:
        status = "unknown"
    else:
        status = "retry"
    return SendResult(delivery_id, status, message=exc.message, status_code=429 if exc.throttled else 500)
