"""Where is an endpoint (or a user) in a journey, and why: its participant rows across entries with the trail
each one took, its refused entries (EntryRefusal, kept per key by the engine), and the messages the journey sent it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q

from campaigns.models import EntryRefusal, Journey, Participant
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


def _match(journey: Journey, endpoint_id: str, user_id: str, address: str) -> Q:
    endpoint_id, user_id, address = endpoint_id.strip(), user_id.strip(), address.strip()
    if not (endpoint_id or user_id or address):
        raise Invalid("give an endpoint id, a user id or an address to look up", field="endpoint_id")
    endpoint_ids, user_ids = _keys(journey, endpoint_id, user_id, address)
    return Q(kind=Participant.Kind.ENDPOINT, key__in=endpoint_ids) | Q(kind=Participant.Kind.USER, key__in=user_ids)


def refusal_json(refusal: EntryRefusal) -> dict[str, Any]:
    """One refused entry as the lookup shows it."""
    return {
        "kind": refusal.kind,
        "key": refusal.key,
        "reason": refusal.reason,
        "first_at": refusal.first_at.isoformat(),
        "at": refusal.at.isoformat(),
        "times": refusal.times,
    }


def refusals_lookup(
    *, journey: Journey, endpoint_id: str = "", user_id: str = "", address: str = ""
) -> list[EntryRefusal]:
    """The journey's refused entries of an endpoint id, a user id or an address, latest first."""
    match = _match(journey, endpoint_id, user_id, address)
    return list(EntryRefusal.objects.filter(journey=journey).filter(match).order_by("-at", "-id")[:LIMIT])


def participants_lookup(
    *, journey: Journey, endpoint_id: str = "", user_id: str = "", address: str = ""
) -> list[Found]:
    """The journey's participant rows for an endpoint id, a user id or an address (newest entry first), each
    with its trail, its key's refused entries, estimated time zone and the messages sent to it by this journey."""
    match = _match(journey, endpoint_id, user_id, address)
    rows = list(Participant.objects.filter(journey=journey).filter(match).order_by("-entered_at", "-id")[:LIMIT])
    refusals: dict[str, list[dict[str, Any]]] = {}
    for r in EntryRefusal.objects.filter(journey=journey, key__in={p.key for p in rows}).order_by("-at"):
        refusals.setdefault(r.key, []).append(refusal_json(r))
    sent = Delivery.objects.filter(tenant_id=journey.tenant_id, dispatch__journey_id=str(journey.pk))
    found = []
    for p in rows:
        steps = [Step(str(t[0]), _when(str(t[1])), str(t[2])) for t in p.trail if isinstance(t, list) and len(t) >= 3]
        # The engine's ledger keys are j<journey>:<participant>:<activity>[:<endpoint>]: this entry's messages only.
        mine = sent.filter(key__startswith=f"j{journey.pk}:{p.pk}:")
        zone = p.data.get("timezone") or p.data.get("tz") or ""
        found.append(
            Found(
                participant=p,
                steps=steps,
                refused=refusals.get(p.key, []),
                estimated_zone=str(zone),
                deliveries=list(mine.select_related("dispatch").order_by("queued_at", "id")[:LIMIT]),
            )
        )
    return found
