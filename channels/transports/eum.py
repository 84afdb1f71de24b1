"""AWS End User Messaging SMS and Voice (pinpoint-sms-voice-v2 SendTextMessage / SendVoiceMessage).

Both APIs take one destination per call, so a batch is sent one call per message on a small thread pool.
The origination identity of an SMS follows Pinpoint's order (inventory §7.2), see `origination_choose`.
"""

from __future__ import annotations

from abc import abstractmethod
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
from channels.transports.phone import countries_of, country_of
from templates.content.voice import is_ssml
from templates.services.sms import sms_encoding_measure

if TYPE_CHECKING:
    from channels.models import ChannelConfig

MESSAGE_TYPES = ("TRANSACTIONAL", "PROMOTIONAL")
NUMBER_KINDS = {"short_code": 0, "10dlc": 1, "long_code": 2, "toll_free": 2}
DOMESTIC_ONLY = frozenset({"short_code", "10dlc", "toll_free"})  # these cannot send abroad


class OriginationUnknown(Exception):
    """The message names an origination number this channel does not have (Pinpoint: no fallback)."""


def _rank(index: int, item: dict[str, Any], countries: frozenset[str], route: str) -> tuple[int, ...]:
    kind = str(item.get("kind", ""))
    domestic = str(item.get("country", "")).upper() in countries
    item_route = str(item.get("route", "")).lower()
    route_rank = 0 if item_route == route else (1 if not item_route else 2)
    return (kind == "sender_id", not domestic, route_rank, NUMBER_KINDS.get(kind, 3), index)


def origination_choose(
    *, identities: list[dict[str, Any]], destination: str, message_type: str, options: dict[str, Any], sender_id: str
) -> str:
    """The OriginationIdentity for one SMS ("" = none: AWS uses a shared route). An explicit OriginationNumber
    must be one of the channel's identities when it lists any; else SenderId; else the channel's numbers —
    short code → 10DLC → long code / toll-free, domestic before international, the message type's route
    first — then its sender IDs, then its default sender ID."""
    explicit = str(options.get("OriginationNumber") or "")
    if explicit:
        if identities and explicit not in {str(i.get("identity")) for i in identities}:
            raise OriginationUnknown(f"origination number {explicit} is not one of this channel's identities")
        return explicit
    if options.get("SenderId"):
        return str(options["SenderId"])
    countries = countries_of(destination)
    candidates = []
    for index, item in enumerate(identities):
        kind, country = str(item.get("kind", "")), str(item.get("country", "")).upper()
        if not item.get("identity") or (kind in DOMESTIC_ONLY and country and country not in countries):
            continue
        candidates.append((_rank(index, item, countries, message_type.lower()), str(item["identity"])))
    if candidates:
        return min(candidates)[1]
    return sender_id


class EumTransport(Transport):
    """What SMS and voice share: the client, the thread pool, the account check."""

    workers: ClassVar[int] = 4
    batch_size = 20
    spend_limit_name: ClassVar[str] = ""

    def __init__(self, config: ChannelConfig | None) -> None:
        super().__init__(config)
        self._client: Any = None
        self._sender = PerMessageSender(self.workers)

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws_client("pinpoint-sms-voice-v2", self.config)
        return self._client

    @client.setter
    def client(self, value: Any) -> None:
        self._client = value

    def send(self, batch: list[OutboundMessage]) -> list[SendResult]:
        self.client  # noqa: B018 (built once, before the threads share it)
        return self._sender.run(batch, self._send_one)

    @abstractmethod
    def _send_one(self, message: OutboundMessage) -> SendResult:
        """Send one message (SendTextMessage or SendVoiceMessage)."""

    def context(self, message: OutboundMessage) -> dict[str, str]:
        """Context comes back in the delivery-status events, so they find their delivery."""
        source = message.source or {}
        context = {
            "engage_delivery": str(message.delivery_id),
            "engage_key": message.key,
            "engage_application": str(source.get("application_id") or ""),
            "engage_campaign": str(source.get("campaign_id") or ""),
            "engage_journey": str(source.get("journey_id") or ""),
        }
        return {k: v.strip()[:800] for k, v in context.items() if v.strip()}

    def check(self) -> CheckResult:
        """The account tier, the monthly spend limits and the account's phone numbers."""
        try:
            attributes = call(self.client.describe_account_attributes, {})
            limits = call(self.client.describe_spend_limits, {})
            numbers = call(self.client.describe_phone_numbers, {"MaxResults": 20})
        except (TransportError, MessageError) as exc:
            return CheckResult(ok=False, error=str(exc))
        values: dict[str, Any] = {
            a["Name"].lower(): a["Value"] for a in attributes.get("AccountAttributes", []) if a.get("Name")
        }
        for limit in limits.get("SpendLimits", []):
            values[f"{str(limit.get('Name', '')).lower()}_usd"] = limit.get("EnforcedLimit")
        values["phone_numbers"] = [
            " ".join(
                str(x)
                for x in (
                    n.get("PhoneNumber", ""),
                    n.get("IsoCountryCode", ""),
                    n.get("NumberType", ""),
                    n.get("MessageType", ""),
                    "/".join(n.get("NumberCapabilities", [])),
                    n.get("Status", ""),
                )
                if x
            )
            for n in numbers.get("PhoneNumbers", [])
        ]
        return CheckResult(ok=True, values=values)

    def close(self) -> None:
        self._sender.close()


