"""Reads for the audience."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db.models import Count, Q, QuerySet

from engage.events.models import Event
from engage.tenancy.models import Tenant
from segments.addresses import address_key
from segments.models import (
    ConsentPolicy,
    DeliverabilityPolicy,
    Endpoint,
    SuppressedAddress,
    SuppressionChannel,
)
from segments.models.endpoint import PUSH_CHANNELS


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


def suppressed_among(*, tenant_id: int, addresses: list[str], channel: str = "") -> set[str]:
    """Which of these addresses (as given) are on the tenant's suppression list for `channel` ("" = on it for
    any channel). Compared in their normalised spelling, so email is case-insensitive."""
    if not addresses:
        return set()
    keys = {a: address_key(a) for a in addresses}
    rows = SuppressedAddress.objects.filter(tenant_id=tenant_id, address__any=sorted(set(keys.values())))
    if channel:
        rows = rows.filter(channel__in=["", channel])
    listed = set(rows.values_list("address", flat=True))
    return {a for a, key in keys.items() if key in listed}


def suppressions_filter(
    *, tenant: Tenant, q: str | None = None, reason: str | None = None, channel: str | None = None
) -> QuerySet[SuppressedAddress]:
    """The tenant's list: `q` matches the start of the address; channel "ANY" means rows for every channel."""
    queryset = SuppressedAddress.objects.for_tenant(tenant)
    if q and (q := q.strip()):
        keys = {q, q.lower(), address_key(q)}  # a prefix may not show yet that it is an email address
        condition = Q()
        for key in keys:
            condition |= Q(address__startswith=key)
        queryset = queryset.filter(condition)
    if reason:
        queryset = queryset.filter(reason=reason)
    if channel:
        queryset = queryset.filter(channel="" if channel == "ANY" else channel)
    return queryset


def suppression_for(*, tenant: Tenant, lookup: str) -> SuppressedAddress | None:
    """One row by its id (digits) or, failing that, the address's row for every channel (or its first row)."""
    queryset = SuppressedAddress.objects.for_tenant(tenant)
    if lookup.isdigit():
        found = queryset.filter(pk=int(lookup)).first()
        if found is not None:
            return found
    rows: QuerySet[SuppressedAddress] = queryset.filter(address=address_key(lookup))
    return rows.order_by("channel", "pk").first()


def suppressions_keyset(
    queryset: QuerySet[SuppressedAddress], *, after: int | None = None, before: int | None = None, size: int = 50
) -> KeysetPage:
    """A page of the list, newest first, walked by keyset on the (tenant, id) index."""
    if before is not None:
        rows = list(queryset.filter(pk__gt=before).order_by("pk")[: size + 1])
        items = rows[:size][::-1]
        return KeysetPage(
            items,
            next_cursor=str(items[-1].pk) if items else str(before),
            previous_cursor=str(items[0].pk) if len(rows) > size else None,
        )
    if after is not None:
        queryset = queryset.filter(pk__lt=after)
    rows = list(queryset.order_by("-pk")[: size + 1])
    items = rows[:size]
    return KeysetPage(
        items,
        next_cursor=str(items[-1].pk) if len(rows) > size else None,
        previous_cursor=(str(items[0].pk) if items else str(after)) if after is not None else None,
    )


def suppressions_of_address(*, tenant: Tenant, address: str) -> list[SuppressedAddress]:
    """The list's rows for one address (any channel), as the endpoint page shows them."""
    if not address:
        return []
    return list(SuppressedAddress.objects.for_tenant(tenant).filter(address=address_key(address)).order_by("channel"))


def suppression_counts(*, tenant: Tenant) -> dict[str, int]:
    """How many addresses the list holds per reason (one GROUP BY on the tenant's rows)."""
    rows = SuppressedAddress.objects.for_tenant(tenant).values_list("reason").annotate(n=Count("id")).order_by()
    return {reason: n for reason, n in rows}


def deliverability_policy_get(*, tenant: Tenant) -> DeliverabilityPolicy:
    """The tenant's soft-bounce policy (the defaults, unsaved, until someone changes them)."""
    found = DeliverabilityPolicy.objects.for_tenant(tenant).first()
    return found or DeliverabilityPolicy(tenant=tenant)


def consent_policies(*, tenant: Tenant) -> list[ConsentPolicy]:
    """One policy per channel, stored or (unsaved) the default: no opt-in required."""
    stored = {p.channel: p for p in ConsentPolicy.objects.for_tenant(tenant)}
    return [stored.get(c) or ConsentPolicy(tenant=tenant, channel=c) for c in SuppressionChannel.values]


def consent_policy_for(*, tenant_id: int, channel: str) -> ConsentPolicy | None:
    """The stored policy of one channel, if any (the send path reads it once per chunk)."""
    return ConsentPolicy.objects.filter(tenant_id=tenant_id, channel=channel).first()


# The endpoint channel types a message channel reaches (used to find an address's consent records).
ENDPOINT_TYPES = {
    "EMAIL": ["EMAIL"],
    "SMS": ["SMS"],
    "VOICE": ["VOICE"],
    "PUSH": sorted(PUSH_CHANNELS),
    "INAPP": ["IN_APP"],
    "CUSTOM": ["CUSTOM"],
}


def opted_in_among(*, tenant_id: int, addresses: list[str], channel: str) -> set[str]:
    """Which of these addresses (as given) belong to an endpoint of the channel with a recorded opt-in that has
    not opted out: the consent of a send addressed without an endpoint id."""
    if not addresses:
        return set()
    keys = {a: {a.strip(), address_key(a)} for a in addresses}
    rows = Endpoint.objects.filter(
        tenant_id=tenant_id,
        address__any=sorted(set().union(*keys.values())),
        opt_in_at__isnull=False,
        opt_out=Endpoint.OptOut.NONE,
    )
    if channel in ENDPOINT_TYPES:
        rows = rows.filter(channel_type__in=ENDPOINT_TYPES[channel])
    found = {address_key(a) for a in rows.values_list("address", flat=True)}
    return {a for a in addresses if address_key(a) in found}


def endpoint_rows_by_ids(*, tenant_id: int, endpoint_ids: list[str]) -> dict[str, Any]:
    """Like endpoints_by_ids, but plain attribute objects instead of model instances: the send path reads a
    thousand at a time and only reads fields (segments.codec.endpoint_to_pinpoint accepts either)."""
    if not endpoint_ids:
        return {}
    found = Endpoint.objects.filter(tenant_id=tenant_id, endpoint_id__any=endpoint_ids).values()
    return {row["endpoint_id"]: SimpleNamespace(**row) for row in found}


def usable_endpoints_of_users(*, tenant_id: int, user_ids: list[str], channel_types: list[str]) -> dict[str, str]:
    """For each user, their most recently updated endpoint of one of these channel types that can be messaged
    (ACTIVE, not opted out, with an address): user id → endpoint id. One query."""
    if not user_ids or not channel_types:
        return {}
    rows = (
        Endpoint.objects.filter(tenant_id=tenant_id, user_id__any=user_ids, channel_type__in=channel_types)
        .filter(endpoint_status="ACTIVE", opt_out="NONE")
        .exclude(address="")
        .order_by("user_id", "-effective_date", "endpoint_id")
        .values_list("user_id", "endpoint_id")
    )
    found: dict[str, str] = {}
    for user_id, endpoint_id in rows:
        found.setdefault(user_id, endpoint_id)
    return found
