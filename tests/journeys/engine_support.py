"""Helpers for the engine tests: endpoints, segments, an ACTIVE journey made with the ORM (version 1), and running
the advancer and the tick's services the way the tasks do."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from campaigns.journeys.engine.advance import advance_chunk
from campaigns.journeys.engine.entry import segment_pass
from campaigns.models import ActivityCount, Journey, JourneyVersion, Participant
from engage import clock
from engage.tenancy.models import Tenant
from segments.models import Segment
from segments.services.endpoints import endpoints_upsert
from segments.services.segments import segment_create


def people(tenant: Tenant, ids: list[str], *, team: str = "blue", users: dict[str, str] | None = None) -> None:
    """Email endpoints with Attributes.Team; `users` maps endpoint id → UserId for those that have one."""
    items = []
    for endpoint_id in ids:
        body: dict[str, Any] = {"ChannelType": "EMAIL", "Address": f"{endpoint_id}@example.com"}
        body["Attributes"] = {"Team": [team]}
        if users and endpoint_id in users:
            body["User"] = {"UserId": users[endpoint_id]}
        items.append((endpoint_id, body))
    results = endpoints_upsert(tenant=tenant, items=items, trusted=True)
    assert all(r.ok for r in results), results


def team(tenant: Tenant, name: str) -> Segment:
    """A dynamic segment: Attributes.Team = name."""
    dims = {"Attributes": {"Team": {"AttributeType": "INCLUSIVE", "Values": [name]}}}
    return segment_create(tenant=tenant, body={"Name": f"Team {name}", "Dimensions": dims}, by="tests")


def make_journey(
    tenant: Tenant,
    activities: dict[str, Any],
    start: str,
    *,
    segment: Segment | None = None,
    event: str = "",
    **settings: Any,
) -> Journey:
    """An ACTIVE journey published as version 1, entered by a segment or an event type, starting now."""
    definition: dict[str, Any] = {"Activities": activities, "StartActivity": start, **settings}
    if segment is not None:
        definition["StartCondition"] = {"SegmentStartCondition": {"SegmentId": segment.public_id}}
    if event:
        dims = {"EventType": {"DimensionType": "INCLUSIVE", "Values": [event]}}
        definition["StartCondition"] = {
            "EventStartCondition": {"EventFilter": {"FilterType": "ENDPOINT", "Dimensions": dims}}
        }
    now = clock.now()
    journey = Journey.objects.create(
        tenant=tenant,
        name="J",
        state=Journey.State.ACTIVE,
        definition=definition,
        version=1,
        segment=segment,
        entry_event=event,
        starts_at=now - timedelta(seconds=1),
        published_at=now,
        next_entry_at=now - timedelta(seconds=1) if segment is not None else None,
    )
    JourneyVersion.objects.create(tenant=tenant, journey=journey, number=1, definition=definition, published_at=now)
    return journey


def enter_segment(journey: Journey) -> int | None:
    return segment_pass(tenant_id=journey.tenant_id, journey_id=journey.pk, now=clock.now())


def advance_all() -> int:
    """Run the advancer until nothing is due."""
    moved = 0
    while n := advance_chunk():
        moved += n
    return moved


def later(**delta: float) -> None:
    """Move the shared test clock forward."""
    clock.advance(seconds=timedelta(**delta).total_seconds())


def where(journey: Journey) -> dict[str, tuple[str, str]]:
    """Participant key → (activity, state)."""
    return {p.key: (p.activity, p.state) for p in Participant.objects.filter(journey=journey)}


def counts(journey: Journey) -> dict[tuple[str, str], int]:
    return {(c.activity, c.metric): c.count for c in ActivityCount.objects.filter(journey=journey)}
