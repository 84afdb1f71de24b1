"""Reads for the audience."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from engage.events.models import Event
from engage.tenancy.models import Tenant
from segments.models import Endpoint, SuppressedAddress


def endpoints_search(
    *,
    tenant: Tenant,
    q: str | None = None,
    user_id: str | None = None,
    address: str | None = None,
    channel_type: str | None = None,
) -> QuerySet[Endpoint]:
    """Endpoints by exact user id / address / channel, or `q` matching the start of an id, address or user id."""
    queryset = Endpoint.objects.for_tenant(tenant)
    if user_id:
        queryset = queryset.filter(user_id=user_id)
    if address:
        queryset = queryset.filter(address=address)
    if channel_type:
        queryset = queryset.filter(channel_type=channel_type)
    if q:
        q = q.strip()
        queryset = queryset.filter(Q(endpoint_id__startswith=q) | Q(address__startswith=q) | Q(user_id__startswith=q))
    return queryset


def endpoint_recent_events(*, tenant: Tenant, endpoint: Endpoint, limit: int = 50) -> QuerySet[Event]:
    """The newest events of one endpoint."""
    return Event.objects.for_tenant(tenant).filter(endpoint_id=endpoint.endpoint_id).order_by("-arrival", "-id")[:limit]


@dataclass
class KeysetPage:
    """One page of a keyset walk: rows plus the cursors of the neighbouring pages (no total count)."""

    items: list[Any]
    next_cursor: str | None = None
    previous_cursor: str | None = None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def endpoints_filter(
    *, tenant: Tenant, q: str | None = None, channel_type: str | None = None, status: str | None = None
) -> QuerySet[Endpoint]:
    """endpoints_search plus the console's status filter: ACTIVE, INACTIVE or OPTED_OUT (OptOut ALL)."""
    queryset = endpoints_search(tenant=tenant, q=q, channel_type=channel_type)
    if status in Endpoint.Status.values:
        queryset = queryset.filter(endpoint_status=status)
    elif status == "OPTED_OUT":
        queryset = queryset.filter(opt_out=Endpoint.OptOut.ALL)
    return queryset


def endpoints_keyset(
    queryset: QuerySet[Endpoint], *, after: str | None = None, before: str | None = None, size: int = 50
) -> KeysetPage:
    """A page of endpoints in endpoint-id order, walked by keyset on the (tenant, endpoint_id) index."""
    if before is not None:
        rows = list(queryset.filter(endpoint_id__lt=before).order_by("-endpoint_id")[: size + 1])
        items = rows[:size][::-1]
        return KeysetPage(
            items,
            next_cursor=items[-1].endpoint_id if items else before,
            previous_cursor=items[0].endpoint_id if len(rows) > size else None,
        )
    if after is not None:
        queryset = queryset.filter(endpoint_id__gt=after)
    rows = list(queryset.order_by("endpoint_id")[: size + 1])
    items = rows[:size]
    return KeysetPage(
        items,
        next_cursor=items[-1].endpoint_id if len(rows) > size else None,
        previous_cursor=(items[0].endpoint_id if items else after) if after is not None else None,
    )


def count_capped(queryset: QuerySet[Any], *, cap: int = 10_000) -> tuple[int, bool]:
    """How many rows, counting no further than `cap` (so a tenant with millions never pays a full COUNT)."""
    found = queryset.order_by()[: cap + 1].count()
    return min(found, cap), found > cap


def endpoint_for_tenant(*, tenant: Tenant, endpoint_id: str) -> Endpoint | None:
    """One endpoint by its client-chosen id, or None."""
    return Endpoint.objects.for_tenant(tenant).filter(endpoint_id=endpoint_id).first()


def user_endpoints(*, tenant: Tenant, user_id: str) -> list[Endpoint]:
    """All endpoints of a user (at most 15), by endpoint id."""
    if not user_id:
        return []
    return list(Endpoint.objects.for_tenant(tenant).filter(user_id=user_id).order_by("endpoint_id"))


