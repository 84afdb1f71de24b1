"""The Deliveries pages: recent dispatches with their send progress, and one dispatch's ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from channels.models import Provider, Reason, Status
from channels.selectors import (
    STATUS_ORDER,
    deliveries_filtered,
    dispatch_reason_counts,
    dispatch_status_counts,
    dispatches_for_tenant,
)
from engage.tenancy.web import TenantView

DISPATCHES_PER_PAGE = 25
ROWS_PER_PAGE = 50
PENDING = {Status.QUEUED, Status.HELD, Status.SENDING}
# The bar fills from the left with what is settled; what is still on its way stays on the right.
BAR_ORDER = (
    Status.DELIVERED,
    Status.SENT,
    Status.FAILED,
    Status.SKIPPED,
    Status.EXPIRED,
    Status.UNKNOWN,
    Status.SENDING,
    Status.QUEUED,
    Status.HELD,
)


@dataclass
class Progress:
    """A dispatch's rows by status, as the stacked bar and its legend show them."""

    counts: dict[str, int]
    total: int = 0
    segments: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, counts: dict[str, int]) -> Progress:
        total = sum(counts.values())
        segments = [
            {"status": s, "label": Status(s).label, "count": counts[s], "percent": 100 * counts[s] / total}
            for s in BAR_ORDER
            if counts.get(s)
        ]
        return cls(counts=counts, total=total, segments=segments)

    @property
    def tiles(self) -> list[dict[str, Any]]:
        """Every status with its count (zeros too), for the dispatch page's tiles."""
        return [
            {"status": s, "label": Status(s).label.split(" (")[0], "count": self.counts.get(s, 0)} for s in STATUS_ORDER
        ]

    @property
    def pending(self) -> int:
        return sum(self.counts.get(s, 0) for s in PENDING)

    @property
    def unknown(self) -> int:
        return self.counts.get(Status.UNKNOWN, 0)

    @property
    def done_percent(self) -> float:
        return 100 * (self.total - self.pending) / self.total if self.total else 100.0


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


class DeliveriesView(TenantView):
    """Recent dispatches (campaign runs, journey activities, transactional and test sends) and their progress;
    the list refreshes itself while anything is still pending."""

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        dispatches = dispatches_for_tenant(tenant=self.tenant)
        before = _int(request.GET.get("before", ""))
        if before is not None:
            dispatches = dispatches.filter(pk__lt=before)
        page = list(dispatches[: DISPATCHES_PER_PAGE + 1])
        shown = page[:DISPATCHES_PER_PAGE]
        counts = dispatch_status_counts(tenant=self.tenant, dispatch_ids=[d.pk for d in shown])
        rows = [(d, Progress.of(counts[d.pk]), _provider(d.provider)) for d in shown]
        context = {
            "rows": rows,
            "older": shown[-1].pk if len(page) > DISPATCHES_PER_PAGE else None,
            "paged": before is not None,
            "pending": any(p.pending for _, p, _ in rows),
            "unknown": sum(p.unknown for _, p, _ in rows),
        }
        return render(request, "channels/deliveries.html", context)


class DispatchView(TenantView):
    """One dispatch: counts by status and by reason, and its ledger rows (filter by status, reason, address)."""

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        dispatch = get_object_or_404(dispatches_for_tenant(tenant=self.tenant), pk=pk)
        progress = Progress.of(dispatch_status_counts(tenant=self.tenant, dispatch_ids=[dispatch.pk])[dispatch.pk])
        filters = _filters(request)
        rows = deliveries_filtered(
            tenant=self.tenant,
            dispatch_id=dispatch.pk,
            status=filters["status"],
            reason=filters["reason"] if filters["reason"] != "*" else None,
            address_prefix=filters["q"],
        )
        before = _int(request.GET.get("before", ""))
        if before is not None:
            rows = rows.filter(pk__lt=before)
        page = list(rows[: ROWS_PER_PAGE + 1])
        context = {
            "dispatch": dispatch,
            "provider": _provider(dispatch.provider),
            "progress": progress,
            "reasons": [_reason_row(*r) for r in dispatch_reason_counts(dispatch=dispatch)],
            "deliveries": page[:ROWS_PER_PAGE],
            "older": page[ROWS_PER_PAGE - 1].pk if len(page) > ROWS_PER_PAGE else None,
            "filters": filters,
            "query": _query(filters),
            "statuses": [(s, Status(s).label) for s in STATUS_ORDER],
            "reason_choices": [(r, label) for r, label in Reason.choices if r],
        }
        return render(request, "channels/dispatch.html", context)


def _provider(name: str) -> str:
    return Provider(name).label if name in Provider.values else name


def _filters(request: HttpRequest) -> dict[str, str]:
    status = request.GET.get("status", "")
    reason = request.GET.get("reason", "*")
    return {
        "status": status if status in Status.values else "",
        "reason": reason if reason in Reason.values else "*",
        "q": request.GET.get("q", "").strip()[:200],
    }


def _query(filters: dict[str, str]) -> str:
    """The filters as a query string, to carry them to the next page."""
    return urlencode({k: v for k, v in filters.items() if (v and v != "*") or (k == "reason" and v == "")})


def _reason_row(status: str, reason: str, count: int) -> dict[str, Any]:
    return {
        "status": status,
        "status_label": Status(status).label,
        "reason": reason,
        "reason_label": Reason(reason).label if reason in Reason.values else reason,
        "count": count,
    }
