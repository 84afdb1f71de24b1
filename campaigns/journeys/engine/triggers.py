"""Event entry: each process keeps a tenant's ACTIVE event-triggered journeys in memory under a version token kept
in Redis (the pattern of campaigns.services.triggers). Publishing, pausing, resuming, stopping, editing or closing
a journey calls journey_triggers_bump, which replaces the token after commit, so the next event anywhere reloads
the index. Ingestion calls `journeys_trigger` (registered in campaigns/apps.py) after events commit: matching
events enter participants at once and their first step runs right away, in this process."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from campaigns.eventfilter import EventFilter
from campaigns.journeys.engine.enter import Member, member_of, participants_enter
from campaigns.journeys.engine.membership import members, segment_definition
from campaigns.journeys.engine.versions import version_definition
from campaigns.models import Journey
from engage import clock
from engage.events.models import Event
from engage.redis import VersionedCache
from engage.tenancy.models import Tenant

log = logging.getLogger(__name__)

VERSION_KEY = "engage:journeys:triggers:{tenant_id}"
INLINE_STEPS = 500  # participants whose first step runs in the ingesting process; more go to the advancer task


@dataclass(frozen=True)
class JourneyTrigger:
    journey: Journey
    definition: dict[str, Any]
    filter: EventFilter
    segment_id: str
    start: datetime | None
    end: datetime | None

    def accepts(self, event: Event) -> bool:
        """Arrival time counts, between the journey's start and end."""
        return self.filter.accepts(event, self.start, self.end)


_cache: VersionedCache[list[JourneyTrigger]] = VersionedCache(VERSION_KEY, "journey triggers")


def journey_triggers_bump(*, tenant_id: int) -> None:
    """Once the transaction commits, make every process reload the tenant's journey triggers on its next event."""
    _cache.bump(tenant_id=tenant_id)


def _load(tenant: Tenant) -> list[JourneyTrigger]:
    journeys = Journey.objects.filter(tenant_id=tenant.pk, state=Journey.State.ACTIVE).exclude(entry_event="")
    triggers = []
    for journey in journeys.select_related("tenant"):
        definition = version_definition(journey, journey.version)
        start = ((definition.get("StartCondition") or {}).get("EventStartCondition")) or {}
        if not start.get("EventFilter"):
            continue
        triggers.append(
            JourneyTrigger(
                journey=journey,
                definition=definition,
                filter=EventFilter.parse(start["EventFilter"]),
                segment_id=str(start.get("SegmentId") or ""),
                start=journey.starts_at,
                end=journey.ends_at,
            )
        )
    return triggers


def journey_triggers_for(*, tenant: Tenant) -> list[JourneyTrigger]:
    """The tenant's armed journeys: from this process's cache while the Redis version is unchanged."""
    return _cache.get(tenant_id=tenant.pk, load=lambda: _load(tenant))


def _event_data(event: Event) -> dict[str, Any]:
    return {
        "event": {
            "EventType": event.event_type,
            "EndpointId": event.endpoint_id,
            "Attributes": event.attributes or {},
            "Metrics": event.metrics or {},
        }
    }


def events_enter(*, trigger: JourneyTrigger, events: Sequence[Event]) -> list[int]:
    """Enter the events' endpoints (their users when they have one) that pass the segment and re-entry rules."""
    if trigger.segment_id:
        ids = sorted({e.endpoint_id for e in events})
        query = members(tenant=trigger.journey.tenant, definition=segment_definition(trigger.segment_id))
        inside = set(query.filter(endpoint_id__in=ids).values_list("endpoint_id", flat=True))
        events = [e for e in events if e.endpoint_id in inside]
    entrants: list[Member] = [member_of(e.endpoint_id, e.user_id, _event_data(e)) for e in events]
    if not entrants:
        return []
    journey = trigger.journey
    with transaction.atomic():
        entered = participants_enter(
            journey=journey, version=journey.version, definition=trigger.definition, members=entrants, now=clock.now()
        )
    return entered.ids


def journeys_trigger(tenant: Tenant, events: Sequence[Event]) -> None:
    """The trigger handler: enter matching events' participants and take their first step now (no polling)."""
    from campaigns.journeys.engine.advance import advance_ids
    from campaigns.journeys.tasks import advance_enqueue

    for trigger in journey_triggers_for(tenant=tenant):
        matched = [e for e in events if trigger.accepts(e)]
        if not matched:
            continue
        try:
            ids = events_enter(trigger=trigger, events=matched)
            if len(ids) > INLINE_STEPS:
                advance_enqueue(journey_id=trigger.journey.pk)
            elif ids:
                advance_ids(ids=ids, journey_id=trigger.journey.pk)
        except Exception:
            log.exception("event-triggered journey %s failed to enter %s events", trigger.journey.pk, len(matched))