def user_attributes_merged(endpoints: list[Endpoint]) -> dict[str, list[str]]:
    """The user's attributes as the most recently updated endpoint carrying each name says."""
    merged: dict[str, list[str]] = {}
    for endpoint in sorted(endpoints, key=lambda e: e.effective_date):
        merged.update(endpoint.user_attributes or {})
    return dict(sorted(merged.items()))


def user_recent_events(*, tenant: Tenant, user_id: str, endpoint_ids: list[str], limit: int = 50) -> list[Event]:
    """The newest events of a user: recorded under their user id or on one of their endpoints (two index walks)."""
    events = Event.objects.for_tenant(tenant).order_by("-arrival", "-id")
    found = {e.pk: e for e in events.filter(user_id=user_id)[:limit]}
    if endpoint_ids:
        found.update((e.pk, e) for e in events.filter(endpoint_id__in=endpoint_ids)[:limit])
    return sorted(found.values(), key=lambda e: (e.arrival, e.pk), reverse=True)[:limit]


def _events_by_id(tenant: Tenant) -> QuerySet[Event]:
    """The tenant's events, newest id first, on the (tenant, id) index.

    Written as a range and ordered by the tenant too: with `tenant_id = X` PostgreSQL drops the constant from
    the sort and walks the primary key backwards, wading through every newer event of other tenants first.
    """
    return Event.objects.filter(tenant_id__gte=tenant.pk, tenant_id__lte=tenant.pk).order_by("-tenant_id", "-id")


def events_stream(
    *,
    tenant: Tenant,
    event_type: str | None = None,
    endpoint_id: str | None = None,
    user_id: str | None = None,
    after_id: int | None = None,
    before: Event | None = None,
    limit: int = 50,
) -> list[Event]:
    """Recent events, newest first. Unfiltered walks (tenant, id); a filter walks its (tenant, x, arrival) index.

    `after_id` gives only events stored after that one (live updates); `before` continues below an event.
    """
    if not (event_type or endpoint_id or user_id):
        queryset = _events_by_id(tenant)
        if after_id is not None:
            queryset = queryset.filter(id__gt=after_id)
        elif before is not None:
            queryset = queryset.filter(id__lt=before.pk)
        return list(queryset[:limit])
    queryset = Event.objects.for_tenant(tenant)
    if event_type:
        queryset = queryset.filter(event_type=event_type)
    if endpoint_id:
        queryset = queryset.filter(endpoint_id=endpoint_id)
    if user_id:
        queryset = queryset.filter(user_id=user_id)
    if after_id is not None:
        return list(queryset.filter(id__gt=after_id).order_by("-id")[:limit])
    if before is not None:
        queryset = queryset.filter(Q(arrival__lt=before.arrival) | Q(arrival=before.arrival, id__lt=before.pk))
    return list(queryset.order_by("-arrival", "-id")[:limit])


def events_latest_id(*, tenant: Tenant) -> int:
    """The id of the tenant's newest event (0 when there is none): where a live stream starts."""
    return _events_by_id(tenant).values_list("id", flat=True).first() or 0


def event_for_tenant(*, tenant: Tenant, event_id: int) -> Event | None:
    """One event by its id, or None."""
    return Event.objects.for_tenant(tenant).filter(pk=event_id).first()


def endpoints_by_ids(*, tenant_id: int, endpoint_ids: list[str]) -> dict[str, Endpoint]:
    """Endpoints of one tenant by their ids, in one query (the send path reads a chunk at a time)."""
    if not endpoint_ids:
        return {}
    found = Endpoint.objects.filter(tenant_id=tenant_id, endpoint_id__in=endpoint_ids)
    return {e.endpoint_id: e for e in found}


def suppressed_among(*, tenant_id: int, addresses: list[str]) -> set[str]:
    """Which of these addresses are on the tenant's suppression list (email compared case-insensitively)."""
    if not addresses:
        return set()
    wanted = {a.lower() if "@" in a else a for a in addresses}
    listed = set(
        SuppressedAddress.objects.filter(tenant_id=tenant_id, address__in=wanted).values_list("address", flat=True)
    )
    return {a for a in addresses if (a.lower() if "@" in a else a) in listed}
