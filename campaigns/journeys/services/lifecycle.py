"""Publishing, pausing, resuming and stopping journeys, test copies, and the API's state setter (each audited).

DRAFT → ACTIVE (publish; the review must pass) ⇄ PAUSED; ACTIVE, PAUSED or CLOSED → CANCELLED (stop, for good).
A pause freezes time for the participants inside: when the resume takes effect (JOURNEYS_RESUME_DELAY_SECONDS
after it is asked for; the engine's beat calls journeys_resume_due) every waiting participant's wake_at moves
later by as long as the journey was paused."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F

from campaigns.journeys.definition_fields import instant
from campaigns.journeys.services.review import event_type_of, is_event_journey, journey_review
from campaigns.models import Journey, JourneyVersion, Participant
from engage import clock
from engage.errors import Conflict, Invalid
from engage.tenancy.audit import Actor, audit
from engage.tenancy.models import Tenant
from segments.models import Segment

MAX_TEST_WAIT_SECONDS = 365 * 86400


def _locked(journey: Journey) -> Journey:
    """The journey's row, locked, then its tenant's (so quota checks of two publishes cannot interleave)."""
    locked = Journey.objects.select_for_update(of=("self",)).select_related("tenant").get(pk=journey.pk)
    Tenant.objects.select_for_update().filter(pk=locked.tenant_id).first()
    return locked


def _bump(journey: Journey) -> None:
    from campaigns.journeys.engine.triggers import journey_triggers_bump

    journey_triggers_bump(tenant_id=journey.tenant_id)


def review_passed(*, journey: Journey, definition: dict[str, Any]) -> None:
    """Invalid naming the first error when the review of `definition` finds any."""
    review = journey_review(tenant=journey.tenant, definition=definition, journey=journey)
    if review.errors:
        first, more = review.errors[0], len(review.errors) - 1
        where = f"activity “{first.activity}”: " if first.activity else ""
        tail = f" (and {more} more problem{'s' if more != 1 else ''}: see the review)" if more else ""
        raise Invalid(f"{first.field}: {where}{first.message}{tail}", field=first.field)


def version_publish(*, journey: Journey) -> None:
    """Make the journey's definition its next published version and denormalise its entry (saved by the caller)."""
    definition = journey.definition or {}
    journey.version += 1
    JourneyVersion.objects.create(
        tenant_id=journey.tenant_id,
        journey=journey,
        number=journey.version,
        definition=copy.deepcopy(definition),
        published_at=clock.now(),
    )
    start = definition.get("StartCondition") or {}
    segment_id = (start.get("SegmentStartCondition") or start.get("EventStartCondition") or {}).get("SegmentId")
    journey.segment = Segment.objects.for_tenant(journey.tenant).filter(public_id=segment_id or "").first()
    journey.entry_event = event_type_of(definition)[:100]
    end = (definition.get("Schedule") or {}).get("EndTime")
    journey.ends_at = instant(end, "Schedule.EndTime") if end else None
    _bump(journey)


def _starts_at(definition: dict[str, Any], now: datetime, delay_seconds: int) -> datetime:
    earliest = now + timedelta(seconds=delay_seconds)
    start = (definition.get("Schedule") or {}).get("StartTime")
    return max(instant(start, "Schedule.StartTime"), earliest) if start else earliest


@transaction.atomic
def journey_publish(*, journey: Journey, by: Actor, ip: str | None = None, delay_seconds: int | None = None) -> Journey:
    """Publish a draft: the review must pass; participants start entering at the later of Schedule.StartTime and
    now + JOURNEYS_PUBLISH_DELAY_SECONDS."""
    journey = _locked(journey)
    if journey.state != Journey.State.DRAFT:
        raise Conflict(f"journey {journey.pk} is {journey.state}, not a draft: only drafts are published")
    review_passed(journey=journey, definition=journey.definition or {})
    now = clock.now()
    delay = settings.JOURNEYS_PUBLISH_DELAY_SECONDS if delay_seconds is None else delay_seconds
    version_publish(journey=journey)
    journey.starts_at = _starts_at(journey.definition or {}, now, int(delay))
    journey.next_entry_at = None if is_event_journey(journey.definition or {}) else journey.starts_at
    journey.state, journey.published_at, journey.paused_at, journey.resume_at = Journey.State.ACTIVE, now, None, None
    journey.save()
    audit(
        tenant=journey.tenant,
        actor=by,
        action="journey.publish",
        target=journey,
        data={"version": journey.version, "starts_at": journey.starts_at.isoformat()},
        ip=ip,
    )
    return journey


