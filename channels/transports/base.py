"""What every transport is: a small class with `send(batch) -> results`, registered by provider name."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from channels.models import ChannelConfig


class TransportError(Exception):
    """The whole batch failed. `permanent` = sending again cannot help (bad credentials, invalid sender);
    otherwise the batch is retried. `throttled` = the provider asked us to slow down (never a failure of the
    recipient). `delivered_unknown` = the request may have reached the provider (a timeout after sending)."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        throttled: bool = False,
        delivered_unknown: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.throttled = throttled
        self.delivered_unknown = delivered_unknown
        self.retry_after = retry_after


@dataclass
class OutboundMessage:
    """One rendered message, ready for a provider. `parts` are Pinpoint-named (Subject/HtmlPart/TextPart,
    Body, Title, Data...); `options` come from the dispatch (MessageType, OriginationNumber, TTL...)."""

    delivery_id: int
    key: str
    channel: str
    address: str
    endpoint_id: str
    parts: dict[str, Any]
    options: dict[str, Any] = field(default_factory=dict)
    endpoint: dict[str, Any] | None = None  # EndpointResponse JSON when the recipient is an endpoint
    source: dict[str, str] = field(default_factory=dict)  # application_id, campaign_id, treatment_id, ...


@dataclass
class SendResult:
    """The provider's answer for one message. status: sent | failed | throttled | retry | unknown."""

    delivery_id: int
    status: str
    provider_message_id: str = ""
    message: str = ""
    status_code: int = 200
    parts: int = 0
    price_millicents: int = 0
    attributes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def sent(cls, message: OutboundMessage, provider_message_id: str = "", **kw: Any) -> SendResult:
        return cls(message.delivery_id, "sent", provider_message_id=provider_message_id, **kw)

    @classmethod
    def failed(cls, message: OutboundMessage, text: str, status_code: int = 400) -> SendResult:
        return cls(message.delivery_id, "failed", message=text, status_code=status_code)

    @classmethod
    def throttled(cls, message: OutboundMessage, text: str = "throttled") -> SendResult:
        return cls(message.delivery_id, "throttled", message=text, status_code=429)


@dataclass
class CheckResult:
    """What "check connection" shows: ok, the provider's values (quota, rate, sandbox flag) or its error."""

    ok: bool
    values: dict[str, Any] = field(default_factory=dict)
    error: str = ""


class Transport(ABC):
    """Subclasses set `name` and implement `send`. `atomic` transports deliver inside the database
    transaction that marks the rows sent (the sandbox); the others are called after `attempted_at` is
    committed. `batch_size` is the provider's batch (≤ what one API call takes)."""

    name: ClassVar[str] = ""
    batch_size: ClassVar[int] = 50
    atomic: ClassVar[bool] = False
    idempotent: ClassVar[bool] = False  # the provider takes our idempotency key

    def __init__(self, config: ChannelConfig | None) -> None:
        self.config = config

    def setting(self, name: str, default: Any = "") -> Any:
        return self.config.setting(name, default) if self.config is not None else default

    @abstractmethod
    def send(self, batch: list[OutboundMessage]) -> list[SendResult]:
        """One result per message, in any order; raise TransportError when the whole call failed."""

    def check(self) -> CheckResult:
        return CheckResult(ok=True, values={"provider": self.name})

    def close(self) -> None:  # noqa: B027 (most transports hold nothing to release)
        """Release connections (SMTP sessions, HTTP pools) when a chunk is done."""


_registry: dict[str, type[Transport]] = {}


def transport_register(cls: type[Transport]) -> type[Transport]:
    """Class decorator: make a transport available under its provider name."""
    _registry[cls.name] = cls
    return cls


def transport_class(provider: str) -> type[Transport]:
    from channels import transports  # noqa: F401  (imports register every transport)

    try:
        return _registry[provider]
    except KeyError:
        raise LookupError(f"no transport named {provider!r}") from None


def transport_names() -> list[str]:
    from channels import transports  # noqa: F401

    return sorted(_registry)
