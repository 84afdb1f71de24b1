"""The custom channel as a signed webhook: a POST of Pinpoint's custom-channel payload, ≤ 50 endpoints a call.

Requests are signed exactly like event-stream webhooks (the same `signature()`: X-Engage-Timestamp and
X-Engage-Signature `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, so one receiver check serves both) and carry
an Idempotency-Key derived from the batch's delivery keys. The transport is not `idempotent`: a request that may
have arrived (a read timeout) is never sent again, its rows end `unknown` (docs/channels.md "Webhook transport").
"""

from __future__ import annotations

import hashlib
import http.client
import json
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from channels.transports.base import (
    CheckResult,
    OutboundMessage,
    SendResult,
    Transport,
    TransportError,
    transport_register,
)
from channels.transports.httpclient import HttpConnection, response_text
from engage import clock
from engage.events.streams.destinations.webhook import signature

if TYPE_CHECKING:
    from channels.models import ChannelConfig

USER_AGENT = "Engage-Webhook/1"
MAX_ENDPOINTS = 50
DEFAULT_TIMEOUT = 10.0
DEFAULT_CONNECT_TIMEOUT = 5.0


@dataclass
class Call:
    """One POST: messages that share the rendered Data, keyed by endpoint id (or raw address)."""

    data: str
    source: dict[str, str]
    messages: list[OutboundMessage] = field(default_factory=list)
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def idempotency_key(self) -> str:
        """The same for the same batch sent again: a hash of its delivery keys."""
        keys = "\n".join(sorted(m.key for m in self.messages))
        return hashlib.sha256(keys.encode()).hexdigest()[:40]

    def payload(self, scheduled_time: str) -> dict[str, Any]:
        source = self.source
        payload: dict[str, Any] = {
            "Message": {},
            "Data": self.data,
            "ApplicationId": source.get("application_id", ""),
            "CampaignId": source.get("campaign_id", ""),
            "TreatmentId": source.get("treatment_id", ""),
            "ActivityId": source.get("activity_id") or source.get("run_id", ""),
            "ScheduledTime": scheduled_time,
            "Endpoints": self.endpoints,
        }
        if source.get("journey_id"):
            payload["JourneyId"] = source["journey_id"]
        return payload


def endpoint_entry(message: OutboundMessage) -> tuple[str, dict[str, Any]]:
    """(key in "Endpoints", EndpointResponse JSON): the endpoint by its id, a raw address by itself."""
    if message.endpoint is not None and message.endpoint_id:
        return message.endpoint_id, message.endpoint
    channel_type = str(message.options.get("ChannelType") or "CUSTOM")
    return message.address, {"ChannelType": channel_type, "Address": message.address}


def calls_for(batch: list[OutboundMessage]) -> list[Call]:
    """Group messages into calls of ≤ 50 endpoints with one Data each (a key twice goes to another call)."""
    calls: list[Call] = []
    for message in batch:
        key, entry = endpoint_entry(message)
        data = str(message.parts.get("Data", ""))
        call = next(
            (
                c
                for c in calls
                if c.data == data
                and c.source == message.source
                and len(c.endpoints) < MAX_ENDPOINTS
                and key not in c.endpoints
            ),
            None,
        )
        if call is None:
            call = Call(data=data, source=message.source)
            calls.append(call)
        call.messages.append(message)
        call.endpoints[key] = entry
    return calls


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, (parsedate_to_datetime(value) - clock.now()).total_seconds())
    except (TypeError, ValueError):
        return None


def _provider_id(body: bytes, fallback: str) -> str:
    try:
        data = json.loads(body) if body else None
    except ValueError:
        return fallback
    if isinstance(data, dict):
        for name in ("id", "Id", "MessageId", "message_id"):
            if isinstance(data.get(name), str | int) and str(data[name]):
                return str(data[name])[:255]
    return fallback


def _error_for(status: int, headers: http.client.HTTPMessage, body: bytes, host: str) -> TransportError:
    """What a non-2xx answer means: throttling, a retryable server error, or a permanent refusal."""
    text = f"{host} answered HTTP {status}"
    detail = response_text(body)
    if detail:
        text = f"{text}: {detail}"
    retry_after = _retry_after(headers.get("Retry-After"))
    if status == 429 or (status == 503 and retry_after is not None):
        return TransportError(text, permanent=False, throttled=True, retry_after=retry_after)
    if status >= 500 or status == 408:
        return TransportError(text, permanent=False)
    if 300 <= status < 400:
        return TransportError(f"{text} (redirects are not followed: configure the final URL)", permanent=True)
    return TransportError(text, permanent=True)


