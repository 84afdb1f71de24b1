"""The journey services: create, edit (drafts and new versions of live journeys), publish, pause and resume (timers
freeze), stop, the state setter, test copies, delete, quotas, usage of segments and templates, and the audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from campaigns.journeys.engine.triggers import VERSION_KEY
from campaigns.journeys.services.lifecycle import (
    journey_pause,
    journey_publish,
    journey_resume,
    journey_state_set,
    journey_stop,
    journey_test_start,
    journeys_resume_due,
)
from campaigns.journeys.services.writes import journey_create, journey_delete, journey_update
from campaigns.models import ActivityCount, Journey, JourneyVersion, Participant
from engage import clock
from engage.errors import Conflict, Invalid
from engage.redis import redis_client
from engage.tenancy.models import AuditLog, Tenant
from segments.services.segments import segment_delete
from templates.models import MessageTemplate
from templates.services.templates import template_delete
from tests.journeys.bodies import Audience, audience, event_entry, simple

pytestmark = pytest.mark.django_db(transaction=True)
Make = Callable[..., Journey]


@pytest.fixture
def a(tenant: Tenant) -> Audience:
    return audience(tenant)


@pytest.fixture
def make(tenant: Tenant, a: Audience) -> Make:
    def create(**extra: Any) -> Journey:
        return journey_create(tenant=tenant, body=simple(a, **extra), by="tests")

    return create


def actions(journey: Journey) -> list[str]:
    return list(
        AuditLog.objects.filter(target_type="campaigns.journey", target_id=str(journey.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def wait_for(journey: Journey, key: str, wake_at: Any) -> Participant:
    now = clock.now()
    return Participant.objects.create(
        tenant_id=journey.tenant_id, journey=journey, version=journey.version, key=key, activity="wait1",
        wake_at=wake_at, entered_at=now, updated_at=now,
    )  # fmt: skip


def test_a_created_journey_is_a_draft(make: Make, tenant: Tenant) -> None:
    journey = make(tags={"team": "growth"})
    assert (journey.state, journey.version, journey.name, journey.tags) == (
        "DRAFT",
        0,
        "Welcome series",
        {"team": "growth"},
    )
    assert set(journey.definition["Activities"]) == {"email1", "wait1", "sms1"}
    assert actions(journey) == ["journey.create"]


def test_publishing_runs_the_review_and_makes_version_one(make: Make, a: Audience, settings: Any) -> None:
    settings.JOURNEYS_PUBLISH_DELAY_SECONDS = 300
    redis_client().delete(VERSION_KEY.format(tenant_id=a.everyone.tenant_id))
    journey = journey_publish(journey=make(), by="tests")
    assert (journey.state, journey.version, journey.segment, journey.entry_event) == ("ACTIVE", 1, a.everyone, "")
    assert journey.starts_at is not None and journey.published_at is not None
    assert timedelta(seconds=299) < journey.starts_at - journey.published_at <= timedelta(seconds=300)
    assert journey.next_entry_at == journey.starts_at
    version = JourneyVersion.objects.get(journey=journey)
    assert (version.number, version.definition) == (1, journey.definition)
    assert redis_client().get(VERSION_KEY.format(tenant_id=journey.tenant_id)) is not None  # triggers bumped
    assert actions(journey) == ["journey.create", "journey.publish"]
    with pytest.raises(Conflict):
        journey_publish(journey=journey, by="tests")


def test_a_scheduled_start_and_an_event_entry_are_denormalised(make: Make, a: Audience) -> None:
    schedule = {"StartTime": "2030-01-01T09:00:00Z", "EndTime": "2030-02-01T00:00:00Z"}
    journey = journey_publish(journey=make(StartCondition=event_entry("signed_up", a.vip), Schedule=schedule), by="t")
    assert journey.starts_at is not None and journey.starts_at.isoformat() == "2030-01-01T09:00:00+00:00"
    assert journey.ends_at is not None and journey.ends_at.isoformat() == "2030-02-01T00:00:00+00:00"
    assert (journey.entry_event, journey.segment, journey.next_entry_at) == ("signed_up", a.vip, None)


def test_a_journey_that_fails_the_review_is_not_published(make: Make) -> None:
    journey = make(StartActivity="nowhere")
    with pytest.raises(Invalid) as raised:
        journey_publish(journey=journey, by="tests")
    assert raised.value.field == "StartActivity"
    journey.refresh_from_db()
    assert (journey.state, journey.version) == ("DRAFT", 0) and not JourneyVersion.objects.exists()


def test_created_active_it_is_published_at_once(tenant: Tenant, a: Audience) -> None:
    journey = journey_create(tenant=tenant, body=simple(a, State="ACTIVE"), by="tests")
    assert (journey.state, journey.version) == ("ACTIVE", 1)
    with pytest.raises(Invalid) as raised:
        journey_create(tenant=tenant, body=simple(a, State="PAUSED"), by="tests")
    assert raised.value.field == "State"


def test_editing_a_draft_changes_the_draft(make: Make, a: Audience) -> None:
    journey = make()
    edited = journey_update(journey=journey, body=simple(a, Name="Renamed", LocalTime=True), by="tests")
    assert (edited.name, edited.definition["LocalTime"], edited.version) == ("Renamed", True, 0)
    assert not JourneyVersion.objects.exists()
    assert actions(journey)[-1] == "journey.update"


def test_editing_a_live_journey_publishes_a_new_version_participants_keep_theirs(make: Make, a: Audience) -> None:
    journey = journey_publish(journey=make(), by="tests")
    inside = wait_for(journey, "ep-1", clock.now() + timedelta(days=1))
    body = simple(a)
    body["Activities"]["wait1"]["Wait"]["WaitTime"]["WaitFor"] = "P2D"
    edited = journey_update(journey=journey, body=body, by="tests")
    assert (edited.state, edited.version) == ("ACTIVE", 2)
    versions = {v.number: v.definition for v in JourneyVersion.objects.filter(journey=journey)}
    assert versions[1]["Activities"]["wait1"]["Wait"]["WaitTime"]["WaitFor"] == "P1D"
    assert versions[2]["Activities"]["wait1"]["Wait"]["WaitTime"]["WaitFor"] == "P2D"
    inside.refresh_from_db()
    assert inside.version == 1
    renamed = journey_update(journey=edited, body={**body, "Name": "Same steps"}, by="tests")
    assert (renamed.version, renamed.name) == (2, "Same steps")  # nothing to publish: no new version
    broken = simple(a)
    broken["Activities"]["sms1"]["SMS"]["NextActivity"] = "gone"
    with pytest.raises(Invalid) as raised:
        journey_update(journey=renamed, body=broken, by="tests")
    assert raised.value.field == "Activities.sms1.SMS.NextActivity"
    with pytest.raises(Conflict):
        journey_update(journey=renamed, body=simple(a, State="DRAFT"), by="tests")


def test_pause_freezes_waits_and_resume_moves_them_by_the_pause(make: Make) -> None:
    journey = journey_publish(journey=make(), by="tests")
    wake = clock.now() + timedelta(hours=2)
    waiting = wait_for(journey, "ep-1", wake)
    paused = journey_pause(journey=journey, by="tests")
    assert paused.state == "PAUSED" and paused.paused_at is not None
    with pytest.raises(Conflict):
        journey_pause(journey=paused, by="tests")
    clock.advance(seconds=3 * 3600)
    resumed = journey_resume(journey=paused, by="tests")
    assert (resumed.state, resumed.paused_at, resumed.resume_at) == ("ACTIVE", None, None)
    waiting.refresh_from_db()
    assert waiting.wake_at is not None
    assert abs(waiting.wake_at - (wake + timedelta(hours=3))) < timedelta(seconds=5)
    with pytest.raises(Conflict):
        journey_resume(journey=resumed, by="tests")
    assert actions(journey)[-2:] == ["journey.pause", "journey.resume"]


def test_a_delayed_resume_takes_effect_when_due(make: Make, settings: Any) -> None:
    settings.JOURNEYS_RESUME_DELAY_SECONDS = 300
    journey = journey_pause(journey=journey_publish(journey=make(), by="tests"), by="tests")
    wake = clock.now() + timedelta(hours=1)
    waiting = wait_for(journey, "ep-1", wake)
    asked = journey_resume(journey=journey, by="tests")
    assert asked.state == "PAUSED" and asked.resume_at is not None
    with pytest.raises(Conflict):
        journey_resume(journey=asked, by="tests")
    assert journeys_resume_due() == 0
    clock.advance(seconds=301)
    assert journeys_resume_due() == 1
    journey.refresh_from_db()
    waiting.refresh_from_db()
    assert (journey.state, journey.resume_at) == ("ACTIVE", None)
    assert waiting.wake_at is not None
    assert abs(waiting.wake_at - (wake + timedelta(seconds=300))) < timedelta(seconds=5)
    assert journeys_resume_due() == 0


def test_pausing_again_cancels_a_pending_resume(make: Make, settings: Any) -> None:
    settings.JOURNEYS_RESUME_DELAY_SECONDS = 300
    journey = journey_pause(journey=journey_publish(journey=make(), by="tests"), by="tests")
    journey = journey_pause(journey=journey_resume(journey=journey, by="tests"), by="tests")
    assert (journey.state, journey.resume_at) == ("PAUSED", None)
    clock.advance(seconds=301)
    assert journeys_resume_due() == 0


def test_stop_is_for_good(make: Make) -> None:
    draft = make()
    with pytest.raises(Conflict):
        journey_stop(journey=draft, by="tests")
    live = journey_publish(journey=draft, by="tests")
    inside = wait_for(live, "ep-1", clock.now() + timedelta(days=1))
    stopped = journey_stop(journey=live, by="tests")
    assert stopped.state == "CANCELLED"
    inside.refresh_from_db()
    assert (inside.state, inside.exit_reason, inside.wake_at) == ("done", "cancelled", None)
    assert ActivityCount.objects.get(journey=stopped, activity="", metric="exited:cancelled").count == 1
    for service in (journey_stop, journey_pause, journey_resume, journey_publish):
        with pytest.raises(Conflict):
            service(journey=stopped, by="tests")
    with pytest.raises(Conflict):
        journey_state_set(journey=stopped, state="ACTIVE", by="tests")


def test_the_state_setter_maps_pinpoints_states(make: Make) -> None:
    journey = journey_state_set(journey=make(), state="ACTIVE", by="tests")
    assert journey.state == "ACTIVE"
    assert journey_state_set(journey=journey, state="ACTIVE", by="tests").state == "ACTIVE"
    assert journey_state_set(journey=journey, state="PAUSED", by="tests").state == "PAUSED"
    assert journey_state_set(journey=journey, state="ACTIVE", by="tests").state == "ACTIVE"
    for state in ("DRAFT", "COMPLETED", None):
        with pytest.raises(Invalid):
            journey_state_set(journey=journey, state=state, by="tests")
    assert journey_state_set(journey=journey, state="CANCELLED", by="tests").state == "CANCELLED"


def test_quotas_hold_when_publishing(make: Make, a: Audience, settings: Any) -> None:
    settings.JOURNEYS_MAX_ACTIVE = 1
    journey_publish(journey=make(), by="tests")
    with pytest.raises(Invalid) as raised:
        journey_publish(journey=make(), by="tests")
    assert raised.value.field == "State"
    settings.JOURNEYS_MAX_ACTIVE = 10
    settings.JOURNEYS_MAX_EVENT_JOURNEYS = 1
    journey_publish(journey=make(StartCondition=event_entry()), by="tests")
    with pytest.raises(Invalid) as raised:
        journey_publish(journey=make(StartCondition=event_entry("other")), by="tests")
    assert raised.value.field == "StartCondition"


def test_a_test_copy_runs_at_once_on_the_test_segment(make: Make, a: Audience, settings: Any) -> None:
    settings.JOURNEYS_PUBLISH_DELAY_SECONDS = 300
    original = make(Schedule={"StartTime": "2030-01-01T00:00:00Z", "Timezone": "UTC"}, RefreshFrequency="PT6H")
    test = journey_test_start(journey=original, segment=a.vip, wait="custom", wait_seconds=60, by="tests")
    assert (test.name, test.state, test.test_of, test.test_wait, test.test_wait_seconds) == (
        "Test-Welcome series", "ACTIVE", original, "custom", 60,
    )  # fmt: skip
    assert test.starts_at is not None and abs(test.starts_at - clock.now()) < timedelta(seconds=5)
    assert test.definition["StartCondition"] == {"SegmentStartCondition": {"SegmentId": a.vip.public_id}}
    assert test.definition["Schedule"] == {"Timezone": "UTC"} and "RefreshFrequency" not in test.definition
    original.refresh_from_db()
    assert original.state == "DRAFT"
    with pytest.raises(Invalid) as raised:
        journey_test_start(journey=original, segment=a.vip, wait="custom", wait_seconds=None, by="tests")
    assert raised.value.field == "WaitSeconds"
    with pytest.raises(Invalid) as raised:
        journey_test_start(journey=original, segment=a.vip, wait="later", wait_seconds=None, by="tests")
    assert raised.value.field == "Wait"


def test_delete_refuses_journeys_people_travel_through(make: Make) -> None:
    live = journey_publish(journey=make(), by="tests")
    with pytest.raises(Conflict):
        journey_delete(journey=live, by="tests")
    journey_stop(journey=live, by="tests")
    journey_delete(journey=live, by="tests")
    assert not Journey.objects.filter(pk=live.pk).exists()
    assert AuditLog.objects.filter(action="journey.delete", target_id=str(live.pk)).exists()


def test_live_journeys_keep_their_segments_and_templates(make: Make, a: Audience, tenant: Tenant) -> None:
    journey = journey_publish(journey=make(), by="tests")
    with pytest.raises(Conflict, match="Welcome series"):
        segment_delete(segment=a.everyone, by="tests")
    welcome = MessageTemplate.objects.get(tenant=tenant, name="Welcome", channel="EMAIL")
    with pytest.raises(Conflict, match="Welcome series"):
        template_delete(template=welcome, by="tests")
    template_delete(template=MessageTemplate.objects.get(tenant=tenant, name="Offer"), by="tests")  # unused
    journey_stop(journey=journey, by="tests")
    segment_delete(segment=a.everyone, by="tests")
    template_delete(template=welcome, by="tests")
