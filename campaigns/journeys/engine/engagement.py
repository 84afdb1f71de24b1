"""Engagement events move waiting participants at once: when an open, click, delivery, bounce or SMS failure is
recorded for a journey message, participants of that journey waiting at a split whose condition watches that
event on that message activity are made due now and the advancer is kicked, so they take the Yes path without
waiting for the split's evaluation time (Yes is certain once the event happened).

Registered with engage.events (system events of journey messages, after commit; the push SDK's events through
ingestion). The send path records `_journey.send` for every message, so events are filtered by what the journey's
splits watch (an in-process index per journey, refreshed every INDEX_TTL seconds) before any query."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from campaigns.journeys.engine.conditions import signal_name, watched
from campaigns.journeys.graph import activity_kind
from campaigns.models import JourneyVersion, Participant
from channels.models import Delivery
from engage import clock
from engage.events.models import Event
from engage.events.services import SystemEvent
from engage.tenancy.models import Tenant
from segments.models import Endpoint

log = logging.getLogger(__name__)

INDEX_TTL = 10.0
ADVANCE_TASK = "journeys.advance"
KINDS = {"_email.": "EMAIL", "_sms.": "SMS", "_push.": "PUSH"}
# (message activity, canonical event name) → the (version, split activity) pairs that wait for it.
Watches = dict[tuple[str, str], set[tuple[int, str]]]
_index: dict[str, tuple[float, Watches]] = {}


def _certain(operator: str, count: int) -> bool:
    """One event settles a condition only when it alone makes it true: a single condition, or any of several."""
    return count == 1 or operator == "ANY"


def split_watches(definition: dict[str, Any], version: int, out: Watches) -> None:
    """Add a version's splits that one engagement event can settle (EXCLUSIVE conditions never can)."""
    for activity_id, activity in (definition.get("Activities") or {}).items():
        kind = activity_kind(activity)
        body = activity.get(kind) or {}
        conditions: list[dict[str, Any]] = []
        if kind == "ConditionalSplit":
            condition = body.get("Condition") or {}
            items = condition.get("Conditions") or []
            if _certain(str(condition.get("Operator") or "ALL"), len(items)):
                conditions = items
        elif kind == "MultiCondition":
            conditions = [b.get("Condition") or {} for b in body.get("Branches") or []]
        for c in conditions:
            if not c.get("EventCondition"):
                continue
            source, _, names, exclusive = watched(definition=definition, condition=c)
            if exclusive:
                continue
            for name in names:
                out[(source, name)].add((version, activity_id))


def journey_watches(journey_id: str) -> Watches:
    """The journey's engagement watches across its published versions (cached briefly in the process)."""
    hit = _index.get(journey_id)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    out: Watches = defaultdict(set)
    if journey_id.isdigit():
        rows = JourneyVersion.objects.filter(journey_id=int(journey_id)).values_list("number", "definition")
        for number, definition in rows:
            split_watches(definition or {}, number, out)
    _index[journey_id] = (time.monotonic() + INDEX_TTL, out)
    return out


def event_signal(event_type: str, attributes: dict[str, Any]) -> tuple[str, str]:
    """(kind of the message activity, canonical name) of an engagement event ("" when it is none)."""
    lowered = event_type.lower()
    if lowered == "_journey.send":
        kind = str(attributes.get("journey_activity_type") or "")
        ok = attributes.get("journey_send_status") == "SUCCESS"
        if kind == "CUSTOM":
            return kind, "success" if ok else "failure"
        return (kind, "send") if ok and kind in ("EMAIL", "SMS", "PUSH") else ("", "")
    kind = next((k for prefix, k in KINDS.items() if lowered.startswith(prefix)), "")
    if not kind and lowered.startswith(("_journey.", "_campaign.")):
        kind = "PUSH"
    return (kind, signal_name(kind, event_type)) if kind else ("", "")