def _results(messages: list[OutboundMessage], exc: TransportError, status_code: int) -> list[SendResult]:
    if exc.permanent:
        status = "failed"
    elif exc.throttled:
        status = "throttled"
    elif exc.delivered_unknown:
        status = "unknown"
    else:
        status = "retry"
    return [SendResult(m.delivery_id, status, message=exc.message, status_code=status_code) for m in messages]


@transport_register
class WebhookTransport(Transport):
    """POSTs Pinpoint's custom-channel payload to the config's URL, signed with its `signing_secret`."""

    name = "webhook"
    batch_size = MAX_ENDPOINTS
    idempotent = False  # a request that may have arrived is resolved `unknown`, never sent twice

    def __init__(self, config: ChannelConfig | None) -> None:
        super().__init__(config)
        try:
            secrets = json.loads(config.secrets or "{}") if config is not None else {}
        except ValueError:
            secrets = {}
        self.secret = str(secrets.get("signing_secret", "")) if isinstance(secrets, dict) else ""
        types = self.setting("endpoint_types", None)
        self.endpoint_types = [str(t) for t in types] if isinstance(types, list) and types else ["CUSTOM"]
        read = float(self.setting("timeout_seconds", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT)
        connect = float(self.setting("connect_timeout_seconds", DEFAULT_CONNECT_TIMEOUT) or DEFAULT_CONNECT_TIMEOUT)
        self.http = HttpConnection(str(self.setting("url", "")), connect_timeout=min(connect, read), read_timeout=read)

    def send(self, batch: list[OutboundMessage]) -> list[SendResult]:
        if not self.secret:
            raise TransportError("the webhook has no signing secret: set one in the channel settings", permanent=True)
        results: list[SendResult] = []
        forwarded = []
        for message in batch:
            channel_type = (message.endpoint or {}).get("ChannelType")
            if message.endpoint is not None and channel_type not in self.endpoint_types:
                text = f"endpoint type {channel_type} is not among the webhook's endpoint types"
                results.append(SendResult.failed(message, f"{text} ({', '.join(self.endpoint_types)})"))
            else:
                forwarded.append(message)
        calls = calls_for(forwarded)
        for index, call in enumerate(calls):
            try:
                results.extend(self._post(call))
            except TransportError as exc:
                code = 429 if exc.throttled else 400 if exc.permanent else 500
                results.extend(_results(call.messages, exc, code))
                if not exc.permanent:
                    # The endpoint is unwell: the calls not made yet go back to the queue, unsent.
                    rest = [m for c in calls[index + 1 :] for m in c.messages]
                    text = f"not sent: an earlier call of the batch failed ({exc.message})"
                    later = TransportError(text, permanent=False, throttled=exc.throttled)
                    results.extend(_results(rest, later, code))
                    break
        return results

    def _post(self, call: Call) -> list[SendResult]:
        now = clock.now()
        scheduled = str(call.messages[0].options.get("ScheduledTime") or "") or _iso(now)
        body = json.dumps(call.payload(scheduled), separators=(",", ":"), ensure_ascii=False).encode()
        timestamp = int(now.timestamp())
        key = call.idempotency_key
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Idempotency-Key": key,
            "X-Engage-Timestamp": str(timestamp),
            "X-Engage-Signature": signature(secret=self.secret, timestamp=timestamp, body=body),
        }
        answer = self.http.exchange("POST", body=body, headers=headers)
        if not 200 <= answer.status < 300:
            raise _error_for(answer.status, answer.headers, answer.body, self.http.host)
        provider_id = _provider_id(answer.body, key)
        return [SendResult.sent(m, provider_message_id=provider_id, status_code=answer.status) for m in call.messages]

    def check(self) -> CheckResult:
        """HEAD the URL (Pinpoint's ownership handshake): 2xx is ok; show the status and identifying headers."""
        try:
            answer = self.http.exchange("HEAD", body=None, headers={"User-Agent": USER_AGENT})
        except TransportError as exc:
            return CheckResult(ok=False, error=exc.message)
        finally:
            self.http.close()
        values = {
            "status": answer.status,
            "X-Amz-Pinpoint-AccountId": answer.headers.get("X-Amz-Pinpoint-AccountId", ""),
            "Server": answer.headers.get("Server", ""),
        }
        if 200 <= answer.status < 300:
            return CheckResult(ok=True, values=values)
        return CheckResult(ok=False, values=values, error=f"{self.http.host} answered HEAD with HTTP {answer.status}")

    def close(self) -> None:
        self.http.close()


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
