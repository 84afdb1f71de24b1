"""SMS spend: parts × the configured price for the destination, against a monthly limit per tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F

from channels.models import ChannelConfig, SmsSpend

MILLICENTS_PER_USD = 100_000


def price_millicents(*, config: ChannelConfig | None, address: str, parts: int) -> int:
    """Price of a message: the longest matching E.164 prefix in the config's price table (USD per part),
    else its "default" price; no table = free (the sandbox)."""
    prices: dict[str, str] = (config.setting("prices", {}) if config is not None else {}) or {}
    best = ""
    for prefix in prices:
        if prefix != "default" and address.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    raw = prices.get(best) if best else prices.get("default")
    try:
        per_part = Decimal(str(raw)) if raw is not None else Decimal(0)
    except InvalidOperation:
        per_part = Decimal(0)
    return int(per_part * MILLICENTS_PER_USD * parts)


def limit_millicents(config: ChannelConfig | None) -> int | None:
    """The monthly limit in millicents, or None when the config sets none."""
    raw = config.setting("monthly_spend_limit_usd", None) if config is not None else None
    if raw in (None, ""):
        return None
    return int(Decimal(str(raw)) * MILLICENTS_PER_USD)


def _month(now: datetime) -> date:
    return date(now.year, now.month, 1)


@transaction.atomic
def sms_spend_reserve(
    *, tenant_id: int, costs: Sequence[tuple[int, int]], limit: int | None, now: datetime
) -> list[bool]:
    """Reserve (parts, millicents) for each message in order; a message that would take the month past
    `limit` is refused (later, cheaper ones may still fit). Atomic under concurrent workers."""
    month = _month(now)
    SmsSpend.objects.get_or_create(tenant_id=tenant_id, month=month)
    spend = SmsSpend.objects.select_for_update().get(tenant_id=tenant_id, month=month)
    total, parts, allowed = spend.millicents, 0, []
    for part_count, cost in costs:
        ok = limit is None or total + cost <= limit
        allowed.append(ok)
        if ok:
            total += cost
            parts += part_count
    SmsSpend.objects.filter(pk=spend.pk).update(
        millicents=F("millicents") + (total - spend.millicents), parts=F("parts") + parts
    )
    return allowed


def sms_spend_month(*, tenant_id: int, now: datetime) -> SmsSpend | None:
    return SmsSpend.objects.filter(tenant_id=tenant_id, month=_month(now)).first()
