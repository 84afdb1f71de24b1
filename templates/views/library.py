"""The template library: every template of the tenant, filtered by channel, searched by name, sorted."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from engage.tenancy.models import Capability
from segments.views import query_text
from templates.models import Channel
from templates.selectors import DEFAULT_SORT, template_channel_counts, templates_search
from templates.views import TemplateMixin
from templates.views.editor import CHANNEL_HELP

PAGE_SIZE = 50
SORT_LABELS = [
    ("-updated", "Recently changed"),
    ("name", "Name A–Z"),
    ("-name", "Name Z–A"),
    ("channel", "Channel"),
    ("-created", "Newest"),
    ("created", "Oldest"),
]


class TemplateListView(TemplateMixin):
    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        channel = query_text(request, "channel")
        sort = query_text(request, "sort")
        filters = {
            "q": query_text(request, "q", limit=128),
            "channel": channel if channel in Channel.values else "",
            "sort": sort if sort in dict(SORT_LABELS) else DEFAULT_SORT,
        }
        queryset = templates_search(
            tenant=self.tenant, channel=filters["channel"], q=filters["q"], sort=filters["sort"], contains=True
        )
        page = Paginator(queryset, PAGE_SIZE).get_page(query_text(request, "page"))
        counts = template_channel_counts(tenant=self.tenant)
        return render(
            request,
            "msgtemplates/list.html",
            {
                "page": page,
                "filters": filters,
                "filtered": bool(filters["q"] or filters["channel"]),
                "total": sum(counts.values()),
                "channels": [(c.value, c.label, counts[c.value], CHANNEL_HELP[c.value]) for c in Channel],
                "sorts": SORT_LABELS,
                "can_edit": self.can(Capability.EDIT),
            },
        )
