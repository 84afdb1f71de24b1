"""The segment builder: new and edit pages, the live estimate of a draft, and the audience guard settings."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from engage.errors import DomainError
from engage.tenancy.models import Capability
from segments.models import ChannelType, Segment
from segments.segment_selectors import (
    attribute_names,
    audience_guard_of,
    event_type_suggestions,
    segment_choices,
)
from segments.services.segments import audience_guard_set, segment_create, segment_update
from segments.views.segment_common import (
    SegmentMixin,
    definition_from_text,
    error_context,
    estimate_context,
    guard_estimate_context,
)


def _pretty(definition: dict[str, Any]) -> str:
    return json.dumps(definition, indent=2, ensure_ascii=False)


class BuilderMixin(SegmentMixin):
    def builder_context(
        self, *, text: str, exclude: Segment | None = None, error: DomainError | None = None
    ) -> dict[str, Any]:
        return {
            "definition_text": text,
            "names": attribute_names(tenant=self.tenant),
            "event_types": event_type_suggestions(tenant=self.tenant),
            "sources": segment_choices(tenant=self.tenant, exclude=exclude),
            "channel_types": ChannelType.values,
            "can_edit": self.can(Capability.EDIT),
            "section": "segments",
            **(error_context(error) if error is not None else {}),
        }


class SegmentNewView(BuilderMixin):
    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        return self._render(name="", text="{}")

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        name, text = request.POST.get("name", ""), request.POST.get("definition", "")
        try:
            body = definition_from_text(text)
            segment = segment_create(tenant=self.tenant, body={**body, "Name": name}, by=self.actor)
        except DomainError as exc:
            return self._render(name=name, text=text, error=exc, status=400)
        messages.success(request, f"Segment “{segment.name}” created — version 1.")
        return redirect("segments:detail", tenant_id, segment.public_id)

    def _render(self, *, name: str, text: str, error: DomainError | None = None, status: int = 200) -> HttpResponse:
        context = {**self.builder_context(text=text, error=error), "name": name, "segment": None}
        return render(self.request, "segments/segment_builder.html", context, status=status)


class SegmentEditView(BuilderMixin):
    def get(self, request: HttpRequest, tenant_id: str, public_id: str) -> HttpResponse:
        segment = self.segment(public_id)
        if segment.kind == Segment.Kind.IMPORT:
            return self._imported(segment)
        return self._render(segment=segment, name=segment.name, text=_pretty(segment.definition))

    def post(self, request: HttpRequest, tenant_id: str, public_id: str) -> HttpResponse:
        segment = self.segment(public_id)
        if segment.kind == Segment.Kind.IMPORT:
            return self._imported(segment)
        name, text = request.POST.get("name", ""), request.POST.get("definition", "")
        before = segment.version
        try:
            # No criteria at all is a definition too (every endpoint): say so, or the service keeps the old one.
            body = definition_from_text(text) or {"SegmentGroups": {}}
            segment = segment_update(segment=segment, body={**body, "Name": name}, by=self.actor)
        except DomainError as exc:
            return self._render(segment=segment, name=name, text=text, error=exc, status=400)
        change = f"new version {segment.version}" if segment.version != before else f"still version {segment.version}"
        messages.success(request, f"Segment “{segment.name}” saved — {change}.")
        return redirect("segments:detail", tenant_id, segment.public_id)

    def _imported(self, segment: Segment) -> HttpResponse:
        messages.info(self.request, "An imported segment's members come from its file. Refine it instead.")
        return redirect("segments:detail", self.tenant.public_id, segment.public_id)

    def _render(
        self, *, segment: Segment, name: str, text: str, error: DomainError | None = None, status: int = 200
    ) -> HttpResponse:
        context = {**self.builder_context(text=text, exclude=segment, error=error), "name": name, "segment": segment}
        return render(self.request, "segments/segment_builder.html", context, status=status)


class DraftEstimateView(SegmentMixin):
    """The builder's live panel: counts for the posted draft, or the field-level reason it cannot be counted."""

    write_capability = Capability.VIEW  # it reads: estimating a draft changes nothing

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        guard_mode = request.POST.get("mode") == "guard"
        try:
            definition = definition_from_text(request.POST.get("definition", ""))
        except DomainError as exc:
            context = error_context(exc)
        else:
            if guard_mode:
                context = guard_estimate_context(tenant=self.tenant, definition=definition)
            else:
                context = estimate_context(tenant=self.tenant, definition=definition)
        template = "segments/_guard_estimate.html" if guard_mode else "segments/_estimate.html"
        return render(request, template, context)


class AudienceGuardView(BuilderMixin):
    """The tenant's audience guard, edited with the builder (one group); saved by admins, audited."""

    write_capability = Capability.MANAGE

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        guard = audience_guard_of(tenant=self.tenant)
        enabled = guard is not None and guard.enabled
        return self._render(enabled=enabled, text=_pretty(guard.definition if guard is not None else {}))

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        enabled, text = request.POST.get("enabled") == "on", request.POST.get("definition", "")
        try:
            body = definition_from_text(text)
            audience_guard_set(tenant=self.tenant, enabled=enabled, body=body, by=self.actor)
        except DomainError as exc:
            return self._render(enabled=enabled, text=text, error=exc, status=400)
        messages.success(request, "Audience guard saved." if enabled else "Audience guard saved and turned off.")
        return redirect("segments:audience_guard", tenant_id)

    def _render(self, *, enabled: bool, text: str, error: DomainError | None = None, status: int = 200) -> HttpResponse:
        self.request.nav_active = "tenancy:settings"  # type: ignore[attr-defined]  # a settings page
        context = {
            **self.builder_context(text=text, error=error),
            "enabled": enabled,
            "can_manage": self.can(Capability.MANAGE),
            "tab": "audience_guard",
            "section": "settings",
        }
        return render(self.request, "segments/audience_guard.html", context, status=status)
