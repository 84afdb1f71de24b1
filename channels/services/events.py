"""System events derived from ledger rows, with Pinpoint's event types and attribute names.

One function builds them from what was just written to the ledger, so the ledger is the one source:
`_campaign.send` / `_journey.send` for campaign and journey messages, `_email.send` / `_email.rejected` /
`_email.rendering_failure`, and `_SMS.BUFFERED` / `_SMS.FAILURE`. Test messages record none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from channels.models import Dispatch, Reason, Source, Status
from engage.events.services import SystemEvent, system_events_record
from templates.models import Channel

# Pinpoint's campaign_send_status / journey_send_status for a ledger status and reason.
_SEND_STATUS: dict[tuple[str, str], str] = {
    (Status.SENT, ""): "SUCCESS",
    (Status.FAILED, Reason.PROVIDER_REJECTED): "PERMANENT_FAILURE",
    (Status.FAILED, Reason.PROVIDER_ERROR): "TEMPORARY_FAILURE",
    (Status.FAILED, Reason.RENDERING_FAILURE): "FAILURE",
    (Status.SKIPPED, Reason.OPT_OUT): "OPT_OUT",
    (Status.SKIPPED, Reason.NO_CONSENT): "OPT_OUT",
    (Status.SKIPPED, Reason.CAP): "DAILY_CAP",
    (Status.SKIPPED, Reason.QUIET_TIME): "QUIET_TIME",
    (Status.SKIPPED, Reason.DUPLICATE): "DUPLICATE",
    (Status.EXPIRED, Reason.EXPIRED): "EXPIRED",
    (Status.UNKNOWN, Reason.WORKER_LOST): "UNKNOWN_FAILURE",
}


def send_status(status: str, reason: str) -> str:
    return (
        _SEND_STATUS.get((status, reason))
        or _SEND_STATUS.get((status, ""))
        or ("UNKNOWN_FAILURE" if status == Status.UNKNOWN else "FAILURE")
    )


@dataclass
class Written:
    """One row as written: enough to derive its events."""

    delivery_id: int
    endpoint_id: str
    user_id: str
    address: str
    status: str
    reason: str
    provider_message_id: str = ""
    status_message: str = ""
    parts: int = 0
    price_millicents: int = 0
    attributes: dict[str, str] | None = None


def _source_attributes(dispatch: Dispatch) -> dict[str, str]:
    if dispatch.source == Source.CAMPAIGN:
        return {
            "campaign_id": dispatch.campaign_id,
            "campaign_activity_id": dispatch.run_id,
            "treatment_id": dispatch.treatment_id or "0",
        }
    if dispatch.source == Source.JOURNEY:
        return {
            "journey_id": dispatch.journey_id,
            "journey_run_id": dispatch.run_id,
            "journey_activity_id": dispatch.activity_id,
        }
    return {}


def _delivery_type(channel: str) -> str:
    names: dict[str, str] = {Channel.PUSH: "PUSH", Channel.ALIMTALK: "CUSTOM"}
    return names.get(channel, channel)


def _channel_event(
    dispatch: Dispatch, options: dict[str, object], row: Written
) -> tuple[str, dict[str, str], dict[str, float]] | None:
    if dispatch.channel == Channel.EMAIL:
        kinds: dict[str, str] = {Status.SENT: "_email.send", Status.FAILED: "_email.rejected"}
        kind = kinds.get(row.status)
        if row.reason == Reason.RENDERING_FAILURE:
            kind = "_email.rendering_failure"
        if kind is None:
            return None
        attributes = {"message_id": row.provider_message_id, "destination": row.address}
        if options.get("FromAddress"):
            attributes["from_address"] = str(options["FromAddress"])
        if row.status != Status.SENT:
            attributes["feedback"] = row.status_message[:1000]
        return kind, attributes, {}
    if dispatch.channel == Channel.SMS and row.status in (Status.SENT, Status.FAILED):
        attributes = {
            "message_id": row.provider_message_id,
            "destination_phone_number": row.address,
            "record_status": "SUCCESSFUL" if row.status == Status.SENT else "FAILED",
            "number_of_message_parts": str(row.parts),
            "message_type": str(options.get("MessageType", "TRANSACTIONAL")).title(),
            **(row.attributes or {}),
        }
        metrics = {"price_in_millicents_usd": float(row.price_millicents)} if row.status == Status.SENT else {}
        return ("_SMS.BUFFERED" if row.status == Status.SENT else "_SMS.FAILURE"), attributes, metrics
    return None


def delivery_events_record(*, dispatch: Dispatch, rows: Sequence[Written], now: datetime) -> int:
    """Record the system events of rows that reached a final state. Returns how many were written."""
    if dispatch.source == Source.TEST or not rows:
        return 0
    source = _source_attributes(dispatch)
    options = (dispatch.message or {}).get("options") or {}
    events: list[SystemEvent] = []
    prefix = {Source.CAMPAIGN: "campaign", Source.JOURNEY: "journey"}.get(Source(dispatch.source), "")
    kind_key = "delivery_type" if prefix == "campaign" else "journey_activity_type"
    delivery_type = _delivery_type(dispatch.channel)
    # The source event's attributes depend only on the row's status: one dict per status, shared by its rows
    # (and serialised once by the COPY).
    shared: dict[tuple[str, str], dict[str, str]] = {}
    empty: dict[str, float] = {}
    for row in rows:
        endpoint_id = row.endpoint_id or row.address
        if prefix:
            attributes = shared.get((row.status, row.reason))
            if attributes is None:
                attributes = shared[(row.status, row.reason)] = {
                    **source,
                    f"{prefix}_send_status": send_status(row.status, row.reason),
                    kind_key: delivery_type,
                }
            events.append(
                SystemEvent(
                    f"_{prefix}.send",
                    endpoint_id,
                    row.user_id,
                    now,
                    attributes,
                    empty,
                    dispatch.campaign_id,
                    dispatch.journey_id,
                    row.delivery_id,
                )
            )
        channel_event = _channel_event(dispatch, options, row)
        if channel_event is not None:
            kind, attributes, metrics = channel_event
            events.append(
                SystemEvent(
                    kind,
                    endpoint_id,
                    row.user_id,
                    now,
                    {**source, **attributes},
                    metrics or empty,
                    dispatch.campaign_id,
                    dispatch.journey_id,
                    row.delivery_id,
                )
            )
    return system_events_record(tenant=dispatch.tenant, events=events, arrival=now)
