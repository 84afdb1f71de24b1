"""Retention: the delivery ledger and the events are kept for the tenant's retention period (≥ 90 days), then
deleted in small batches by a beat task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef

from channels.models import Delivery, Dispatch
from channels.models.ledger import TERMINAL_STATUSES
from channels.services.delivery_settings import delivery_settings_for
from engage.events.services import events_prune
from engage.tenancy.models import Tenant

BATCH = 5000


@dataclass
class PruneResult:
    deliveries: int = 0
    events: int = 0
    dispatches: int = 0


def _prune_deliveries(tenant_id: int, before: datetime, budget: int) -> int:
    removed = 0
    while removed < budget:
        ids = list(
            Delivery.objects.filter(tenant_id=tenant_id, queued_at__lt=before, status__in=TERMINAL_STATUSES)
            .order_by()
            .values_list("id", flat=True)[:BATCH]
        )
        if not ids:
            break
        removed += Delivery.objects.filter(id__in=ids).delete()[0]
    return removed


def _prune_events(tenant_id: int, before: datetime, budget: int) -> int:
    removed = 0
    while removed < budget and (batch := events_prune(tenant_id=tenant_id, before=before, batch_size=BATCH)):
        removed += batch
    return removed


def tenant_prune(*, tenant: Tenant, now: datetime, budget: int = 200_000) -> PruneResult:
    """Delete up to `budget` ledger rows and events older than the tenant's retention period, and the
    dispatches left without rows. Run again until it returns zeros."""
    before = now - timedelta(days=delivery_settings_for(tenant=tenant).retention_days)
    result = PruneResult()
    result.deliveries = _prune_deliveries(tenant.pk, before, budget)
    result.events = _prune_events(tenant.pk, before, budget)
    empty = Dispatch.objects.filter(tenant=tenant, created_at__lt=before).exclude(
        Exists(Delivery.objects.filter(dispatch=OuterRef("pk")))
    )
    result.dispatches = empty.delete()[0]
    return result
