"""The NHN Cloud KakaoTalk Bizmessage AlimTalk API v2.3 wire format: recipient numbers in national form, the
request body of a substitution send, and what its answers mean for each message."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from channels.transports.base import OutboundMessage, SendResult, TransportError
from channels.transports.httpclient import response_text

MAX_RECIPIENTS = 1000
GROUPING_KEY_LIMIT = 100
_SEPARATORS = re.compile(r"[\s\-().]")
# Korean mobile numbers in national form: 010 then 7 or 8 digits, or the older 011/016/017/018/019 ranges.
_MOBILE = re.compile(r"^01[016789]\d{7,8}$")


def national_number(address: str) -> str | None:
    """A Korean mobile number in the national digits AlimTalk takes (+82 10-1234-5678 → 01012345678), or None."""
    digits = _SEPARATORS.sub("", address or "")
    for prefix in ("+82", "0082"):
        if digits.startswith(prefix):
            digits = "0" + digits[len(prefix) :].lstrip("0")
            break
    return digits if _MOBILE.match(digits) else None


def grouping_key(message: OutboundMessage) -> str:
    """recipientGroupingKey: the delivery key, or (past NHN's 100 characters) a digest of it."""
    if len(message.key) <= GROUPING_KEY_LIMIT:
        return message.key
    return "sha256:" + hashlib.sha256(message.key.encode()).hexdigest()[:64]


@dataclass
class Call:
    """One POST .../messages: recipients that share a sender profile and an approved template."""

    sender_key: str
    template_code: str
    messages: list[OutboundMessage] = field(default_factory=list)
    numbers: dict[int, str] = field(default_factory=dict)  # delivery id → recipientNo

    @property
    def idempotency_key(self) -> str:
        """The same for the same batch sent again: a digest of its template and delivery keys."""
        keys = "\n".join([self.sender_key, self.template_code, *sorted(m.key for m in self.messages)])
        return hashlib.sha256(keys.encode()).hexdigest()[:40]

    def body(self) -> bytes:
        recipients = [
            {
                "recipientNo": self.numbers[m.delivery_id],
                "templateParameter": {str(k): str(v) for k, v in (m.parts.get("Variables") or {}).items()},
                # Engage's own fallback chain sends the SMS, so NHN's resend stays off.
                "resendParameter": {"isResend": False},
                "recipientGroupingKey": grouping_key(m),
            }
            for m in self.messages
        ]
        payload: dict[str, Any] = {
            "senderKey": self.sender_key,
            "templateCode": self.template_code,
            "recipientList": recipients,
        }
        source = self.messages[0].source
        group = source.get("campaign_id") or source.get("journey_id")
        if group:
            payload["senderGroupingKey"] = f"{source.get('source', '')}:{group}"[:GROUPING_KEY_LIMIT]
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def calls_for(batch: list[OutboundMessage], default_sender: str) -> tuple[list[Call], list[SendResult]]:
    """Group messages into calls of ≤ 1,000 per (sender key, template code); messages that cannot be sent at
    all (no Korean mobile number, no template code, no sender key) fail on their own."""
    calls: list[Call] = []
    refused: list[SendResult] = []
    for message in batch:
        number = national_number(message.address)
        sender = str(message.parts.get("SenderKey") or default_sender)
        template = str(message.parts.get("TemplateCode") or "")
        problem = ""
        if number is None:
            problem = f"{message.address!r} is not a Korean mobile number (AlimTalk reaches +82 10-…, 011, 016–019)"
        elif not template:
            problem = "the AlimTalk content has no TemplateCode: set the approved template's code"
        elif not sender:
            problem = "no sender key: set SenderKey in the template or sender_key in the channel settings"
        if problem:
            refused.append(SendResult.failed(message, problem))
            continue
        call = next(
            (
                c
                for c in calls
                if (c.sender_key, c.template_code) == (sender, template) and len(c.messages) < MAX_RECIPIENTS
            ),
            None,
        )
        if call is None:
            call = Call(sender_key=sender, template_code=template)
            calls.append(call)
        call.messages.append(message)
        call.numbers[message.delivery_id] = str(number)
    return calls, refused


def obj(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one (NHN's fields may be missing or null)."""
    return value if isinstance(value, dict) else {}


def parse_json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        return {}
    return obj(data)


def header_text(data: dict[str, Any]) -> str:
    header = obj(data.get("header"))
    code, text = header.get("resultCode"), header.get("resultMessage")
    return f"{text} (resultCode {code})" if text or code is not None else ""


def retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (NHN sends none; a proxy in front of it may)."""
    return float(value.strip()) if value and value.strip().isdigit() else None


def error_for(status: int, body: bytes, retry_after: float | None) -> TransportError:
    """What a non-2xx answer means: throttling, a retryable server error, refused credentials or a refusal."""
    detail = header_text(parse_json(body)) or response_text(body)
    text = f"NHN Cloud AlimTalk answered HTTP {status}" + (f": {detail}" if detail else "")
    if status == 429:
        return TransportError(text, permanent=False, throttled=True, retry_after=retry_after)
    if status >= 500 or status == 408:
        return TransportError(text, permanent=False, retry_after=retry_after)
    if status in (401, 403):
        return TransportError(f"{text}; check the appkey and the X-Secret-Key in the channel settings", permanent=True)
    return TransportError(text, permanent=True)


def results_for(call: Call, data: dict[str, Any], status: int) -> list[SendResult]:
    """Per-recipient results of an accepted call (header.isSuccessful); a refused call raises TransportError."""
    header = obj(data.get("header"))
    if header.get("isSuccessful") is not True:
        detail = header_text(data) or "no header.isSuccessful in the answer"
        raise TransportError(f"NHN Cloud AlimTalk refused the request: {detail}", permanent=True)
    message = obj(data.get("message"))
    request_id = str(message.get("requestId") or "")
    answers = [r for r in message.get("sendResults") or [] if isinstance(r, dict)]
    by_key = {grouping_key(m): m for m in call.messages}
    results: list[SendResult] = []
    for index, answer in enumerate(answers):
        target = by_key.get(str(answer.get("recipientGroupingKey") or ""))
        seq = answer.get("recipientSeq")
        if target is None and isinstance(seq, int) and 1 <= seq <= len(call.messages):
            target = call.messages[seq - 1]
        if target is None and index < len(call.messages) and not answer.get("recipientGroupingKey"):
            target = call.messages[index]
        if target is None:
            continue
        by_key.pop(grouping_key(target), None)
        code = answer.get("resultCode")
        if code == 0:
            provider_id = f"{request_id}:{seq}" if request_id and seq is not None else request_id
            results.append(SendResult.sent(target, provider_message_id=provider_id[:255], status_code=status))
        else:
            reason = answer.get("resultMessage") or "no reason given"
            text = f"NHN Cloud refused the recipient: {reason} (resultCode {code})"
            results.append(SendResult.failed(target, text))
    return results
