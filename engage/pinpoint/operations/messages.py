"""Direct sends: SendMessages and SendUsersMessages, through the same transactional send service as the REST API
(sent inline, answered from the delivery ledger)."""

from __future__ import annotations

from typing import Any

from channels.services.transactional import messages_send, users_messages_send
from engage.pinpoint.registry import Call, operation
from engage.tenancy.models import Capability


@operation("SendMessages", capability=Capability.EDIT)
def send_messages(call: Call) -> dict[str, Any]:
    """A MessageRequest to Addresses and/or Endpoints → a MessageResponse."""
    return messages_send(tenant=call.tenant, request=call.body, by=call.key)


@operation("SendUsersMessages", capability=Capability.EDIT)
def send_users_messages(call: Call) -> dict[str, Any]:
    """A SendUsersMessageRequest to every endpoint of each user → a SendUsersMessageResponse."""
    return users_messages_send(tenant=call.tenant, request=call.body, by=call.key)
