"""A journey's custom-channel activity with a DeliveryUri: a synchronous, signed POST of Pinpoint's custom-channel
payload (≤ 50 endpoints a call, signed like the webhook transport and campaign hooks: X-Engage-Timestamp and
X-Engage-Signature with the tenant's webhook signing secret). The JSON answer is kept per endpoint so that later
splits can branch on it ("response attribute = value")."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from campaigns.services.hook import hook_signing_secret
from channels.transports.base import TransportError
from channels.transports.httpclient import HttpConnection, response_text
from channels.transports.webhook import USER_AGENT
from engage.events.streams.destinations.webhook import signature
from segments.codec import endpoint_to_pinpoint
from segments.models import Endpoint

BATCH = 50
TIMEOUT = 10.0
MAX_STORED = 4000  # characters of an answer kept per participant (participant.data stays small)


@dataclass
class Answer:
    """What the webhook said about one endpoint."""

    ok: bool
    status: int = 0
    body: Any = None
    error: str = ""


@dataclass
class Call:
    url: str
    application_id: str
    journey_id: str
    activity_id: str
    data: str
    answers: dict[str, Answer] = field(default_factory=dict)


def is_webhook(uri: str) -> bool:
    """A DeliveryUri Engage calls itself (a Lambda ARN goes through the tenant's custom channel instead)."""
    return uri.lower().startswith(("https://", "http://"))


def custom_invoke(
    *, tenant_id: int, call: Call, endpoints: list[Endpoint], keys: dict[str, str], now: datetime
) -> None:
    """POST the endpoints in batches; fills `call.answers` by endpoint id (a failed batch fails all of its own)."""
    secret = hook_signing_secret(tenant_id=tenant_id)
    http = HttpConnection(call.url, connect_timeout=TIMEOUT, read_timeout=TIMEOUT)
    try:
        for start in range(0, len(endpoints), BATCH):
            batch = endpoints[start : start + BATCH]
            if not secret:
                text = "no signing secret: add a webhook channel config with one (Channels → Custom)"
                call.answers.update({e.endpoint_id: Answer(False, error=text) for e in batch})
                continue
            call.answers.update(_post(http, secret, call, batch, [keys[e.endpoint_id] for e in batch], now))
    finally:
        http.close()


def _payload(call: Call, batch: list[Endpoint], now: datetime) -> dict[str, Any]:
    return {
        "Message": {},
        "Data": call.data,
        "ApplicationId": call.application_id,
        "CampaignId": "",
        "TreatmentId": "",
        "JourneyId": call.journey_id,
        "ActivityId": call.activity_id,
        "ScheduledTime": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        "Endpoints": {e.endpoint_id: endpoint_to_pinpoint(e, application_id=call.application_id) for e in batch},
    }


def _post(
    http: HttpConnection, secret: str, call: Call, batch: list[Endpoint], keys: list[str], now: datetime
) -> dict[str, Answer]:
    body = json.dumps(_payload(call, batch, now), separators=(",", ":"), ensure_ascii=False, default=str).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        # The same batch of the same participants carries the same key: a receiver can drop a repeat.
        "Idempotency-Key": hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:40],
        "X-Engage-Timestamp": str(timestamp),
        "X-Engage-Signature": signature(secret=secret, timestamp=timestamp, body=body),
    }
    try:
        answer = http.exchange("POST", body=body, headers=headers)
    except TransportError as exc:
        return {e.endpoint_id: Answer(False, error=exc.message) for e in batch}
    if not 200 <= answer.status < 300:
        text = f"{http.host} answered HTTP {answer.status}: {response_text(answer.body)}"
        return {e.endpoint_id: Answer(False, status=answer.status, error=text) for e in batch}
    try:
        parsed = json.loads(answer.body) if answer.body else {}
    except ValueError:
        parsed = response_text(answer.body)
    per_endpoint = parsed.get("Endpoints") if isinstance(parsed, dict) else None
    out: dict[str, Answer] = {}
    for e in batch:
        entry = per_endpoint.get(e.endpoint_id, parsed) if isinstance(per_endpoint, dict) else parsed
        out[e.endpoint_id] = Answer(True, status=answer.status, body=_bounded(entry))
    return out


def _bounded(value: Any) -> Any:
    text = json.dumps(value, default=str)
    return value if len(text) <= MAX_STORED else {"truncated": text[:MAX_STORED]}


def response_record(answers: list[Answer]) -> dict[str, Any]:
    """What a participant keeps of its endpoints' answers (data["responses"][activity]): success when any succeeded,
    the first answer's body as `response`, each endpoint's in `endpoints`."""
    ok = [a for a in answers if a.ok]
    first = ok[0] if ok else (answers[0] if answers else Answer(False))
    return {
        "success": bool(ok),
        "status": first.status,
        "response": first.body,
        "error": first.error[:500],
        "bodies": [a.body for a in ok],
    }
