"""The participants lookup: where an endpoint, a user or an address is in a journey and why, across its entries."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from campaigns.journeys.metrics_participants import participants_lookup, refusals_lookup
from campaigns.journeys.views.common import JourneyMixin
from campaigns.journeys.views.metrics import reason_label
from engage.errors import Invalid

FIELDS = (("endpoint_id", "Endpoint ID"), ("user_id", "User ID"), ("address", "Address"))


class JourneyParticipantsView(JourneyMixin):
    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        journey = self.journey(pk)
        by = request.GET.get("by", "endpoint_id")
        by = by if by in dict(FIELDS) else "endpoint_id"
        query = request.GET.get("q", "").strip()[:1024]
        found, refused, error = None, [], ""
        if "q" in request.GET:
            try:
                found = participants_lookup(journey=journey, **{by: query})
                for f in found:
                    f.exit_label = reason_label(f.participant.exit_reason) if f.participant.exit_reason else ""
                refused = [(r, reason_label(r.reason)) for r in refusals_lookup(journey=journey, **{by: query})]
            except Invalid as exc:
                error = exc.message[:1].upper() + exc.message[1:] + "."
        context = {
            "journey": journey,
            "section": "journeys",
            "tab": "participants",
            "fields": FIELDS,
            "by": by,
            "q": query,
            "found": found,
            "refused": refused,
            "error": error,
        }
        return render(request, "journeys/participants.html", context, status=400 if error else 200)
