"""A tenant's delivery settings: retention and the deliverability guard's levels."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from channels.models import DeliverySettings
from channels.models.policy import MIN_RETENTION_DAYS
from engage import clock
from engage.errors import Invalid
from engage.tenancy.audit import Actor, audit
from engage.tenancy.models import Tenant

PERCENTS = ("bounce_warn_pct", "bounce_pause_pct", "complaint_warn_pct", "complaint_pause_pct")


def delivery_settings_for(*, tenant: Tenant) -> DeliverySettings:
    """The tenant's delivery settings (created with the defaults on first read)."""
    found, _ = DeliverySettings.objects.get_or_create(tenant=tenant, defaults={"updated_at": clock.now()})
    return found


def _whole(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
        raise Invalid(f"{field} must be a whole number", field=field)
    number = int(value)
    if not low <= number <= high:
        raise Invalid(f"{field} must be between {low:,} and {high:,}", field=field)
    return number


def _percent(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise Invalid(f"{field} must be a percentage like 5 or 0.5", field=field) from None
    if not Decimal(0) < number <= Decimal(100):
        raise Invalid(f"{field} must be more than 0 and at most 100", field=field)
    return number


@transaction.atomic
def delivery_settings_update(*, tenant: Tenant, by: Actor, ip: str | None = None, **changes: Any) -> DeliverySettings:
    """Change retention and guard levels (audited); a pause level must not be below its warning level."""
    current = DeliverySettings.objects.select_for_update().get(pk=delivery_settings_for(tenant=tenant).pk)
    if "retention_days" in changes:
        current.retention_days = _whole(changes["retention_days"], "retention_days", MIN_RETENTION_DAYS, 3650)
    if "min_volume" in changes:
        current.min_volume = _whole(changes["min_volume"], "min_volume", 1, 10_000_000)
    if "guard_enabled" in changes:
        if not isinstance(changes["guard_enabled"], bool):
            raise Invalid("guard_enabled must be true or false", field="guard_enabled")
        current.guard_enabled = changes["guard_enabled"]
    for name in PERCENTS:
        if name in changes:
            setattr(current, name, _percent(changes[name], name))
    for kind in ("bounce", "complaint"):
        if getattr(current, f"{kind}_pause_pct") < getattr(current, f"{kind}_warn_pct"):
            raise Invalid(f"the {kind} pause level must not be below its warning level", field=f"{kind}_pause_pct")
    current.updated_at = clock.now()
    current.save()
    audit(
        tenant=tenant,
        actor=by,
        action="delivery_settings.update",
        target=current,
        ip=ip,
        data={k: str(v) for k, v in changes.items()},
    )
    return current
