"""Mobile push through the `pinpoint` SendMessages API that AWS End User Messaging kept (FCM, APNs, APNs
sandbox and VoIP, Baidu, ADM), with the push credentials held by the configured application.

One call carries one MessageConfiguration for up to 100 addresses, so messages are grouped by service and
by identical content; titles, bodies and raw content that differ per recipient travel as per-address
overrides (TitleOverride, BodyOverride, RawContent), so personalised pushes still go 100 to a call.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from channels.transports.aws import MessageError, aws_client, call
from channels.transports.base import (
    CheckResult,
    OutboundMessage,
    SendResult,
    Transport,
    TransportError,
    transport_register,
)
from channels.transports.common import error_result, not_sent

if TYPE_CHECKING:
    from channels.models import ChannelConfig

MAX_ADDRESSES = 100
# Endpoint ChannelType → (MessageConfiguration key, rendered part name).
SERVICES = {
    "GCM": ("GCMMessage", "GCM"),
    "APNS": ("APNSMessage", "APNS"),
    "APNS_SANDBOX": ("APNSMessage", "APNS"),
    "APNS_VOIP": ("APNSMessage", "APNS"),
    "APNS_VOIP_SANDBOX": ("APNSMessage", "APNS"),
    "BAIDU": ("BaiduMessage", "Baidu"),
    "ADM": ("ADMMessage", "ADM"),
}
_CONTENT = ["Action", "Title", "Body", "Url", "Sound", "Data", "SilentPush"]
_IMAGES = ["ImageUrl", "ImageIconUrl", "SmallImageIconUrl"]
FIELDS = {
    "GCMMessage": {*_CONTENT, *_IMAGES, "RawContent", "TimeToLive", "Priority"},
    "APNSMessage": {*_CONTENT, "MediaUrl", "RawContent", "TimeToLive", "Priority", "APNSPushType"},
    "BaiduMessage": {*_CONTENT, *_IMAGES, "RawContent", "TimeToLive"},
    "ADMMessage": {*_CONTENT, *_IMAGES, "RawContent", "ExpiresAfter"},
}
OPTION_FIELDS = ("Action", "Url", "ImageUrl", "Sound", "RawContent", "Data", "SilentPush")
PER_ADDRESS = {"Title": "TitleOverride", "Body": "BodyOverride", "RawContent": "RawContent"}
STATUSES = {
    "SUCCESSFUL": "sent",
    "THROTTLED": "throttled",
    "TEMPORARY_FAILURE": "retry",
    "TIMEOUT": "retry",
    "PERMANENT_FAILURE": "failed",
    "OPT_OUT": "failed",
    "DUPLICATE": "failed",
    "UNKNOWN_FAILURE": "unknown",
}


def channel_type_of(message: OutboundMessage) -> str:
    """The token's service: the endpoint's ChannelType (an address recipient: options ChannelType, else GCM)."""
    value = (message.endpoint or {}).get("ChannelType") or message.options.get("ChannelType") or "GCM"
    return str(value).upper()


def _data(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for k, v in value.items()}


def _seconds(value: Any) -> int | None:
    """A time to live in whole seconds; anything else (empty, not a number) means the service's default."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class PushPayload:
    """The service message one recipient gets: its service part over the default part, options filling gaps."""

    def __init__(self, transport: Transport, message: OutboundMessage) -> None:
        self.channel_type = channel_type_of(message)
        self.key, part = SERVICES[self.channel_type]
        parts = message.parts
        merged: dict[str, Any] = {**(parts.get("Default") or {}), **(parts.get(part) or {})}
        for name in OPTION_FIELDS:
            if merged.get(name) in (None, "", {}) and message.options.get(name) not in (None, ""):
                merged[name] = message.options[name]
        if "Data" in merged:
            merged["Data"] = _data(merged["Data"])
        merged["SilentPush"] = merged.get("SilentPush") in (True, "true", "True")
        self.fields = self._delivery(transport, message, merged)

    def _delivery(self, transport: Transport, message: OutboundMessage, merged: dict[str, Any]) -> dict[str, Any]:
        options = message.options
        ttl = _seconds(options.get("TimeToLive")) or _seconds(transport.setting("time_to_live", ""))
        priority = str(options.get("Priority") or transport.setting("priority", "") or "")
        if merged.get("RawContent"):
            merged = {"RawContent": merged["RawContent"]}
        if ttl is not None:
            merged["TimeToLive"] = ttl
            merged["ExpiresAfter"] = str(ttl)
        if self.key == "APNSMessage":
            silent = merged.get("SilentPush") is True
            merged["APNSPushType"] = "voip" if "VOIP" in self.channel_type else ("background" if silent else "alert")
            priority = priority or ("normal" if silent else "")
        if priority:
            merged["Priority"] = priority
        allowed = FIELDS[self.key]
        return {k: v for k, v in merged.items() if k in allowed and v not in (None, "", {}, False)}


