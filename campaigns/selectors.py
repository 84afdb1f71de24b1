"""Reads for campaigns."""

from __future__ import annotations

from django.db.models import QuerySet

from campaigns.models import Campaign
from engage.tenancy.models import Tenant


def campaigns_list(*, tenant: Tenant, status: str | None = None, search: str | None = None) -> QuerySet[Campaign]:
    """The tenant's campaigns, newest first, optionally filtered by status or a name fragment."""
    queryset = Campaign.objects.for_tenant(tenant)
    if status:
        queryset = queryset.filter(status=status)
    if search:
        queryset = queryset.filter(name__icontains=search)
    return queryset
