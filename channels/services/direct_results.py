"""Pinpoint's per-recipient answer to a direct send (MessageResult / EndpointMessageResult), read off the ledger."""

from __future__ import annotations

from typing import Any

from channels.models import Delivery, Reason, Status

SUCCESSFUL = "SUCCESSFUL"
THROTTLED = "THROTTLED"
TEMPORARY_FAILURE = "TEMPORARY_FAILURE"
PERMANENT_FAILURE = "PERMANENT_FAILURE"
UNKNOWN_FAILURE = "UNKNOWN_FAILURE"
OPT_OUT = "OPT_OUT"
DUPLICATE = "DUPLICATE"

# Skipped rows: which DeliveryStatus their reason is (anything else skipped is a permanent failure).
_SKIPPED: dict[str, str] = {Reason.OPT_OUT: OPT_OUT, Reason.NO_CONSENT: OPT_OUT, Reason.DUPLICATE: DUPLICATE}
_CODES = {
    SUCCESSFUL: 200,
    THROTTLED: 429,
    TEMPORARY_FAILURE: 503,
    PERMANENT_FAILURE: 400,
    UNKNOWN_FAILURE: 500,
    OPT_OUT: 400,
    DUPLICATE: 400,
}
_REASONS: dict[str, str] = dict(Reason.choices)
_DETAILS: dict[str, str] = {
    Reason.SUPPRESSED: "suppressed: the address is on the suppression list; remove it there to send to it again",
    Reason.DUPLICATE: "duplicate: the same address appears earlier in this request, which sent it once",
}


def result(status: str, message: str, *, code: int | None = None, message_id: str = "") -> dict[str, Any]:
    """One MessageResult: DeliveryStatus, StatusCode, StatusMessage and MessageId (when the provider gave one)."""
    body: dict[str, Any] = {"DeliveryStatus": status, "StatusCode": code or _CODES[status], "StatusMessage": message}
    if message_id:
        body["MessageId"] = message_id
    return body


def _status(row: Delivery) -> str:
    if row.status in (Status.SENT, Status.DELIVERED):
        return SUCCESSFUL
    if row.status == Status.QUEUED and row.reason == Reason.THROTTLED:
        return THROTTLED
    if row.status in (Status.QUEUED, Status.SENDING, Status.HELD):
        return TEMPORARY_FAILURE
    if row.status == Status.SKIPPED:
        return _SKIPPED.get(row.reason, PERMANENT_FAILURE)
    if row.status == Status.FAILED:
        return TEMPORARY_FAILURE if row.reason == Reason.PROVIDER_ERROR else PERMANENT_FAILURE
    return UNKNOWN_FAILURE


def _text(row: Delivery, status: str) -> str:
    detail = (
        _DETAILS.get(row.reason) or row.status_message or (_REASONS.get(row.reason, row.reason) if row.reason else "")
    )
    if status == THROTTLED:
        return f"throttled by the provider ({detail}); the message stays queued and Engage's worker retries it"
    if status == TEMPORARY_FAILURE and row.status != Status.FAILED:
        detail = detail or "not sent yet"
        return f"a temporary provider error ({detail}); the message stays queued and Engage's worker retries it"
    return detail or ("sent" if status == SUCCESSFUL else row.get_status_display())


def delivery_result(row: Delivery) -> dict[str, Any]:
    """The MessageResult of one ledger row."""
    status = _status(row)
    message_id = row.provider_message_id if status == SUCCESSFUL else ""
    return result(status, _text(row, status), message_id=message_id)


def endpoint_result(row: Delivery) -> dict[str, Any]:
    """The EndpointMessageResult of one ledger row (a MessageResult plus the address it went to)."""
    body = delivery_result(row)
    return {"Address": row.address, **body} if row.address else body


def endpoint_not_found(endpoint_id: str) -> dict[str, Any]:
    return result(PERMANENT_FAILURE, f"endpoint not found: no endpoint {endpoint_id!r} in this project", code=404)
