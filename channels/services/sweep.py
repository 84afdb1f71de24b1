"""The sweeper: rows a lost worker left in `sending`, and chunks whose send task went missing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from channels.models import Delivery, Dispatch, Reason, Status
from channels.services.events import Written, delivery_events_record

LOST_MESSAGE = (
    "the worker stopped after handing this message to the provider and before recording the answer; "
    "it was not sent again so that the recipient never gets it twice"
)


@dataclass
class SweepResult:
    requeued: int = 0
    unknown: int = 0
    chunks: int = 0


def _resolve_lost(now: datetime) -> int:
    """Rows past their lease that the provider may have received: unknown (never sent again)."""
    lost = list(
        Delivery.objects.filter(status=Status.SENDING, lease_until__lt=now, attempted_at__isnull=False).values(
            "id", "dispatch_id", "endpoint_id", "user_id", "address"
        )[:10_000]
    )
    if not lost:
        return 0
    with transaction.atomic():
        Delivery.objects.filter(pk__in=[r["id"] for r in lost], status=Status.SENDING).update(
            status=Status.UNKNOWN, reason=Reason.WORKER_LOST, status_message=LOST_MESSAGE, updated_at=now
        )
        by_dispatch: dict[int, list[Written]] = defaultdict(list)
        for r in lost:
            by_dispatch[r["dispatch_id"]].append(
                Written(r["id"], r["endpoint_id"], r["user_id"], r["address"], Status.UNKNOWN, Reason.WORKER_LOST)
            )
        for dispatch in Dispatch.objects.filter(pk__in=by_dispatch).select_related("tenant"):
            delivery_events_record(dispatch=dispatch, rows=by_dispatch[dispatch.pk], now=now)
    return len(lost)


def deliveries_sweep(
    *, now: datetime, enqueue: Callable[[int, int, int], None], is_enqueued: Callable[[int, int], bool]
) -> SweepResult:
    """Resolve what lost workers left behind and re-enqueue chunks that have due rows and no live task."""
    result = SweepResult()
    result.requeued = Delivery.objects.filter(
        status=Status.SENDING, lease_until__lt=now, attempted_at__isnull=True
    ).update(status=Status.QUEUED, lease_until=None, updated_at=now)
    result.unknown = _resolve_lost(now)
    due = (
        Delivery.objects.filter(status=Status.QUEUED)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .values_list("tenant_id", "dispatch_id", "chunk")
        .distinct()
        .order_by()[:5000]
    )
    for tenant_id, dispatch_id, chunk in due:
        if not is_enqueued(dispatch_id, chunk):
            enqueue(tenant_id, dispatch_id, chunk)
            result.chunks += 1
    return result
