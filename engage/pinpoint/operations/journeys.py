"""Journeys: CreateJourney, GetJourney, ListJourneys, UpdateJourney, UpdateJourneyState and DeleteJourney, through
the journeys services the REST API uses. As in Pinpoint, `State: ACTIVE` in a create or update publishes the
journey, and UpdateJourneyState takes it to ACTIVE, PAUSED or CANCELLED."""

from __future__ import annotations

from typing import Any

from campaigns.journeys.representation import journey_json
from campaigns.journeys.services.lifecycle import journey_state_set
from campaigns.journeys.services.writes import journey_create, journey_delete, journey_update
from campaigns.models import Journey
from engage.errors import NotFound
from engage.pinpoint.pages import page
from engage.pinpoint.registry import Call, operation
from engage.tenancy.models import Capability


def journey_of(call: Call) -> Journey:
    """The path's journey, inside the caller's application only."""
    text = str(call.params["JourneyId"])
    found = None
    if text.isdigit() and len(text) <= 18:
        found = Journey.objects.for_tenant(call.tenant).select_related("tenant").filter(pk=int(text)).first()
    if found is None:
        raise NotFound(f"Journey {text} not found")
    return found


@operation("CreateJourney", capability=Capability.EDIT)
def create_journey(call: Call) -> dict[str, Any]:
    return journey_json(journey_create(tenant=call.tenant, body=call.body, by=call.key, ip=call.ip))


@operation("GetJourney", capability=Capability.VIEW)
def get_journey(call: Call) -> dict[str, Any]:
    return journey_json(journey_of(call))


@operation("ListJourneys", capability=Capability.VIEW)
def list_journeys(call: Call) -> dict[str, Any]:
    rows = Journey.objects.for_tenant(call.tenant).select_related("tenant").order_by("-created_at", "-id")
    return page(rows, params=call.params, render=journey_json)


@operation("UpdateJourney", capability=Capability.EDIT)
def update_journey(call: Call) -> dict[str, Any]:
    """Replace the definition: a draft changes, an active or paused journey gets a new version."""
    return journey_json(journey_update(journey=journey_of(call), body=call.body, by=call.key, ip=call.ip))


@operation("UpdateJourneyState", capability=Capability.EDIT)
def update_journey_state(call: Call) -> dict[str, Any]:
    journey = journey_state_set(journey=journey_of(call), state=call.body.get("State"), by=call.key, ip=call.ip)
    return journey_json(journey)


@operation("DeleteJourney", capability=Capability.EDIT)
def delete_journey(call: Call) -> dict[str, Any]:
    """Delete a journey nobody travels through (409 while it is active, paused or closed); answer with it."""
    journey = journey_of(call)
    answer = journey_json(journey)
    journey_delete(journey=journey, by=call.key, ip=call.ip)
    return answer
