"""Transports, one module each; importing this package registers them all."""

from channels.transports import sandbox
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
    "sandbox",
    "transport_class",
    "transport_names",
    "transport_register",
]
