"""Shared by the journey pages: the journey named in the URL, the builder's pickers (templates, segments, time
zones), the engagement events a split can test per channel, and service errors as JSON the panels show."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django.http import Http404, JsonResponse

from campaigns.models import Journey
from engage.errors import DomainError
from engage.tenancy.models import Tenant
from engage.tenancy.web import TenantView
from segments.models import Segment
from templates.selectors import templates_search

SEND_CHANNELS = ("EMAIL", "SMS", "PUSH", "CUSTOM", "INAPP")
# The send-status events a yes/no or multivariate split can test, per channel of the earlier message activity
# (Pinpoint's console choices; the names are the system events the ledger records). In-app activities have none: a
# split cannot test them (campaigns.journeys.definition_conditions).
SPLIT_EVENTS: dict[str, list[tuple[str, str]]] = {
    "EMAIL": [
        ("_email.send", "Send"),
        ("_email.delivered", "Delivered"),
        ("_email.rejected", "Rejected"),
        ("_email.hardbounce", "Hard bounce"),
        ("_email.softbounce", "Soft bounce"),
        ("_email.complaint", "Complaint"),
        ("_email.open", "Opened"),
        ("_email.click", "Clicked"),
        ("_email.unsubscribe", "Unsubscribed"),
    ],
    "SMS": [
        ("_SMS.BUFFERED", "Send"),
        ("_SMS.SUCCESS", "Delivered"),
        ("_SMS.FAILURE", "Failed"),
        ("_SMS.OPTOUT", "Opted out"),
    ],
    "PUSH": [
        ("_push.send", "Send"),
        ("_push.opened_notification", "Opened notification"),
        ("_push.received_foreground", "Received foreground"),
        ("_push.received_background", "Received background"),
    ],
    "CUSTOM": [
        ("_custom.success", "Call to webhook succeeded"),
        ("_custom.failure", "Call to webhook failed"),
        ("_custom.response", "Response attribute equals a value"),
    ],
}
ENTRY_LABELS = {"segment": "Segment", "event": "Event", "": "Not set"}


class JourneyMixin(TenantView):
    """Resolves `pk` inside the view's tenant; 404 for a journey the tenant does not have."""

    def journey(self, pk: int) -> Journey:
        found = Journey.objects.for_tenant(self.tenant).select_related("tenant", "segment").filter(pk=pk).first()
        if found is None:
            raise Http404("no such journey")
        return found


def entry_type(definition: dict[str, Any]) -> str:
    """ "segment" or "event" from the definition's StartCondition, "" when none is set yet."""
    start = definition.get("StartCondition") or {}
    if start.get("EventStartCondition"):
        return "event"
    return "segment" if start.get("SegmentStartCondition") else ""


def error_json(exc: DomainError) -> JsonResponse:
    """A service's refusal as the JSON the builder puts on the panel field it names."""
    message = exc.message[:1].upper() + exc.message[1:]
    return JsonResponse({"error": {"message": message, "field": exc.field or ""}}, status=exc.status_code)


@cache
def _zones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def builder_options(tenant: Tenant) -> dict[str, Any]:
    """What the builder's pickers offer: the tenant's templates per channel, its segments, events and zones."""
    templates: dict[str, list[dict[str, str]]] = {c: [] for c in SEND_CHANNELS}
    for t in templates_search(tenant=tenant, sort="name"):
        if t.channel in templates:
            version = str(t.latest_version.number) if t.latest_version else ""
            templates[t.channel].append({"name": t.name, "version": version})
    segments = [
        {"id": s.public_id, "name": s.name, "kind": s.kind}
        for s in Segment.objects.for_tenant(tenant).order_by("name")[:500]
    ]
    return {
        "templates": templates,
        "segments": segments,
        "events": {c: [{"value": v, "label": label} for v, label in e] for c, e in SPLIT_EVENTS.items()},
        "zones": _zones(),
        "tenantZone": tenant.timezone,
    }
