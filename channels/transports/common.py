"""Pieces the provider transports share: decrypted secrets, TransportError → per-message results, and
sending a batch one call per message on a small thread pool."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from channels.transports.base import OutboundMessage, SendResult, TransportError

if TYPE_CHECKING:
    from channels.models import ChannelConfig


def config_secrets(config: ChannelConfig | None) -> dict[str, str]:
    """The config's decrypted credentials (a JSON object; empty or unreadable = none)."""
    raw = (config.secrets if config is not None else "") or ""
    try:
        data = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items() if v not in (None, "")} if isinstance(data, dict) else {}


def error_result(message: OutboundMessage, error: TransportError, *, idempotent: bool = False) -> SendResult:
    """What a batch-level error means for one message (the same rules the send service applies)."""
    if error.permanent:
        status = "failed"
    elif error.throttled:
        status = "throttled"
    elif error.delivered_unknown and not idempotent:
        status = "unknown"
    else:
        status = "retry"
    code = 429 if error.throttled else (400 if error.permanent else 500)
    return SendResult(message.delivery_id, status, message=error.message, status_code=code)


def not_sent(error: TransportError) -> TransportError:
    """The same error for a message that was never handed over (so its fate is not unknown)."""
    return TransportError(
        error.message, permanent=error.permanent, throttled=error.throttled, retry_after=error.retry_after
    )


class PerMessageSender:
    """Sends a batch with one provider call per message, `workers` at a time. `send_one` returns the
    message's result or raises TransportError for a batch-level failure (throttling, credentials, a lost
    connection): that message gets the error's outcome, and messages not started yet get it too, unsent —
    hammering a provider that throttles us or refuses our credentials only makes things worse."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None

    def run(self, batch: list[OutboundMessage], send_one: Callable[[OutboundMessage], SendResult]) -> list[SendResult]:
        stop: list[TransportError] = []

        def one(message: OutboundMessage) -> SendResult:
            if stop:
                return error_result(message, not_sent(stop[0]))
            try:
                return send_one(message)
            except TransportError as exc:
                stop.append(exc)
                return error_result(message, exc)

        if self.workers <= 1 or len(batch) <= 1:
            return [one(m) for m in batch]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="transport")
        return list(self._pool.map(one, batch))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