@transaction.atomic
def journey_pause(*, journey: Journey, by: Actor, ip: str | None = None) -> Journey:
    """Hold an active journey: nobody enters or moves on, and waits stop counting. Pausing while a resume is
    pending cancels the resume."""
    journey = _locked(journey)
    if journey.state == Journey.State.PAUSED and journey.resume_at is not None:
        journey.resume_at = None
    elif journey.state == Journey.State.ACTIVE:
        journey.state, journey.paused_at, journey.resume_at = Journey.State.PAUSED, clock.now(), None
    else:
        raise Conflict(f"journey {journey.pk} is {journey.state}; only active journeys pause")
    journey.save(update_fields=["state", "paused_at", "resume_at", "updated_at"])
    _bump(journey)
    audit(tenant=journey.tenant, actor=by, action="journey.pause", target=journey, ip=ip)
    return journey


def _resume_now(journey: Journey, at: datetime) -> int:
    """Make the resume of a paused (locked) journey take effect at `at`: waits move later by the pause's length."""
    shift = at - (journey.paused_at or at)
    moved = 0
    if shift > timedelta(0):
        moved = Participant.objects.filter(
            journey_id=journey.pk, state=Participant.State.WAITING, wake_at__isnull=False
        ).update(wake_at=F("wake_at") + shift)
    if journey.next_entry_at is not None and shift > timedelta(0):
        journey.next_entry_at += shift
    journey.state, journey.paused_at, journey.resume_at = Journey.State.ACTIVE, None, None
    journey.save(update_fields=["state", "paused_at", "resume_at", "next_entry_at", "updated_at"])
    _bump(journey)
    return moved


@transaction.atomic
def journey_resume(*, journey: Journey, by: Actor, ip: str | None = None) -> Journey:
    """Carry on where the pause left off, now or JOURNEYS_RESUME_DELAY_SECONDS from now."""
    journey = _locked(journey)
    if journey.state != Journey.State.PAUSED:
        raise Conflict(f"journey {journey.pk} is {journey.state}, not paused")
    if journey.resume_at is not None:
        raise Conflict(f"journey {journey.pk} already resumes at {journey.resume_at.isoformat()}")
    now = clock.now()
    delay = int(settings.JOURNEYS_RESUME_DELAY_SECONDS)
    data: dict[str, Any] = {"paused_at": journey.paused_at.isoformat() if journey.paused_at else None}
    if delay > 0:
        journey.resume_at = now + timedelta(seconds=delay)
        journey.save(update_fields=["resume_at", "updated_at"])
        data["resume_at"] = journey.resume_at.isoformat()
    else:
        data["moved"] = _resume_now(journey, now)
    audit(tenant=journey.tenant, actor=by, action="journey.resume", target=journey, data=data, ip=ip)
    return journey


def journeys_resume_due(*, now: datetime | None = None) -> int:
    """Make the resumes that are due take effect (the engine's beat calls this); returns how many did."""
    now = now or clock.now()
    done = 0
    due = Journey.objects.filter(state=Journey.State.PAUSED, resume_at__lte=now).values_list("pk", flat=True)
    for pk in list(due[:500]):
        with transaction.atomic():
            journey = (
                Journey.objects.select_for_update(skip_locked=True)
                .select_related("tenant")
                .filter(pk=pk, state=Journey.State.PAUSED, resume_at__lte=now)
                .first()
            )
            if journey is None or journey.resume_at is None:
                continue
            at = journey.resume_at
            moved = _resume_now(journey, at)
            audit(
                tenant=journey.tenant, actor="system", action="journey.resumed", target=journey, data={"moved": moved}
            )
            done += 1
    return done


@transaction.atomic
def journey_stop(*, journey: Journey, by: Actor, ip: str | None = None) -> Journey:
    """Stop a published journey for good: nobody enters, nobody moves on; its metrics stay."""
    journey = _locked(journey)
    if journey.state == Journey.State.DRAFT:
        raise Conflict(f"journey {journey.pk} is a draft and has not started; delete it instead")
    if journey.state not in (Journey.State.ACTIVE, Journey.State.PAUSED, Journey.State.CLOSED):
        raise Conflict(f"journey {journey.pk} is {journey.state}; there is nothing to stop")
    was = journey.state
    journey.state, journey.resume_at, journey.next_entry_at = Journey.State.CANCELLED, None, None
    journey.save(update_fields=["state", "resume_at", "next_entry_at", "updated_at"])
    left = _participants_cancel(journey)
    _bump(journey)
    audit(
        tenant=journey.tenant, actor=by, action="journey.stop", target=journey, data={"was": was, "left": left}, ip=ip
    )
    return journey


