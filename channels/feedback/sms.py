"""SMS feedback through SNS: inbound messages (two-way SMS) and delivery receipts (event destinations).

Inbound (`originationNumber` = the recipient's phone, `destinationNumber` = our number, `messageBody`): an opt-out
keyword (ARRET, CANCEL, END, OPT-OUT, OPTOUT, QUIT, REMOVE, STOP, TD, UNSUBSCRIBE) opts the tenant's SMS
endpoints with that number out (opt_out_record) and records `_SMS.OPTOUT`; HELP / AIDE is answered with the
config's `help_text`; a custom keyword of the config's `keywords` with its response. Answers are transactional
sends from the number that received the message, through the same channel config.

Receipts (End User Messaging SMS events: `messageId`, `messageStatus`, `isFinal`): DELIVERED / SUCCESSFUL → the
row is delivered, `_SMS.SUCCESS`; a final failure → failed, `_SMS.FAILURE` and the next hop of a fallback chain
within its window (OPTED_OUT also opts the number out);
interim statuses (QUEUED, PENDING...) change nothing.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime
from typing import Any

from channels.feedback.config import HELP_KEYWORDS, OPT_OUT_KEYWORDS, keyword_of
from channels.models import ChannelConfig, Delivery, Reason, Source, Status
from channels.services.dispatch import Recipient, deliveries_enqueue, dispatch_create
from channels.services.engagement import delivery_events_add, delivery_for_message, delivery_status_move
from channels.services.fallback import delivery_fall_back
from engage.errors import Invalid
from engage.events.services import SystemEvent, system_events_record
from segments.selectors import endpoints_search
from segments.services.suppression import opt_out_record
from templates.models import Channel

log = logging.getLogger(__name__)

SOURCE = "sms-feedback"
SUCCESS_STATUSES = frozenset({"DELIVERED", "SUCCESSFUL"})
INTERIM_STATUSES = frozenset({"QUEUED", "PENDING", "SENT", "BUFFERED"})


def sms_record_apply(*, config: ChannelConfig, record: dict[str, Any], now: datetime) -> str:
    """Apply one SMS record (inbound message or delivery receipt) to the config's tenant; returns what it was."""
    if isinstance(record.get("messageBody"), str) and record.get("originationNumber"):
        return _inbound(config, record, now)
    if record.get("messageStatus") and record.get("messageId"):
        return _receipt(config, record, now)
    log.info("SMS record ignored (channel config %s)", config.pk)
    return "ignored"


def _inbound(config: ChannelConfig, record: dict[str, Any], now: datetime) -> str:
    phone = str(record["originationNumber"]).strip()
    ours = str(record.get("destinationNumber") or "").strip()
    keyword = keyword_of(record["messageBody"])
    inbound_id = str(record.get("inboundMessageId") or record.get("previousPublishedMessageId") or "")
    if keyword in OPT_OUT_KEYWORDS:
        _opt_out(config, phone, ours, keyword, inbound_id, now)
        return "optout"
    if keyword in HELP_KEYWORDS:
        answer = str(config.setting("help_text", "") or "")
        kind = "help"
    else:
        keywords = config.setting("keywords", {}) or {}
        answer = str(keywords.get(keyword, "")) if isinstance(keywords, dict) else ""
        kind = "keyword" if answer else "ignored"
    if answer and inbound_id:
        _answer(config, phone, ours, answer, inbound_id)
    return kind


