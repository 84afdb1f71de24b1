"""Shared by the segment pages: the segment named in the URL, a definition posted as JSON text, estimate context."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest

from engage.errors import DomainError, Invalid
from engage.tenancy.models import Tenant
from engage.tenancy.web import TenantView
from segments.compiler.query import audience_guard_for, segment_estimate
from segments.definition import Definition, parse_definition
from segments.models import Segment
from segments.segment_selectors import segment_for_tenant, segment_sample

DEFINITION_KEYS = ("Dimensions", "SegmentGroups")
MAX_DEFINITION_TEXT = 200_000


class SegmentMixin(TenantView):
    """Resolves `public_id` inside the view's tenant; 404 for an id the tenant does not have."""

    def segment(self, public_id: str) -> Segment:
        segment = segment_for_tenant(tenant=self.tenant, public_id=public_id)
        if segment is None:
            raise Http404("no such segment")
        return segment


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def definition_from_text(text: str) -> dict[str, Any]:
    """The Dimensions / SegmentGroups of a definition posted as JSON text (the builder's form field)."""
    if len(text) > MAX_DEFINITION_TEXT:
        raise Invalid("the definition is too long", field="definition")
    try:
        data = json.loads(text or "{}")
    except (ValueError, RecursionError) as exc:  # RecursionError: nested deeper than the parser goes
        raise Invalid(f"the definition is not valid JSON ({exc})", field="definition") from None
    if not isinstance(data, dict):
        raise Invalid("the definition must be a JSON object, as in Pinpoint's WriteSegmentRequest", field="definition")
    return {key: data[key] for key in DEFINITION_KEYS if key in data}


def error_context(exc: DomainError) -> dict[str, Any]:
    message = exc.message[:1].upper() + exc.message[1:]
    return {"error": message, "error_field": exc.field or ""}


def estimate_context(*, tenant: Tenant, definition: Definition | dict[str, Any], sample: bool = True) -> dict[str, Any]:
    """Counts (total, eligible, after the audience guard) and a few matching endpoints; a refusal as an error."""
    try:
        parsed = definition if isinstance(definition, Definition) else parse_definition(definition)
        guard = audience_guard_for(tenant=tenant)
        estimate = segment_estimate(tenant=tenant, definition=parsed, guard=guard)
        members = segment_sample(tenant=tenant, definition=parsed) if sample else []
    except DomainError as exc:
        return error_context(exc)
    return {"estimate": estimate, "guard_on": guard is not None, "sample": members, "show_sample": sample}


def guard_estimate_context(*, tenant: Tenant, definition: dict[str, Any]) -> dict[str, Any]:
    """How many eligible endpoints a draft audience guard would hold back right now."""
    try:
        guard = parse_definition(definition)
        estimate = segment_estimate(tenant=tenant, definition=Definition(), guard=guard)
    except DomainError as exc:
        return error_context(exc)
    excluded = estimate.eligible_before_guard - estimate.eligible
    return {"estimate": estimate, "excluded": excluded, "empty_guard": not guard.groups}
