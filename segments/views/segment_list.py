"""The segments list (with a lazily loaded estimate per row), a saved segment's estimate, value suggestions."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from engage.errors import DomainError
from engage.tenancy.models import Capability
from segments.segment_selectors import segment_definition, segments_search, value_suggestions
from segments.views import query_text
from segments.views.segment_common import SegmentMixin, error_context, estimate_context

PAGE_SIZE = 50
SUGGESTION_FIELDS = ("attribute", "user_attribute", "Platform", "AppVersion", "Make", "Model", "Channel", "Country")


class SegmentListView(SegmentMixin):
    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        q = query_text(request, "q", limit=255)
        queryset = segments_search(tenant=self.tenant, q=q)
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "q": q,
            "any_segments": bool(page.object_list) or bool(q) or page.number > 1,
            "can_edit": self.can(Capability.EDIT),
            "section": "segments",
        }
        return render(request, "segments/segment_list.html", context)


class SegmentEstimateView(SegmentMixin):
    """A saved segment's counts: a list cell (`?as=cell`) or the detail page's panel with a sample."""

    def get(self, request: HttpRequest, tenant_id: str, public_id: str) -> HttpResponse:
        segment = self.segment(public_id)
        cell = request.GET.get("as") == "cell"
        try:
            definition = segment_definition(segment=segment)
            context = estimate_context(tenant=self.tenant, definition=definition, sample=not cell)
        except DomainError as exc:  # a stored definition that no longer parses
            context = error_context(exc)
        template = "segments/_estimate_cell.html" if cell else "segments/_estimate.html"
        return render(request, template, {**context, "segment": segment})


class SuggestValuesView(SegmentMixin):
    """<option>s for a value <datalist>: the most common values of a field in the tenant's data."""

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        field = query_text(request, "field", limit=32)
        name = query_text(request, "name", limit=50)
        values = value_suggestions(tenant=self.tenant, field=field, name=name) if field in SUGGESTION_FIELDS else []
        return render(request, "segments/_suggestions.html", {"values": values})