def _participants_cancel(journey: Journey) -> int:
    """Everyone still inside leaves with exit reason "cancelled", counted at the journey level."""
    from campaigns.journeys.engine.counts import counts_add

    now = clock.now()
    left = Participant.objects.filter(journey_id=journey.pk, state=Participant.State.WAITING).update(
        state=Participant.State.DONE, wake_at=None, exited_at=now, exit_reason="cancelled", updated_at=now
    )
    counts_add({(journey.tenant_id, journey.pk, "", "exited:cancelled"): left})
    return left


def journey_state_set(*, journey: Journey, state: Any, by: Actor, ip: str | None = None) -> Journey:
    """Pinpoint's UpdateJourneyState: ACTIVE publishes a draft or resumes a paused journey, PAUSED pauses,
    CANCELLED stops."""
    if state == Journey.State.ACTIVE:
        if journey.state == Journey.State.DRAFT:
            return journey_publish(journey=journey, by=by, ip=ip)
        if journey.state == Journey.State.PAUSED:
            return journey_resume(journey=journey, by=by, ip=ip)
        if journey.state == Journey.State.ACTIVE:
            return journey
        raise Conflict(f"journey {journey.pk} is {journey.state}; it cannot become ACTIVE again")
    if state == Journey.State.PAUSED:
        return journey_pause(journey=journey, by=by, ip=ip)
    if state == Journey.State.CANCELLED:
        return journey_stop(journey=journey, by=by, ip=ip)
    raise Invalid(f"State must be ACTIVE, PAUSED or CANCELLED (got {state!r})", field="State")


def _test_definition(journey: Journey, segment: Segment) -> dict[str, Any]:
    """The journey's definition entered by the test segment, starting now and running once."""
    definition = copy.deepcopy(journey.definition or {})
    if is_event_journey(definition) and segment.kind != Segment.Kind.DIMENSIONAL:
        raise Invalid("an event-triggered journey is tested with a dynamic segment", field="SegmentId")
    described = (definition.get("StartCondition") or {}).get("Description")
    definition["StartCondition"] = {"SegmentStartCondition": {"SegmentId": segment.public_id}}
    if described:
        definition["StartCondition"]["Description"] = described
    schedule = {k: v for k, v in (definition.get("Schedule") or {}).items() if k == "Timezone"}
    definition.pop("Schedule", None)
    if schedule:
        definition["Schedule"] = schedule
    for key in ("RefreshFrequency", "RefreshOnSegmentUpdate"):
        definition.pop(key, None)
    return definition


@transaction.atomic
def journey_test_start(
    *, journey: Journey, segment: Segment, wait: str, wait_seconds: int | None, by: Actor, ip: str | None = None
) -> Journey:
    """A "Test-" copy of the journey entered by the test segment, its waits skipped or shortened, published now."""
    if segment.tenant_id != journey.tenant_id:
        raise Invalid("choose a test segment of this project", field="SegmentId")
    if wait not in Journey.TestWait.values:
        raise Invalid("Wait must be skip (skip every wait) or custom (wait WaitSeconds instead)", field="Wait")
    seconds = None
    if wait == Journey.TestWait.CUSTOM:
        if isinstance(wait_seconds, bool) or not isinstance(wait_seconds, int):
            raise Invalid("WaitSeconds: give how many seconds each wait lasts in the test", field="WaitSeconds")
        if not 0 <= wait_seconds <= MAX_TEST_WAIT_SECONDS:
            raise Invalid(f"WaitSeconds must be from 0 to {MAX_TEST_WAIT_SECONDS:,}", field="WaitSeconds")
        seconds = wait_seconds
    test = Journey.objects.create(
        tenant_id=journey.tenant_id,
        name=f"Test-{journey.name}"[:150],
        definition=_test_definition(journey, segment),
        test_of=journey,
        test_wait=wait,
        test_wait_seconds=seconds,
    )
    audit(
        tenant=journey.tenant,
        actor=by,
        action="journey.test",
        target=test,
        data={"of": journey.pk, "segment": segment.public_id, "wait": wait, "wait_seconds": seconds},
        ip=ip,
    )
    return journey_publish(journey=test, by=by, ip=ip, delay_seconds=0)