@transport_register
class SmsTransport(EumTransport):
    """SendTextMessage: message type, origination identity, configuration set, keyword, India DLT ids."""

    name = "eum_sms"

    def message_type(self, message: OutboundMessage) -> str:
        choices = (message.options.get("MessageType"), message.parts.get("MessageType"), self.setting("message_type"))
        for value in choices:
            if str(value or "").upper() in MESSAGE_TYPES:
                return str(value).upper()
        return "TRANSACTIONAL"

    def request(self, message: OutboundMessage) -> dict[str, Any]:
        """The SendTextMessage parameters for one message (raises OriginationUnknown)."""
        options = message.options
        message_type = self.message_type(message)
        params: dict[str, Any] = {
            "DestinationPhoneNumber": message.address,
            "MessageBody": str(message.parts.get("Body", "")),
            "MessageType": message_type,
            "Context": self.context(message),
        }
        origination = origination_choose(
            identities=list(self.setting("origination_identities", []) or []),
            destination=message.address,
            message_type=message_type,
            options=options,
            sender_id=str(self.setting("sender_id", "") or ""),
        )
        if origination:
            params["OriginationIdentity"] = origination
        if self.setting("configuration_set"):
            params["ConfigurationSetName"] = str(self.setting("configuration_set"))
        if options.get("Keyword"):
            params["Keyword"] = str(options["Keyword"])
        dlt = {"IN_ENTITY_ID": options.get("EntityId"), "IN_TEMPLATE_ID": options.get("TemplateId")}
        if any(dlt.values()):
            params["DestinationCountryParameters"] = {k: str(v) for k, v in dlt.items() if v}
        return params

    def _send_one(self, message: OutboundMessage) -> SendResult:
        try:
            params = self.request(message)
        except OriginationUnknown as exc:
            return SendResult.failed(message, str(exc))
        explicit = ("ResourceNotFoundException",) if message.options.get("OriginationNumber") else ()
        try:
            response = call(self.client.send_text_message, params, message_codes=explicit)
        except MessageError as exc:
            return SendResult.failed(message, exc.text)
        parts = int(message.options.get("_parts") or 0) or sms_encoding_measure(body=params["MessageBody"]).parts
        attributes = {"origination_phone_number": params.get("OriginationIdentity", "")}
        country = country_of(message.address)
        if country:
            attributes["iso_country_code"] = country
        return SendResult.sent(
            message,
            str(response.get("MessageId", "")),
            parts=parts,
            attributes={k: v for k, v in attributes.items() if v},
        )


@transport_register
class VoiceTransport(EumTransport):
    """SendVoiceMessage: a text or SSML script read by a Polly voice from a voice-capable number."""

    name = "eum_voice"

    def request(self, message: OutboundMessage) -> dict[str, Any]:
        """The SendVoiceMessage parameters for one message."""
        options = message.options
        origination = str(options.get("OriginationNumber") or self.setting("origination_number", "") or "")
        if not origination:
            raise TransportError("the voice channel has no origination number: set one", permanent=True)
        body = str(message.parts.get("Body", ""))
        body_type = str(self.setting("message_body_type", "") or "TEXT").upper()
        params: dict[str, Any] = {
            "DestinationPhoneNumber": message.address,
            "OriginationIdentity": origination,
            "MessageBody": body,
            "MessageBodyTextType": "SSML" if is_ssml(body) else body_type,
            "Context": self.context(message),
        }
        voice = options.get("VoiceId") or message.parts.get("VoiceId") or self.setting("voice_id", "")
        if voice:
            params["VoiceId"] = str(voice).upper()
        if self.setting("configuration_set"):
            params["ConfigurationSetName"] = str(self.setting("configuration_set"))
        return params

    def _send_one(self, message: OutboundMessage) -> SendResult:
        params = self.request(message)
        explicit = ("ResourceNotFoundException",) if message.options.get("OriginationNumber") else ()
        try:
            response = call(self.client.send_voice_message, params, message_codes=explicit)
        except MessageError as exc:
            return SendResult.failed(message, exc.text)
        return SendResult.sent(message, str(response.get("MessageId", "")))
