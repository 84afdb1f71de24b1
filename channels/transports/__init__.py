"""Transports, one module each; importing this package registers them all."""

from channels.transports import alimtalk, eum, inapp, push, sandbox, ses, smtp, webhook
from channels.transports.base import (
    CheckResult,
    OutboundMessage,
    SendResult,
    Transport,
    TransportError,
    transport_class,
    transport_names,
    transport_register,
)

__all__ = [
    "CheckResult",
    "OutboundMessage",
    "SendResult",
    "Transport",
    "TransportError",
    "alimtalk",
    "eum",
    "inapp",
    "push",
    "sandbox",
    "ses",
    "smtp",
    "transport_class",
    "transport_names",
    "transport_register",
    "webhook",
]
