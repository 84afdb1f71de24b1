"""Reads for the audience."""
from __future__ import annotations

from django.db.models import Q, QuerySet

from engage.events.models import Event
from engage.tenancy.models import Tenant
from segments.models import Endpoint


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
        queryset = queryset.filter(
            Q(endpoint_id__startswith=q) | Q(address__startswith=q) | Q(user_id__startswith=q)
        )
    return queryset


def endpoint_recent_events(*, tenant: Tenant, endpoint: Endpoint, limit: int = 50) -> QuerySet[Event]:
    """The newest events of one endpoint."""
    return Event.objects.for_tenant(tenant).filter(endpoint_id=endpoint.endpoint_id).order_by("-arrival", "-id")[:limit]
