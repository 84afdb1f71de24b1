"""SES event publishing records (and the older notification form) applied to the ledger, events and suppression.

`eventType` (event publishing) or `notificationType` (identity notifications) name the record: Delivery → the
row is delivered (`_email.delivered`); Bounce → failed, `_email.hardbounce` (Permanent) or `_email.softbounce`
(Transient, Undetermined) and bounce_record, and a hard bounce within a fallback chain's window moves the
recipient to the next hop; Complaint → `_email.complaint` and bounce_record; Reject → failed, `_email.rejected`;
Open / Click → `_email.open` / `_email.click` once per delivery and hour; Subscription with unsubscribeAll →
opt-out and `_email.unsubscribe`; Send, DeliveryDelay and Rendering Failure change nothing.
The row is the tenant's one whose provider message id is `mail.messageId`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from channels.models import ChannelConfig, Delivery, Reason, Status
from channels.services.engagement import (
    delivery_events_add,
    delivery_for_message,
    delivery_status_move,
    once_per_hour,
)
from channels.services.fallback import delivery_fall_back
from engage.errors import Invalid
from segments.services.suppression import bounce_record, opt_out_record
from templates.models import Channel

log = logging.getLogger(__name__)

SOURCE = "ses-feedback"
Event = tuple[str, dict[str, str], dict[str, float]]


def _address(value: Any) -> str:
    return parseaddr(str(value or ""))[1].strip()


class SesRecord:
    """One SES record for one channel config: the row it is about, and what to do with it."""

    def __init__(self, config: ChannelConfig, record: dict[str, Any], now: datetime) -> None:
        self.config = config
        self.tenant = config.tenant
        self.record = record
        self.now = now
        self.kind = str(record.get("eventType") or record.get("notificationType") or "")
        mail = record.get("mail")
        self.mail: dict[str, Any] = mail if isinstance(mail, dict) else {}
        tags = self.mail.get("tags")
        tagged = (tags if isinstance(tags, dict) else {}).get("engage_delivery") or [""]
        self.delivery: Delivery | None = delivery_for_message(
            tenant=self.tenant,
            channel=Channel.EMAIL,
            provider_message_id=str(self.mail.get("messageId") or ""),
            delivery_id=tagged[0] if isinstance(tagged, list) and tagged else tagged,
        )

    def detail(self, name: str) -> dict[str, Any]:
        value = self.record.get(name)
        return value if isinstance(value, dict) else {}

    def apply(self) -> str:
        handler = HANDLERS.get(self.kind)
        if handler is None:
            log.info("SES %r record ignored (channel config %s)", self.kind, self.config.pk)
            return "ignored"
        return handler(self)

    def events(self, *events: Event) -> None:
        if self.delivery is not None:
            delivery_events_add(delivery=self.delivery, events=list(events), now=self.now)

    def move(self, to: str, *, reason: str = "", message: str = "") -> bool:
        if self.delivery is None:
            return False
        return delivery_status_move(delivery=self.delivery, to=to, now=self.now, reason=reason, message=message)

    def suppress(self, address: str, kind: str) -> None:
        try:
            bounce_record(tenant=self.tenant, address=address, kind=kind, source=SOURCE, channel=Channel.EMAIL)
        except Invalid:
            log.warning("SES %s of an unusable address ignored (tenant %s)", kind, self.tenant.pk)


def _delivery(r: SesRecord) -> str:
    delivery = r.detail("delivery")
    if r.move(Status.DELIVERED):
        attributes = {
            "feedback": "delivered",
            "smtp_response": str(delivery.get("smtpResponse", ""))[:1000],
            "reporting_mta": str(delivery.get("reportingMTA", "")),
        }
        metrics = {"processing_time_millis": float(delivery.get("processingTimeMillis") or 0)}
        r.events(("_email.delivered", attributes, metrics))
    return "delivered"


def _bounce(r: SesRecord) -> str:
    bounce = r.detail("bounce")
    hard = bounce.get("bounceType") == "Permanent"
    recipients = [x for x in bounce.get("bouncedRecipients") or [] if isinstance(x, dict)]
    for recipient in recipients:
        if _address(recipient.get("emailAddress")):
            r.suppress(_address(recipient.get("emailAddress")), "hard" if hard else "soft")
    first = recipients[0] if recipients else {}
    diagnostic = str(first.get("diagnosticCode") or bounce.get("bounceSubType") or "bounced")[:1000]
    if r.move(Status.FAILED, reason=Reason.PROVIDER_REJECTED, message=f"bounce: {diagnostic}"):
        attributes = {
            "feedback": diagnostic,
            "bounce_type": str(bounce.get("bounceType", "")),
            "bounce_sub_type": str(bounce.get("bounceSubType", "")),
            "status": str(first.get("status", "")),
        }
        r.events(("_email.hardbounce" if hard else "_email.softbounce", attributes, {}))
        if hard and r.delivery is not None:
            delivery_fall_back(delivery=r.delivery, now=r.now)  # the next hop of a fallback chain, in its window
    return "hardbounce" if hard else "softbounce"


def _complaint(r: SesRecord) -> str:
    complaint = r.detail("complaint")
    for recipient in complaint.get("complainedRecipients") or []:
        if isinstance(recipient, dict) and _address(recipient.get("emailAddress")):
            r.suppress(_address(recipient.get("emailAddress")), "complaint")
    feedback_type = str(complaint.get("complaintFeedbackType", ""))
    r.events(("_email.complaint", {"feedback": feedback_type or "complaint", "complaint_type": feedback_type}, {}))
    return "complaint"


def _reject(r: SesRecord) -> str:
    reason = str(r.detail("reject").get("reason") or "rejected")[:1000]
    if r.move(Status.FAILED, reason=Reason.PROVIDER_REJECTED, message=f"rejected by SES: {reason}"):
        r.events(("_email.rejected", {"feedback": reason}, {}))
    return "rejected"


def _engagement(r: SesRecord, kind: str) -> str:
    detail = r.detail(kind.lower())
    if r.delivery is None or not once_per_hour(kind=kind.lower(), delivery_id=r.delivery.pk, now=r.now):
        return "duplicate"
    attributes = {"ip_address": str(detail.get("ipAddress", "")), "user_agent": str(detail.get("userAgent", ""))}
    if kind == "Click":
        attributes.update(feedback=str(detail.get("link", "")), link=str(detail.get("link", "")))
    else:
        attributes["feedback"] = "opened"
    r.events((f"_email.{kind.lower()}", attributes, {}))
    return kind.lower()


def _subscription(r: SesRecord) -> str:
    preferences = r.detail("subscription").get("newTopicPreferences") or {}
    if not (isinstance(preferences, dict) and preferences.get("unsubscribeAll")):
        return "ignored"
    for address in r.mail.get("destination") or []:
        try:
            opt_out_record(tenant=r.tenant, address=_address(address), channel=Channel.EMAIL, source=SOURCE)
        except Invalid:
            continue
    r.events(("_email.unsubscribe", {"feedback": "unsubscribed"}, {}))
    return "unsubscribe"


HANDLERS: dict[str, Callable[[SesRecord], str]] = {
    "Delivery": _delivery,
    "Bounce": _bounce,
    "Complaint": _complaint,
    "Reject": _reject,
    "Open": lambda r: _engagement(r, "Open"),
    "Click": lambda r: _engagement(r, "Click"),
    "Subscription": _subscription,
    "Send": lambda r: "ignored",
    "DeliveryDelay": lambda r: "ignored",
    "Rendering Failure": lambda r: "ignored",
}


def ses_record_apply(*, config: ChannelConfig, record: dict[str, Any], now: datetime) -> str:
    """Apply one SES record to the config's tenant; returns what it was (delivered, hardbounce, ignored...)."""
    return SesRecord(config, record, now).apply()
