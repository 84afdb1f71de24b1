"""A signed webhook: POST a JSON array of records, signed with HMAC-SHA256 over `timestamp.body`.

Receivers recompute `v1=` + hex(HMAC-SHA256(secret, f"{X-Engage-Timestamp}." + raw body)), compare it in
constant time, and refuse timestamps older than the replay window (docs/event-streams.md).
"""

from __future__ import annotations

import hashlib
import hmac
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from engage.events.streams.destinations.base import DeliveryError, chunks
from engage.events.streams.destinations.network import address_check
from engage.events.streams.models import EventStream
from engage.events.streams.records import Record

MAX_RECORDS = 100
MAX_BYTES = 1024 * 1024
REPLAY_WINDOW_SECONDS = 300
USER_AGENT = "Engage-EventStream/1"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: a signed POST must reach the URL the user configured."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The X-Engage-Signature header value for a body sent at `timestamp` (Unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def _post(stream: EventStream, body: bytes, *, now: datetime, batch: str) -> int:
    timestamp = int(now.timestamp())
    request = urllib.request.Request(  # noqa: S310  (the URL is validated to http(s) when it is saved)
        stream.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Engage-Timestamp": str(timestamp),
            "X-Engage-Signature": signature(secret=stream.webhook_secret, timestamp=timestamp, body=body),
            "X-Engage-Stream": str(stream.pk),
            "X-Engage-Batch": batch,
        },
    )
    host = urlsplit(stream.url).netloc
    try:
        with _opener.open(request, timeout=stream.timeout_seconds) as response:
            response.read(4096)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace").strip() if exc.fp else ""
        note = " (redirects are not followed: configure the final URL)" if 300 <= exc.code < 400 else ""
        raise DeliveryError(f"{host} answered HTTP {exc.code}{note}{': ' + detail if detail else ''}") from exc
    except TimeoutError as exc:
        raise DeliveryError(f"{host} did not answer within {stream.timeout_seconds} s") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"could not reach {host}: {reason}") from exc


def send(stream: EventStream, records: Sequence[Record], *, now: datetime) -> str:
    """POST the records in order, at most 100 (and 1 MiB) per request; any non-2xx answer refuses the batch."""
    address_check(stream.url)
    status = 0
    for chunk in chunks(records, max_count=MAX_RECORDS, max_bytes=MAX_BYTES, size=lambda r: len(r.data) + 1):
        body = b"[" + b",".join(r.data for r in chunk) + b"]"
        status = _post(stream, body, now=now, batch=f"{chunk[0].event_id}-{chunk[-1].event_id}")
    return f"HTTP {status}"
