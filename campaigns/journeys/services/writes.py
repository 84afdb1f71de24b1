"""Creating, editing and deleting journeys (each audited). Editing a draft changes the draft; editing an active or
paused journey passes the review and publishes a new version that only new participants get."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from campaigns.journeys.definition import definition_check, definition_state, tags_check
from campaigns.journeys.services.lifecycle import journey_publish, review_passed, version_publish
from campaigns.models import Journey
from engage.errors import Conflict
from engage.tenancy.audit import Actor, audit
from engage.tenancy.models import Tenant

EDITABLE = (Journey.State.DRAFT, Journey.State.ACTIVE, Journey.State.PAUSED)
# States in which participants may still be inside the journey: it is stopped before it is deleted.
UNDELETABLE = (Journey.State.ACTIVE, Journey.State.PAUSED, Journey.State.CLOSED)


def _tags(body: Any, current: dict[str, Any]) -> dict[str, Any]:
    return tags_check(body.get("tags")) if isinstance(body, dict) and body.get("tags") is not None else current


@transaction.atomic
def journey_create(*, tenant: Tenant, body: Any, by: Actor, ip: str | None = None) -> Journey:
    """Save a new draft from a WriteJourneyRequest; `State: ACTIVE` publishes it at once, as in Pinpoint."""
    name, definition = definition_check(tenant=tenant, body=body)
    state = definition_state(body)
    journey = Journey.objects.create(tenant=tenant, name=name, definition=definition, tags=_tags(body, {}))
    audit(tenant=tenant, actor=by, action="journey.create", target=journey, data={"name": name}, ip=ip)
    if state == Journey.State.ACTIVE:
        journey = journey_publish(journey=journey, by=by, ip=ip)
    return journey


def _state_asked(journey: Journey, body: Any) -> str:
    """The State an update asks for: the journey's own (or none) changes nothing, ACTIVE publishes a draft."""
    asked = body.get("State") if isinstance(body, dict) else None
    if asked in (None, "", journey.state):
        return ""
    if asked == Journey.State.ACTIVE and journey.state == Journey.State.DRAFT:
        return str(asked)
    raise Conflict(
        f"State: an update cannot take a {journey.state} journey to {asked}; "
        "use the journey's state (pause, resume, stop) instead"
    )


@transaction.atomic
def journey_update(*, journey: Journey, body: Any, by: Actor, ip: str | None = None) -> Journey:
    """Replace the definition (a whole WriteJourneyRequest). A draft just changes; an active or paused journey
    must pass the review and gets a new published version (participants inside keep theirs)."""
    journey = Journey.objects.select_for_update(of=("self",)).select_related("tenant").get(pk=journey.pk)
    if journey.state not in EDITABLE:
        raise Conflict(f"journey {journey.pk} is {journey.state}; only draft, active and paused journeys can be edited")
    name, definition = definition_check(tenant=journey.tenant, body=body)
    asked = _state_asked(journey, body)
    changed = definition != journey.definition
    journey.name, journey.tags = name, _tags(body, journey.tags)
    if journey.state != Journey.State.DRAFT and changed:
        Tenant.objects.select_for_update().filter(pk=journey.tenant_id).first()  # the review counts quotas
        review_passed(journey=journey, definition=definition)
        journey.definition = definition
        version_publish(journey=journey)
    journey.definition = definition
    journey.save()
    audit(
        tenant=journey.tenant,
        actor=by,
        action="journey.update",
        target=journey,
        data={"version": journey.version, "definition_changed": changed},
        ip=ip,
    )
    if asked == Journey.State.ACTIVE:
        journey = journey_publish(journey=journey, by=by, ip=ip)
    return journey


@transaction.atomic
def journey_delete(*, journey: Journey, by: Actor, ip: str | None = None) -> None:
    """Delete a journey nobody is travelling through (a draft, or one that is stopped or completed)."""
    from campaigns.journeys.engine.triggers import journey_triggers_bump

    journey = Journey.objects.select_for_update(of=("self",)).select_related("tenant").get(pk=journey.pk)
    if journey.state in UNDELETABLE:
        raise Conflict(f"journey {journey.pk} is {journey.state}; stop it before deleting it")
    audit(
        tenant=journey.tenant,
        actor=by,
        action="journey.delete",
        target=journey,
        data={"name": journey.name, "state": journey.state},
        ip=ip,
    )
    journey_triggers_bump(tenant_id=journey.tenant_id)
    journey.delete()
