"""Endpoints pages: search and browse, one endpoint in full, edit (UpdateEndpoint) and delete."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from engage.errors import DomainError, NotFound
from engage.tenancy.models import Capability
from engage.tenancy.web import TenantView
from segments.codec import DEMOGRAPHIC, endpoint_to_pinpoint
from segments.forms import EndpointForm
from segments.models import ChannelType, Endpoint
from segments.segment_selectors import segment_choices
from segments.selectors import (
    count_capped,
    endpoint_for_tenant,
    endpoint_recent_events,
    endpoints_filter,
    endpoints_keyset,
    suppressions_of_address,
)
from segments.services.endpoints import endpoint_delete, endpoint_upsert
from segments.views import query_text

PAGE_SIZE = 50
COUNT_CAP = 10_000
STATUSES = [("ACTIVE", "Active"), ("INACTIVE", "Inactive"), ("OPTED_OUT", "Opted out")]
DEMOGRAPHIC_LABELS = {
    "AppVersion": "App version",
    "Locale": "Locale",
    "Make": "Make",
    "Model": "Model",
    "ModelVersion": "Model version",
    "Platform": "Platform",
    "PlatformVersion": "Platform version",
    "Timezone": "Time zone",
}
LOCATION_ROWS = [
    ("City", "city"),
    ("Region", "region"),
    ("PostalCode", "postal_code"),
    ("Country", "country"),
    ("Latitude", "latitude"),
    ("Longitude", "longitude"),
]


def _param(request: HttpRequest, name: str, allowed: list[str] | None = None) -> str:
    value = query_text(request, name)
    return value if allowed is None or value in allowed else ""


class EndpointMixin(TenantView):
    """Resolves `endpoint_id` inside the view's tenant; 404 for an id the tenant does not have."""

    def endpoint(self, endpoint_id: str) -> Endpoint:
        endpoint = endpoint_for_tenant(tenant=self.tenant, endpoint_id=endpoint_id)
        if endpoint is None:
            raise Http404("no such endpoint")
        return endpoint


class EndpointListView(TenantView):
    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        filters = {
            "q": _param(request, "q"),
            "channel": _param(request, "channel", ChannelType.values),
            "status": _param(request, "status", [s for s, _ in STATUSES]),
        }
        queryset = endpoints_filter(
            tenant=self.tenant,
            q=filters["q"] or None,
            channel_type=filters["channel"] or None,
            status=filters["status"],
        )
        page = endpoints_keyset(
            queryset,
            after=query_text(request, "after", strip=False) or None,
            before=query_text(request, "before", strip=False) or None,
            size=PAGE_SIZE,
        )
        total, more = count_capped(queryset, cap=COUNT_CAP)
        return render(
            request,
            "segments/endpoints.html",
            {
                "page": page,
                "total": total,
                "more": more,
                "filters": filters,
                "filtered": any(filters.values()),
                "channels": ChannelType.values,
                "statuses": STATUSES,
                "tab": "endpoints",
            },
        )


class EndpointDetailView(EndpointMixin):
    def get(self, request: HttpRequest, tenant_id: str, endpoint_id: str) -> HttpResponse:
        endpoint = self.endpoint(endpoint_id)
        raw = endpoint_to_pinpoint(endpoint, application_id=self.tenant.public_id)
        demographic = [
            (label, f"Demographic.{key}", getattr(endpoint, DEMOGRAPHIC[key]))
            for key, label in DEMOGRAPHIC_LABELS.items()
        ]
        location = [(key, f"Location.{key}", getattr(endpoint, column)) for key, column in LOCATION_ROWS]
        return render(
            request,
            "segments/endpoint.html",
            {
                "endpoint": endpoint,
                "raw_json": json.dumps(raw, indent=2, ensure_ascii=False),
                "demographic": demographic,
                "location": location,
                "events": list(endpoint_recent_events(tenant=self.tenant, endpoint=endpoint, limit=25)),
                "suppressions": suppressions_of_address(tenant=self.tenant, address=endpoint.address),
                "can_edit": self.can(Capability.EDIT),
                "segment_choices": segment_choices(tenant=self.tenant),
                "tab": "endpoints",
            },
        )


class EndpointEditView(EndpointMixin):
    """The whole endpoint as one form, saved through endpoint_upsert; refusals show on the field they name."""

    read_capability = Capability.EDIT

    def get(self, request: HttpRequest, tenant_id: str, endpoint_id: str) -> HttpResponse:
        endpoint = self.endpoint(endpoint_id)
        return self._render(EndpointForm(endpoint=endpoint))

    def post(self, request: HttpRequest, tenant_id: str, endpoint_id: str) -> HttpResponse:
        endpoint = self.endpoint(endpoint_id)
        form = EndpointForm(request.POST, endpoint=endpoint)
        if form.is_valid():
            try:
                endpoint_upsert(tenant=self.tenant, endpoint_id=endpoint.endpoint_id, data=form.pinpoint_request())
            except DomainError as exc:
                form.add_error(form.field_for(exc.field), exc.message)
            else:
                messages.success(request, f"Endpoint {endpoint.endpoint_id} saved.")
                return redirect("segments:endpoint", tenant_id, endpoint.endpoint_id)
        return self._render(form, status=400)

    def _render(self, form: EndpointForm, status: int = 200) -> HttpResponse:
        context: dict[str, Any] = {"form": form, "endpoint": form.endpoint, "tab": "endpoints"}
        return render(self.request, "segments/endpoint_edit.html", context, status=status)


class EndpointDeleteView(EndpointMixin):
    def post(self, request: HttpRequest, tenant_id: str, endpoint_id: str) -> HttpResponse:
        endpoint = self.endpoint(endpoint_id)
        try:
            endpoint_delete(tenant=self.tenant, endpoint_id=endpoint.endpoint_id, by=self.actor, ip=self.ip)
        except NotFound:
            raise Http404("no such endpoint") from None
        messages.success(request, f"Endpoint {endpoint.endpoint_id} deleted. Its events stay in the event history.")
        return redirect("segments:endpoints", tenant_id)

    def get(self, request: HttpRequest, tenant_id: str, endpoint_id: str) -> HttpResponse:
        endpoint = self.endpoint(endpoint_id)
        return redirect("segments:endpoint", tenant_id, endpoint.endpoint_id)
