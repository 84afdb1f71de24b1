"""The default transport: nothing leaves the machine; the rendered message is the Outbox entry."""

from __future__ import annotations

from channels.transports.base import OutboundMessage, SendResult, Transport, transport_register


@transport_register
class SandboxTransport(Transport):
    """Delivery is the ledger write itself (the payload is stored on the row in the same transaction)."""

    name = "sandbox"
    batch_size = 1000
    atomic = True
    idempotent = True

    def send(self, batch: list[OutboundMessage]) -> list[SendResult]:
        return [SendResult.sent(m, provider_message_id=f"sandbox-{m.delivery_id}") for m in batch]
