"""Amazon SES (v2 SendEmail): one call per rendered message, several at once.

SES has no bulk API for content that is already rendered: SendBulkEmail only takes an SES template with
per-destination replacement data, and our messages are rendered by our own Handlebars engine (with
Pinpoint's helpers) per recipient. So each message is one SendEmail call, made concurrently by a small
thread pool; the send service's token bucket (fed by GetAccount's MaxSendRate) keeps us within quota.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from channels.transports.aws import MessageError, aws_client, call
from channels.transports.base import (
    CheckResult,
    OutboundMessage,
    SendResult,
    Transport,
    TransportError,
    transport_register,
)
from channels.transports.common import PerMessageSender
from channels.transports.mime import email_build, headers_of, one_line, reply_to_of, sender_of

if TYPE_CHECKING:
    from channels.models import ChannelConfig

SIMPLE_MAX_HEADERS = 15  # Simple content carries at most 15 headers; beyond that the message goes as Raw
_TAG_UNSAFE = re.compile(r"[^A-Za-z0-9_.@-]")


def _tag(value: str) -> str:
    return _TAG_UNSAFE.sub("_", value)[:256]


@transport_register
class SesTransport(Transport):
    """SES v2 SendEmail with Simple content (Subject, Html, Text, Headers) or Raw MIME when needed."""

    name = "ses"
    batch_size = 50
    workers: ClassVar[int] = 8

    def __init__(self, config: ChannelConfig | None) -> None:
        super().__init__(config)
        self._client: Any = None
        self._sender = PerMessageSender(self.workers)

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws_client("sesv2", self.config)
        return self._client

    @client.setter
    def client(self, value: Any) -> None:
        self._client = value

    def send(self, batch: list[OutboundMessage]) -> list[SendResult]:
        self.client  # noqa: B018 (built once, before the threads share it)
        return self._sender.run(batch, self._send_one)

    def _send_one(self, message: OutboundMessage) -> SendResult:
        try:
            params = self.request(message)
        except ValueError as exc:
            return SendResult.failed(message, f"the message cannot be built: {exc}")
        try:
            response = call(self.client.send_email, params)
        except MessageError as exc:
            return SendResult.failed(message, exc.text)
        return SendResult.sent(message, str(response.get("MessageId", "")))

    def request(self, message: OutboundMessage) -> dict[str, Any]:
        """The SendEmail parameters for one message."""
        sender = sender_of(self, message)
        reply_to = reply_to_of(self, message)
        headers = headers_of(self, message)
        params: dict[str, Any] = {
            "FromEmailAddress": sender,
            "Destination": {"ToAddresses": [message.address]},
            "Content": self._content(message, sender, reply_to, headers),
            "EmailTags": self._tags(message),
        }
        if reply_to:
            params["ReplyToAddresses"] = reply_to
        if message.options.get("FeedbackForwardingAddress"):
            params["FeedbackForwardingEmailAddress"] = str(message.options["FeedbackForwardingAddress"])
        if self.setting("configuration_set"):
            params["ConfigurationSetName"] = str(self.setting("configuration_set"))
        return params

    def _content(
        self, message: OutboundMessage, sender: str, reply_to: list[str], headers: list[tuple[str, str]]
    ) -> dict[str, Any]:
        if len(headers) > SIMPLE_MAX_HEADERS:
            raw = email_build(message, sender=sender, reply_to=reply_to, headers=headers)
            return {"Raw": {"Data": raw.as_bytes()}}
        body: dict[str, Any] = {}
        for key, part in (("Text", "TextPart"), ("Html", "HtmlPart")):
            if message.parts.get(part):
                body[key] = {"Data": str(message.parts[part]), "Charset": "UTF-8"}
        subject = one_line(str(message.parts.get("Subject", "")))
        simple: dict[str, Any] = {"Subject": {"Data": subject, "Charset": "UTF-8"}, "Body": body}
        if headers:
            simple["Headers"] = [{"Name": name, "Value": value} for name, value in headers]
        return {"Simple": simple}

    def _tags(self, message: OutboundMessage) -> list[dict[str, str]]:
        """Tags SES hands back in its event feedback, so bounces and complaints find their delivery."""
        source = message.source or {}
        tags = {
            "engage_delivery": str(message.delivery_id),
            "engage_application": str(source.get("application_id") or ""),
            "engage_campaign": str(source.get("campaign_id") or ""),
            "engage_journey": str(source.get("journey_id") or ""),
        }
        return [{"Name": name, "Value": _tag(value)} for name, value in tags.items() if value]

    def check(self) -> CheckResult:
        """GetAccount: the sending quota, the maximum send rate and whether the account left the sandbox."""
        try:
            account = call(self.client.get_account, {})
        except (TransportError, MessageError) as exc:
            return CheckResult(ok=False, error=str(exc))
        quota = account.get("SendQuota") or {}
        values = {
            "max_24_hour_send": quota.get("Max24HourSend"),
            "max_send_rate": quota.get("MaxSendRate"),
            "sent_last_24_hours": quota.get("SentLast24Hours"),
            "production_access_enabled": bool(account.get("ProductionAccessEnabled")),
            "sending_enabled": bool(account.get("SendingEnabled")),
            "enforcement_status": account.get("EnforcementStatus", ""),
        }
        return CheckResult(ok=True, values=values)

    def close(self) -> None:
        self._sender.close()
