"""Reading channel configs and the ledger."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from channels.models import ChannelConfig, Delivery, Dispatch, Status
from engage.tenancy.models import Tenant


def config_for_channel(*, tenant: Tenant, channel: str) -> ChannelConfig | None:
    """The enabled default config for a channel, or None: the channel then sends through the sandbox."""
    return ChannelConfig.objects.for_tenant(tenant).filter(channel=channel, is_default=True, enabled=True).first()


def configs_for_tenant(*, tenant: Tenant) -> QuerySet[ChannelConfig]:
    return ChannelConfig.objects.for_tenant(tenant).order_by("channel", "name", "id")


def outbox(*, tenant: Tenant) -> QuerySet[Delivery]:
    """Messages the sandbox delivered (their rendered payload is on the row), newest first."""
    return Delivery.objects.for_tenant(tenant).filter(payload__isnull=False).select_related("dispatch").order_by("-id")


# The order the Deliveries pages show statuses in (the stacked progress bar, the legend, the counts).
STATUS_ORDER: tuple[str, ...] = tuple(Status.values)


def dispatches_for_tenant(*, tenant: Tenant) -> QuerySet[Dispatch]:
    """A tenant's dispatches, newest first."""
    return Dispatch.objects.for_tenant(tenant).select_related("config").order_by("-id")


def dispatch_status_counts(*, tenant: Tenant, dispatch_ids: list[int]) -> dict[int, dict[str, int]]:
    """Rows per status for each dispatch (every status present, 0 when none), in one grouped query."""
    counts: dict[int, dict[str, int]] = {pk: dict.fromkeys(STATUS_ORDER, 0) for pk in dispatch_ids}
    rows = (
        Delivery.objects.for_tenant(tenant)
        .filter(dispatch_id__in=dispatch_ids)
        .values_list("dispatch_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for dispatch_id, status, n in rows:
        counts[dispatch_id][status] = n
    return counts


def dispatch_reason_counts(*, dispatch: Dispatch) -> list[tuple[str, str, int]]:
    """(status, reason, rows) of a dispatch, most rows first."""
    rows = (
        Delivery.objects.filter(tenant_id=dispatch.tenant_id, dispatch=dispatch)
        .values_list("status", "reason")
        .annotate(n=Count("id"))
        .order_by("-n", "status", "reason")
    )
    return [(status, reason, n) for status, reason, n in rows]


def deliveries_filtered(
    *,
    tenant: Tenant,
    status: str = "",
    reason: str | None = None,
    channel: str = "",
    dispatch_id: int | None = None,
    endpoint_id: str = "",
    address: str = "",
    address_prefix: str = "",
) -> QuerySet[Delivery]:
    """Ledger rows of a tenant, newest first; every filter is optional (reason "" = rows without a reason)."""
    rows = Delivery.objects.for_tenant(tenant)
    if dispatch_id is not None:
        rows = rows.filter(dispatch_id=dispatch_id)
    if status:
        rows = rows.filter(status=status)
    if reason is not None:
        rows = rows.filter(reason=reason)
    if channel:
        rows = rows.filter(channel=channel)
    if endpoint_id:
        rows = rows.filter(endpoint_id=endpoint_id)
    if address:
        rows = rows.filter(address=address)
    if address_prefix:
        rows = rows.filter(address__startswith=address_prefix)
    return rows.order_by("-id")
