"""The tenant's custom attribute names: registered on first use, capped at 250 like a Pinpoint project."""

from __future__ import annotations

from django.db import transaction

from engage.tenancy.models import Tenant
from segments.models import AttributeName

MAX_ATTRIBUTE_NAMES = 250
# Names only ever get added, so a per-process cache of known names saves a query on almost every write.
_known: dict[int, set[tuple[str, str]]] = {}


def attribute_names_admit(*, tenant: Tenant, names: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Register new (kind, name) pairs while the tenant has room; return the pairs that may be written."""
    if not names:
        return set()
    known = _known.setdefault(tenant.pk, set())
    if names <= known:
        return names
    with transaction.atomic():
        # Lock the tenant row: two writers must not both take the last free slots.
        Tenant.objects.select_for_update().filter(pk=tenant.pk).values_list("pk", flat=True).first()
        stored = set(AttributeName.objects.for_tenant(tenant).values_list("kind", "name"))
        room = max(MAX_ATTRIBUTE_NAMES - len(stored), 0)
        new = sorted(names - stored)[:room]
        AttributeName.objects.bulk_create(
            [AttributeName(tenant=tenant, kind=kind, name=name) for kind, name in new], ignore_conflicts=True
        )
        known |= stored | set(new)
    return names & known


def attribute_names_forget(*, tenant: Tenant) -> None:
    """Drop the process cache for a tenant (tests and tenant deletion)."""
    _known.pop(tenant.pk, None)
