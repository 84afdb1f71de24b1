"""Reads for the channel-config pages and API: what sends each channel, and the month's SMS spend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from channels.models import ChannelConfig, Provider
from channels.models.config import PROVIDERS_FOR_CHANNEL
from channels.services.spend import MILLICENTS_PER_USD, limit_millicents, sms_spend_month
from engage import clock
from engage.tenancy.models import Tenant
from templates.models import Channel


@dataclass(frozen=True)
class ChannelRoute:
    """What a channel sends through: its default config, or the sandbox (the Outbox)."""

    channel: str
    label: str
    default: ChannelConfig | None
    configs: list[ChannelConfig]

    @property
    def sandbox(self) -> bool:
        return self.default is None or not self.default.enabled

    @property
    def stored_for_apps(self) -> bool:
        """In-app messages without a config are stored for the app to fetch, not put in the Outbox."""
        return self.sandbox and self.channel == Channel.INAPP


@dataclass(frozen=True)
class SpendSummary:
    month: str
    spent_usd: Decimal
    parts: int
    limit_usd: Decimal | None

    @property
    def percent(self) -> float | None:
        if self.limit_usd is None:
            return None
        if self.limit_usd == 0:
            return 100.0
        return float(min(self.spent_usd / self.limit_usd * 100, Decimal(100)))

    @property
    def reached(self) -> bool:
        return self.limit_usd is not None and self.spent_usd >= self.limit_usd


def channel_routes(*, tenant: Tenant) -> list[ChannelRoute]:
    """Every channel a config can carry, with its default config (None = sandbox) and all its configs."""
    configs = list(ChannelConfig.objects.for_tenant(tenant).order_by("channel", "name", "id"))
    routes = []
    for channel in PROVIDERS_FOR_CHANNEL:
        mine = [c for c in configs if c.channel == channel]
        default = next((c for c in mine if c.is_default), None)
        routes.append(ChannelRoute(channel=channel, label=Channel(channel).label, default=default, configs=mine))
    return routes


def sms_spend_summary(*, config: ChannelConfig, now: datetime | None = None) -> SpendSummary | None:
    """Month-to-date SMS spend of the tenant against the config's monthly limit (None for other providers)."""
    if config.provider != Provider.EUM_SMS:
        return None
    now = now or clock.now()
    spend = sms_spend_month(tenant_id=config.tenant_id, now=now)
    limit = limit_millicents(config)
    return SpendSummary(
        month=f"{now.year:04d}-{now.month:02d}",
        spent_usd=Decimal(spend.millicents if spend else 0) / MILLICENTS_PER_USD,
        parts=spend.parts if spend else 0,
        limit_usd=Decimal(limit) / MILLICENTS_PER_USD if limit is not None else None,
    )