@transport_register
class PushTransport(Transport):
    """pinpoint SendMessages with Addresses {token: {ChannelType}} and one service message per call."""

    name = "push"
    batch_size = 100

    def __init__(self, config: ChannelConfig | None) -> None:
        super().__init__(config)
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws_client("pinpoint", self.config)
        return self._client

    @client.setter
    def client(self, value: Any) -> None:
        self._client = value

    def application_id(self) -> str:
        value = str(self.setting("application_id", "") or "")
        if not value:
            raise TransportError("the push channel has no application id: set one", permanent=True)
        return value

    def calls(self, batch: list[OutboundMessage]) -> list[list[tuple[OutboundMessage, PushPayload]]]:
        """Messages grouped into SendMessages calls: one service and one shared content each, ≤ 100 distinct
        addresses (a token twice in one batch goes in another call)."""
        groups: dict[str, list[tuple[OutboundMessage, PushPayload]]] = {}
        for message in batch:
            payload = PushPayload(self, message)
            shared = {k: v for k, v in payload.fields.items() if k not in PER_ADDRESS}
            groups.setdefault(json.dumps([payload.key, shared], sort_keys=True), []).append((message, payload))
        calls: list[list[tuple[OutboundMessage, PushPayload]]] = []
        for items in groups.values():
            current: list[tuple[OutboundMessage, PushPayload]] = []
            for item in items:
                if len(current) == MAX_ADDRESSES or any(m.address == item[0].address for m, _ in current):
                    calls.append(current)
                    current = []
                current.append(item)
            calls.append(current)
        return calls

    def request(self, items: list[tuple[OutboundMessage, PushPayload]]) -> dict[str, Any]:
        """The SendMessages parameters for one call."""
        key = items[0][1].key
        service_message = {k: v for k, v in items[0][1].fields.items() if k not in PER_ADDRESS}
        addresses: dict[str, dict[str, Any]] = {m.address: {"ChannelType": p.channel_type} for m, p in items}
        for name, override in PER_ADDRESS.items():
            values = [p.fields.get(name) for _, p in items]
            if len(set(values)) == 1:
                if values[0]:
                    service_message[name] = values[0]
                continue
            for (message, _), value in zip(items, values, strict=True):
                if value:
                    addresses[message.address][override] = value
        configuration = {key: service_message}
        return {
            "ApplicationId": self.application_id(),
            "MessageRequest": {"Addresses": addresses, "MessageConfiguration": configuration},
        }

    def send(self, batch: list[OutboundMessage]) -> list[SendResult]:
        results = [
            SendResult.failed(m, f"{channel_type_of(m)} is not a push channel type ({', '.join(SERVICES)})")
            for m in batch
            if channel_type_of(m) not in SERVICES
        ]
        stop: TransportError | None = None
        for items in self.calls([m for m in batch if channel_type_of(m) in SERVICES]):
            messages = [m for m, _ in items]
            if stop is not None:
                results.extend(error_result(m, not_sent(stop)) for m in messages)
                continue
            try:
                response = call(self.client.send_messages, self.request(items))
            except TransportError as exc:
                stop = exc
                results.extend(error_result(m, exc) for m in messages)
                continue
            except MessageError as exc:
                results.extend(SendResult.failed(m, exc.text) for m in messages)
                continue
            answers = (response.get("MessageResponse") or {}).get("Result") or {}
            results.extend(self._result(m, answers.get(m.address)) for m in messages)
        return results

    @staticmethod
    def _result(message: OutboundMessage, answer: dict[str, Any] | None) -> SendResult:
        if answer is None:
            return SendResult(message.delivery_id, "unknown", message="no result for this address", status_code=500)
        delivery_status = str(answer.get("DeliveryStatus", "UNKNOWN_FAILURE"))
        status = STATUSES.get(delivery_status, "unknown")
        text = str(answer.get("StatusMessage") or delivery_status)
        code = int(answer.get("StatusCode") or (200 if status == "sent" else 500))
        if status == "sent":
            return SendResult.sent(message, str(answer.get("MessageId", "")), status_code=code)
        return SendResult(message.delivery_id, status, message=f"{delivery_status}: {text}", status_code=code)

    def check(self) -> CheckResult:
        """GetApp, GetApplicationSettings and GetChannels: the application, its limits and its push channels."""
        try:
            application_id = self.application_id()
            app = call(self.client.get_app, {"ApplicationId": application_id})["ApplicationResponse"]
            settings = call(self.client.get_application_settings, {"ApplicationId": application_id})
            channels = call(self.client.get_channels, {"ApplicationId": application_id})
        except (TransportError, MessageError) as exc:
            return CheckResult(ok=False, error=str(exc))
        resource = settings.get("ApplicationSettingsResource") or {}
        enabled = (channels.get("ChannelsResponse") or {}).get("Channels") or {}
        values = {
            "application_id": app.get("Id", application_id),
            "application_name": app.get("Name", ""),
            "application_arn": app.get("Arn", ""),
            "limits": resource.get("Limits") or {},
            "channels": sorted(name for name, c in enabled.items() if c.get("Enabled") and name in SERVICES),
        }
        return CheckResult(ok=True, values=values)