def engagement_record(tenant: Tenant, events: Sequence[SystemEvent]) -> None:
    """System event handler: wake the participants whose split waits for one of these events."""
    wanted: dict[str, dict[int, set[tuple[int, str]]]] = defaultdict(lambda: defaultdict(set))
    for e in events:
        if e.delivery_id is None or not e.journey_id:
            continue
        watches = journey_watches(e.journey_id)
        if not watches:
            continue
        _, name = event_signal(e.event_type, e.attributes)
        splits = watches.get((str(e.attributes.get("journey_activity_id") or ""), name)) if name else None
        if splits:
            wanted[e.journey_id][e.delivery_id] |= splits
    for journey_id, by_delivery in wanted.items():
        keys = Delivery.objects.filter(tenant_id=tenant.pk, pk__in=list(by_delivery)).values_list("pk", "key")
        targets: dict[int, set[tuple[int, str]]] = defaultdict(set)
        for pk, key in keys:
            head, _, rest = key.partition(":")
            pid = rest.partition(":")[0]
            if head == f"j{journey_id}" and pid.isdigit():
                targets[int(pid)] |= by_delivery[pk]
        _wake(tenant, int(journey_id), targets)


def engagement_ingested(tenant: Tenant, events: Sequence[Event]) -> None:
    """Trigger handler: push engagement the app reports through PutEvents (`_journey.opened_notification`...)."""
    wanted: dict[str, dict[str, set[tuple[int, str]]]] = defaultdict(lambda: defaultdict(set))
    for e in events:
        attributes = e.attributes or {}
        journey_id = str(attributes.get("journey_id") or "")
        if not journey_id or not e.event_type.lower().startswith(("_journey.", "_campaign.", "_push.")):
            continue
        watches = journey_watches(journey_id)
        _, name = event_signal(e.event_type, attributes)
        splits = watches.get((str(attributes.get("journey_activity_id") or ""), name)) if name else None
        if splits and e.endpoint_id:
            wanted[journey_id][e.endpoint_id] |= splits
    for journey_id, by_endpoint in wanted.items():
        rows = Endpoint.objects.filter(tenant_id=tenant.pk, endpoint_id__in=list(by_endpoint))
        users = {endpoint_id: user_id for endpoint_id, user_id in rows.values_list("endpoint_id", "user_id")}
        keys: dict[str, set[tuple[int, str]]] = defaultdict(set)
        for endpoint_id, splits in by_endpoint.items():
            keys[endpoint_id] |= splits
            if users.get(endpoint_id):
                keys[users[endpoint_id]] |= splits
        found = Participant.objects.filter(
            journey_id=int(journey_id), tenant_id=tenant.pk, key__in=list(keys), state=Participant.State.WAITING
        ).values_list("pk", "key")
        _wake(tenant, int(journey_id), {pk: keys[key] for pk, key in found})


def _wake(tenant: Tenant, journey_id: int, targets: dict[int, set[tuple[int, str]]]) -> None:
    """Make due now the targeted participants still waiting at one of the splits the event settles."""
    if not targets:
        return
    now = clock.now()
    rows = Participant.objects.filter(
        tenant_id=tenant.pk, journey_id=journey_id, pk__in=list(targets), state=Participant.State.WAITING
    ).values_list("pk", "version", "activity", "wake_at")
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, version, activity, wake_at in rows:
        if (version, activity) in targets[pk] and wake_at is not None and wake_at > now:
            groups[(version, activity)].append(pk)
    woken = 0
    for (version, activity), pks in groups.items():
        # Still at that split (the advancer may have moved them meanwhile): only then bring the wake time forward.
        woken += Participant.objects.filter(
            pk__in=pks, version=version, activity=activity, state=Participant.State.WAITING, wake_at__gt=now
        ).update(wake_at=now)
    if woken:
        advancer_kick(tenant_id=tenant.pk, journey_id=journey_id)


def advancer_kick(*, tenant_id: int, journey_id: int) -> None:
    """Ask the advancer to run now (by task name: the engine's tasks module may load after this one)."""
    from celery import current_app

    try:
        current_app.send_task(ADVANCE_TASK, kwargs={"journey_id": journey_id})
    except Exception:
        log.exception("could not kick the journey advancer for journey %s of tenant %s", journey_id, tenant_id)