def _opt_out(config: ChannelConfig, phone: str, ours: str, keyword: str, inbound_id: str, now: datetime) -> None:
    tenant = config.tenant
    endpoints = list(endpoints_search(tenant=tenant, address=phone, channel_type="SMS").order_by("endpoint_id")[:1000])
    try:
        opt_out_record(tenant=tenant, address=phone, channel=Channel.SMS, source=SOURCE, now=now)
    except Invalid:
        log.warning("STOP from an unusable number ignored (tenant %s)", tenant.pk)
        return
    attributes = {
        "origination_phone_number": ours,
        "destination_phone_number": phone,
        "keyword": keyword,
        "inbound_message_id": inbound_id,
        "record_status": "OPTED_OUT",
    }
    events = [
        SystemEvent("_SMS.OPTOUT", e.endpoint_id, e.user_id or "", now, attributes, {}, "", "", None) for e in endpoints
    ] or [SystemEvent("_SMS.OPTOUT", phone, "", now, attributes, {}, "", "", None)]
    system_events_record(tenant=tenant, events=events, arrival=now)


def _answer(config: ChannelConfig, phone: str, ours: str, text: str, inbound_id: str) -> None:
    """Send `text` back to `phone` from `ours` once per inbound message (the ledger key makes a retry a no-op)."""
    key = f"sms-answer:{config.pk}:{inbound_id}"
    if Delivery.objects.for_tenant(config.tenant).filter(key=key).exists():
        return
    options = {"MessageType": "TRANSACTIONAL", **({"OriginationNumber": ours} if ours else {})}
    message = {
        "channel": Channel.SMS,
        "content": {"Body": text},
        "default_substitutions": {},
        "policy": "EMPTY",
        "options": options,
        "template": None,
    }
    dispatch = dispatch_create(
        tenant=config.tenant,
        channel=Channel.SMS,
        source=Source.TRANSACTIONAL,
        message=message,
        config=config,
        created_by="sms-keyword",
    )
    deliveries_enqueue(dispatch=dispatch, recipients=[Recipient(key=key, address=phone)])


def _receipt(config: ChannelConfig, record: dict[str, Any], now: datetime) -> str:
    status = str(record["messageStatus"]).upper()
    final = record.get("isFinal", True) is not False
    if status in INTERIM_STATUSES or not final:
        return "interim"
    context = record.get("context") if isinstance(record.get("context"), dict) else {}
    delivery = delivery_for_message(
        tenant=config.tenant,
        channel=Channel.SMS,
        provider_message_id=str(record["messageId"]),
        delivery_id=(context or {}).get("engage_delivery"),
    )
    if status == "OPTED_OUT":
        phone = str(record.get("destinationPhoneNumber") or (delivery.address if delivery else ""))
        if phone:
            _opt_out(config, phone, str(record.get("originationPhoneNumber") or ""), "", "", now)
    if delivery is None:
        log.info("SMS receipt for an unknown message (channel config %s)", config.pk)
        return "unknown"
    success = status in SUCCESS_STATUSES
    description = str(record.get("messageStatusDescription") or status)
    moved = delivery_status_move(
        delivery=delivery,
        to=Status.DELIVERED if success else Status.FAILED,
        now=now,
        reason="" if success else Reason.PROVIDER_REJECTED,
        message=f"{status}: {description}",
    )
    if moved:
        delivery_events_add(delivery=delivery, events=[_receipt_event(record, status, success)], now=now)
        if not success:
            delivery_fall_back(delivery=delivery, now=now)  # the next hop of a fallback chain, in its window
    return "delivered" if success else "failed"


def _receipt_event(record: dict[str, Any], status: str, success: bool) -> tuple[str, dict[str, str], dict[str, float]]:
    attributes = {
        "record_status": status,
        "origination_phone_number": str(record.get("originationPhoneNumber") or ""),
        "iso_country_code": str(record.get("isoCountryCode") or ""),
        "number_of_message_parts": str(record.get("totalMessageParts") or ""),
        "message_type": str(record.get("messageType") or "").title(),
        "feedback": str(record.get("messageStatusDescription") or "")[:1000],
    }
    metrics: dict[str, float] = {}
    if record.get("totalMessagePrice") is not None:
        with contextlib.suppress(TypeError, ValueError):
            metrics["price_in_millicents_usd"] = round(float(record["totalMessagePrice"]) * 100_000, 3)
    return ("_SMS.SUCCESS" if success else "_SMS.FAILURE"), attributes, metrics
