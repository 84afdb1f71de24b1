"""Test messages: a handful of recipients, sent through the tenant's channel with source TEST (no events, so
never in campaign metrics; the Outbox shows them when the channel is the sandbox)."""

from __future__ import annotations

from typing import Any

from channels.models import Source
from channels.services.direct_content import TEMPLATE_KEYS
from channels.services.direct_plan import CHANNEL_FOR_TYPE
from channels.services.transactional import messages_send
from engage.errors import Invalid
from engage.tenancy.audit import Actor
from engage.tenancy.models import Tenant
from templates.models import Channel, MessageTemplate

MAX_TEST_RECIPIENTS = 15
# The ChannelType an address of each channel is sent as (push addresses say which service: GCM by default).
ADDRESS_TYPES: dict[str, str] = {
    Channel.EMAIL: "EMAIL",
    Channel.SMS: "SMS",
    Channel.VOICE: "VOICE",
    Channel.PUSH: "GCM",
    Channel.CUSTOM: "CUSTOM",
}
PUSH_TYPES = [t for t, channel in CHANNEL_FOR_TYPE.items() if channel == Channel.PUSH]


def message_request_for_test(
    *,
    channel: str,
    addresses: list[str],
    endpoint_ids: list[str],
    channel_type: str = "",
    message_configuration: dict[str, Any] | None = None,
    template_configuration: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A MessageRequest for a test send: addresses of `channel` (push: of `channel_type`) and endpoint ids."""
    if channel not in ADDRESS_TYPES:
        raise Invalid(f"{channel} messages cannot be sent as a test here", field="channel")
    address_type = channel_type or ADDRESS_TYPES[channel]
    if CHANNEL_FOR_TYPE.get(address_type) != channel:
        raise Invalid(f"{address_type} is not a {channel} ChannelType", field="ChannelType")
    request: dict[str, Any] = {}
    if addresses:
        request["Addresses"] = {a: {"ChannelType": address_type} for a in addresses}
    if endpoint_ids:
        request["Endpoints"] = {e: {} for e in endpoint_ids}
    if message_configuration:
        request["MessageConfiguration"] = message_configuration
    if template_configuration:
        request["TemplateConfiguration"] = template_configuration
    return request


def template_send_test(
    *,
    template: MessageTemplate,
    by: Actor,
    addresses: list[str],
    endpoint_ids: list[str],
    version: str | int | None = None,
    channel_type: str = "",
) -> dict[str, Any]:
    """Send a template's version (or its active one) to ≤ 15 addresses or endpoint ids as a test message."""
    if template.channel not in TEMPLATE_KEYS:
        raise Invalid(f"{template.channel} templates cannot be sent as a test message here", field="template")
    wanted: dict[str, Any] = {"Name": template.name}
    if version not in (None, ""):
        wanted["Version"] = str(version)
    request = message_request_for_test(
        channel=template.channel,
        addresses=addresses,
        endpoint_ids=endpoint_ids,
        channel_type=channel_type,
        template_configuration={TEMPLATE_KEYS[template.channel]: wanted},
    )
    return messages_send_test(tenant=template.tenant, request=request, by=by)


def messages_send_test(*, tenant: Tenant, request: dict[str, Any], by: Actor) -> dict[str, Any]:
    """Send a MessageRequest as a test (source TEST, at most 15 recipients)."""
    return messages_send(tenant=tenant, request=request, by=by, source=Source.TEST, limit=MAX_TEST_RECIPIENTS)
