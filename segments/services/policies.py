"""The tenant's deliverability policy (soft bounces before suppression) and per-channel consent policies."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from engage import clock
from engage.errors import Invalid
from engage.tenancy.audit import Actor, audit
from engage.tenancy.models import Tenant
from segments.models import ConsentPolicy, DeliverabilityPolicy
from segments.services.suppression import suppression_channel_check


def _whole(value: Any, low: int, high: int, field: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Invalid(f"{what} must be a whole number from {low} to {high}", field=field)
    try:
        number = int(value)
    except ValueError:
        raise Invalid(f"{what} must be a whole number from {low} to {high}", field=field) from None
    if not low <= number <= high:
        raise Invalid(f"{what} must be from {low} to {high}", field=field)
    return number


@transaction.atomic
def deliverability_policy_update(
    *,
    tenant: Tenant,
    soft_bounce_threshold: Any,
    soft_bounce_window_days: Any,
    by: Actor,
    ip: str | None = None,
) -> DeliverabilityPolicy:
    """Set how many soft bounces within how many days suppress an address."""
    threshold = _whole(soft_bounce_threshold, 1, 100, "soft_bounce_threshold", "the soft-bounce threshold")
    days = _whole(soft_bounce_window_days, 1, 90, "soft_bounce_window_days", "the window")
    policy, _ = DeliverabilityPolicy.objects.update_or_create(
        tenant=tenant,
        defaults={"soft_bounce_threshold": threshold, "soft_bounce_window_days": days, "updated_at": clock.now()},
    )
    data = {"soft_bounce_threshold": threshold, "soft_bounce_window_days": days}
    audit(tenant=tenant, actor=by, action="deliverability_policy.update", target=policy, data=data, ip=ip)
    return policy


@transaction.atomic
def consent_policy_update(
    *,
    tenant: Tenant,
    channel: str,
    require_opt_in: bool,
    applies_to: str = ConsentPolicy.AppliesTo.PROMOTIONAL,
    by: Actor,
    ip: str | None = None,
) -> ConsentPolicy:
    """Require (or stop requiring) a recorded opt-in on a channel, for promotional sends or for all of them."""
    channel = suppression_channel_check(channel)
    if not channel:
        raise Invalid("name the channel the policy is for", field="channel")
    applies = str(applies_to or ConsentPolicy.AppliesTo.PROMOTIONAL).strip().upper()
    if applies not in ConsentPolicy.AppliesTo.values:
        raise Invalid("applies_to must be PROMOTIONAL (campaigns and journeys) or ALL", field="applies_to")
    policy, _ = ConsentPolicy.objects.update_or_create(
        tenant=tenant,
        channel=channel,
        defaults={"require_opt_in": bool(require_opt_in), "applies_to": applies, "updated_at": clock.now()},
    )
    data = {"channel": channel, "require_opt_in": policy.require_opt_in, "applies_to": applies}
    audit(tenant=tenant, actor=by, action="consent_policy.update", target=policy, data=data, ip=ip)
    return policy
