"""Reading channel configs and the ledger."""

from __future__ import annotations

from django.db.models import QuerySet

from channels.models import ChannelConfig, Delivery
from engage.tenancy.models import Tenant


def config_for_channel(*, tenant: Tenant, channel: str) -> ChannelConfig | None:
    """The enabled default config for a channel, or None: the channel then sends through the sandbox."""
    return ChannelConfig.objects.for_tenant(tenant).filter(channel=channel, is_default=True, enabled=True).first()


def configs_for_tenant(*, tenant: Tenant) -> QuerySet[ChannelConfig]:
    return ChannelConfig.objects.for_tenant(tenant).order_by("channel", "name", "id")


def outbox(*, tenant: Tenant) -> QuerySet[Delivery]:
    """Messages the sandbox delivered (their rendered payload is on the row), newest first."""
    return Delivery.objects.for_tenant(tenant).filter(payload__isnull=False).select_related("dispatch").order_by("-id")
