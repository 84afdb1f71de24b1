"""The event stream: newest first, filtered on an index, with live updates polled by HTMX."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from engage.events.models import Event
from engage.tenancy.web import TenantView
from segments.selectors import event_for_tenant, events_latest_id, events_stream
from segments.views import query_text

PAGE_SIZE = 50
LIVE_BATCH = 100
FILTERS = ("event_type", "endpoint_id", "user_id")


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 <= number < 2**63 else None


class EventStreamView(TenantView):
    """The page; `?after=<id>` answers the live partial (newer events only), `?before=<id>` the next older page."""

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        filters = {name: query_text(request, name) for name in FILTERS}
        query = {k: v for k, v in filters.items() if v}
        after = _int(request.GET.get("after"))
        if after is not None:
            return self._live(filters, query, after)
        before_id = _int(request.GET.get("before"))
        before = event_for_tenant(tenant=self.tenant, event_id=before_id) if before_id is not None else None
        events = self._stream(filters, before=before, limit=PAGE_SIZE + 1)
        context = {
            "events": events[:PAGE_SIZE],
            "older_url": self._url(query, before=events[PAGE_SIZE - 1].pk) if len(events) > PAGE_SIZE else None,
            "filters": filters,
            "filtered": bool(query),
            "tab": "events",
        }
        if before is not None and request.headers.get("HX-Request"):
            return render(request, "segments/_events_older.html", context)
        cursor = max((e.pk for e in events), default=0) or events_latest_id(tenant=self.tenant)
        context |= {"live_url": self._url(query, after=cursor), "paged": before is not None}
        return render(request, "segments/events.html", context)

    def _live(self, filters: dict[str, str], query: dict[str, str], after: int) -> HttpResponse:
        events = self._stream(filters, after_id=after, limit=LIVE_BATCH)
        if not events:
            return HttpResponse(status=204)
        context: dict[str, Any] = {
            "events": events,
            "live_url": self._url(query, after=max(e.pk for e in events)),
            "fresh": True,
        }
        return render(self.request, "segments/_events_live.html", context)

    def _stream(self, filters: dict[str, str], **cursor: Any) -> list[Event]:
        return events_stream(
            tenant=self.tenant,
            event_type=filters["event_type"] or None,
            endpoint_id=filters["endpoint_id"] or None,
            user_id=filters["user_id"] or None,
            **cursor,
        )

    def _url(self, query: dict[str, str], **cursor: int) -> str:
        params: dict[str, str | int] = {**query, **cursor}
        return reverse("segments:events", args=[self.tenant.public_id]) + "?" + urlencode(params)
