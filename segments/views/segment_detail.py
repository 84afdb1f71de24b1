"""One segment: its definition in words and JSON, versions, copy, delete, and "why is this endpoint (not) in it"."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from engage.errors import DomainError, Invalid
from engage.tenancy.models import Capability
from segments.definition import parse_definition
from segments.models import Segment
from segments.segment_selectors import (
    segment_definition,
    segment_explain_guarded,
    segment_for_tenant,
    segment_names,
)
from segments.segment_summary import Summary, definition_summary
from segments.selectors import endpoint_for_tenant
from segments.services.segments import segment_copy, segment_delete
from segments.views import query_text
from segments.views.segment_common import SegmentMixin, error_context, is_htmx

MAX_VERSIONS = 25


class SegmentDetailView(SegmentMixin):
    def get(self, request: HttpRequest, tenant_id: str, public_id: str) -> HttpResponse:
        segment = self.segment(public_id)
        versions = [
            {"version": v.version, "created_at": v.created_at, "json": json.dumps(v.definition, indent=2)}
            for v in segment.versions.all()[:MAX_VERSIONS]
        ]
        context: dict[str, Any] = {
            "segment": segment,
            "imported": segment.kind == Segment.Kind.IMPORT,
            "definition_json": json.dumps(segment.definition, indent=2, ensure_ascii=False),
            "versions": versions,
            "more_versions": segment.version > MAX_VERSIONS,
            "channel_counts": sorted((segment.channel_counts or {}).items()),
            "can_edit": self.can(Capability.EDIT),
            "can_export": self.can(Capability.EXPORT),
            "endpoint_id": query_text(request, "endpoint_id"),
            "section": "segments",
            **self._summary(segment),
        }
        return render(request, "segments/segment_detail.html", context)

    def _summary(self, segment: Segment) -> dict[str, Any]:
        if segment.kind == Segment.Kind.IMPORT:
            return {}
        try:
            definition = parse_definition(segment.definition)
        except DomainError as exc:
            return {"summary_error": exc.message}
        ids = [ref.id for group in definition.groups for ref in group.sources]
        names = {
            pid: (name, reverse("segments:detail", args=[self.tenant.public_id, pid]))
            for pid, name in segment_names(tenant=self.tenant, public_ids=ids).items()
        }
        summary: Summary = definition_summary(definition, names=names)
        return {"summary": summary}


class SegmentCopyView(SegmentMixin):
    """Copy to a new dynamic segment; `refine` (an imported segment as the base) opens the copy in the builder."""

    def post(self, request: HttpRequest, tenant_id: str, public_id: str) -> HttpResponse:
        segment = self.segment(public_id)
        refine = request.POST.get("refine") == "1"
        name = request.POST.get("name", "").strip() or f"{segment.name} ({'refined' if refine else 'copy'})"
        try:
            copied = segment_copy(segment=segment, name=name, by=self.actor)
        except DomainError as exc:
            messages.error(request, error_context(exc)["error"])
            return redirect("segments:detail", tenant_id, segment.public_id)
        if refine:
            messages.success(request, f"“{copied.name}” starts from “{segment.name}”: add filters to refine it.")
            return redirect("segments:edit", tenant_id, copied.public_id)
        messages.success(request, f"Copied to “{copied.name}”.")
        return redirect("segments:detail", tenant_id, copied.public_id)


class SegmentDeleteView(SegmentMixin):
    def post(self, request: HttpRequest, tenant_id: str, public_id: str) -> HttpResponse:
        segment = self.segment(public_id)
        try:
            segment_delete(segment=segment, by=self.actor, ip=self.ip)
        except DomainError as exc:  # Conflict: a campaign, journey or segment still uses it
            messages.error(request, error_context(exc)["error"])
            return redirect("segments:detail", tenant_id, segment.public_id)
        messages.success(request, f"Segment “{segment.name}” deleted.")
        return redirect("segments:list", tenant_id)


class SegmentExplainView(SegmentMixin):
    """Why an endpoint is (not) in the segment: the panel (HTMX) or the detail page opened on it."""

    def get(self, request: HttpRequest, tenant_id: str, public_id: str) -> HttpResponseBase:
        segment = self.segment(public_id)
        endpoint_id = query_text(request, "endpoint_id")
        if not is_htmx(request):
            url = reverse("segments:detail", args=[tenant_id, segment.public_id])
            return redirect(f"{url}?endpoint_id={endpoint_id}#explain" if endpoint_id else url)
        return render(request, "segments/_explain.html", explain_context(self, segment, endpoint_id))


class ExplainAnyView(SegmentMixin):
    """The endpoint page's check: any segment of the tenant (`segment`) against one endpoint (`endpoint_id`)."""

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        segment = segment_for_tenant(tenant=self.tenant, public_id=query_text(request, "segment", limit=32))
        endpoint_id = query_text(request, "endpoint_id")
        if segment is None:
            context: dict[str, Any] = {"error": "Choose a segment."}
        else:
            context = explain_context(self, segment, endpoint_id)
        return render(request, "segments/_explain.html", context)


def explain_context(view: SegmentMixin, segment: Segment, endpoint_id: str) -> dict[str, Any]:
    """The verdicts of one endpoint against one segment, or what to fix in the request."""
    context: dict[str, Any] = {"segment": segment, "endpoint_id": endpoint_id}
    endpoint = endpoint_for_tenant(tenant=view.tenant, endpoint_id=endpoint_id) if endpoint_id else None
    if endpoint is None:
        message = f"No endpoint “{endpoint_id}” in this tenant." if endpoint_id else "Enter an endpoint id."
        return {**context, "error": message}
    try:
        result = segment_explain_guarded(
            tenant=view.tenant, definition=segment_definition(segment=segment), endpoint=endpoint
        )
    except Invalid as exc:
        return {**context, **error_context(exc)}
    return {**context, "endpoint": endpoint, "result": result}
