"""Where is an endpoint (or a user) in a journey, and why: its participant rows across entries with the trail
each one took, its refused entries, and the messages the journey sent it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q

from campaigns.models import Journey, Participant
from channels.models import Delivery
from engage.errors import Invalid
from segments.models import Endpoint

LIMIT = 50


@dataclass
class Step:
    activity: str
    at: datetime | str
    outcome: str


@dataclass
class Found:
    participant: Participant
    steps: list[Step]
    refused: list[dict[str, Any]]
    estimated_zone: str = ""
    exit_label: str = ""
    deliveries: list[Delivery] = field(default_factory=list)


def _when(text: str) -> datetime | str:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return text


def _keys(journey: Journey, endpoint_id: str, user_id: str, address: str) -> tuple[set[str], set[str]]:
    """The endpoint ids and user ids the query names, widened through the tenant's endpoints."""
    endpoints = Endpoint.objects.for_tenant(journey.tenant)
    endpoint_ids, user_ids = set(), set()
    if endpoint_id:
        endpoint_ids.add(endpoint_id)
        user_ids |= set(endpoints.filter(endpoint_id=endpoint_id).exclude(user_id="").values_list("user_id", flat=True))
    if user_id:
        user_ids.add(user_id)
        endpoint_ids |= set(endpoints.filter(user_id=user_id).values_list("endpoint_id", flat=True)[:LIMIT])
    if address:
        for eid, uid in endpoints.filter(address=address).values_list("endpoint_id", "user_id")[:LIMIT]:
            endpoint_ids.add(eid)
            if uid:
                user_ids.add(uid)
    return endpoint_ids, user_ids


def participants_lookup(
    *, journey: Journey, endpoint_id: str = "", user_id: str = "", address: str = ""
) -> list[Found]:
    """The journey's participant rows for an endpoint id, a user id or an address (newest entry first), each
    with its trail, refused entries, estimated time zone and the messages sent to it by this journey."""
    endpoint_id, user_id, address = endpoint_id.strip(), user_id.strip(), address.strip()
    if not (endpoint_id or user_id or address):
        raise Invalid("give an endpoint id, a user id or an address to look up", field="endpoint_id")
    endpoint_ids, user_ids = _keys(journey, endpoint_id, user_id, address)
    match = Q(kind=Participant.Kind.ENDPOINT, key__in=endpoint_ids) | Q(kind=Participant.Kind.USER, key__in=user_ids)
    rows = list(Participant.objects.filter(journey=journey).filter(match).order_by("-entered_at", "-id")[:LIMIT])
    sent = Delivery.objects.filter(tenant_id=journey.tenant_id, dispatch__journey_id=str(journey.pk))
    found = []
    for p in rows:
        steps = [Step(str(t[0]), _when(str(t[1])), str(t[2])) for t in p.trail if isinstance(t, list) and len(t) >= 3]
        # The engine's ledger keys are j<journey>:<participant>:<activity>[:<endpoint>]: this entry's messages only.
        mine = sent.filter(key__startswith=f"j{journey.pk}:{p.pk}:")
        refused = p.data.get("refused") if isinstance(p.data.get("refused"), list) else []
        zone = p.data.get("timezone") or p.data.get("tz") or ""
        found.append(
            Found(
                participant=p,
                steps=steps,
                refused=[r for r in refused if isinstance(r, dict)],
                estimated_zone=str(zone),
                deliveries=list(mine.select_related("dispatch").order_by("queued_at", "id")[:LIMIT]),
            )
        )
    return found
