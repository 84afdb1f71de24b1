"""Entries: segment passes (bulk SQL), refresh cadence and refresh on segment update, re-entry cap and interval
(segment and event paths), closing and completion."""

from __future__ import annotations

from typing import Any

import pytest

from campaigns.journeys.engine.closing import journeys_close, journeys_complete
from campaigns.journeys.engine.entry import entries_due
from campaigns.journeys.engine.triggers import JourneyTrigger, events_enter, journey_triggers_for
from campaigns.models import Journey, Participant
from engage import clock
from engage.events.models import Event
from engage.tenancy.models import Tenant
from segments.services.segments import segment_update
from tests.journeys.engine_support import advance_all, counts, enter_segment, later, make_journey, people, team

pytestmark = pytest.mark.django_db

QUICK = {"h": {"Holdout": {"Percentage": 0}}}  # straight through to the end


def test_a_segment_without_refresh_enters_once_then_closes_and_completes(tenant: Tenant, other_tenant: Tenant) -> None:
    people(tenant, ["a", "b"])
    people(other_tenant, ["x"])
    park = {"w": {"Wait": {"WaitTime": {"WaitFor": "PT1H"}}}}
    journey = make_journey(tenant, park, "w", segment=team(tenant, "blue"))
    assert entries_due(now=clock.now()) == [(tenant.pk, journey.pk)]
    assert enter_segment(journey) == 2
    assert enter_segment(journey) is None  # not due again: no refresh
    assert sorted(Participant.objects.filter(journey=journey).values_list("key", flat=True)) == ["a", "b"]
    journey.refresh_from_db()
    assert (journey.refreshes, journey.next_entry_at, journey.segment_version) == (1, None, 1)
    assert journeys_close(now=clock.now()) == 1
    assert Journey.objects.get(pk=journey.pk).state == "CLOSED"
    advance_all()
    assert journeys_complete(now=clock.now()) == 0  # two still waiting
    later(hours=1, seconds=1)
    advance_all()
    assert journeys_complete(now=clock.now()) == 1
    assert Journey.objects.get(pk=journey.pk).state == "COMPLETED"


def test_a_refreshing_segment_adds_new_members_only_within_the_reentry_cap(tenant: Tenant) -> None:
    people(tenant, ["a"])
    journey = make_journey(tenant, QUICK, "h", segment=team(tenant, "blue"), RefreshFrequency="PT1H")
    assert enter_segment(journey) == 1
    advance_all()  # a leaves the journey
    people(tenant, ["b"])
    assert enter_segment(journey) is None  # the next pass is an hour away
    later(hours=1, seconds=1)
    assert entries_due(now=clock.now()) == [(tenant.pk, journey.pk)]
    assert enter_segment(journey) == 1  # b; a already had its one entry
    assert sorted(Participant.objects.filter(journey=journey).values_list("key", "entry")) == [("a", 1), ("b", 1)]
    c = counts(journey)
    assert c[("", "entered")] == 2 and c[("", "entry_refused:reentry_cap")] == 1
    assert journeys_close(now=clock.now()) == 0  # it refreshes: still ACTIVE


def test_unlimited_reentry_waits_for_the_interval_and_for_the_last_entry_to_finish(tenant: Tenant) -> None:
    people(tenant, ["a"])
    park = {"w": {"Wait": {"WaitTime": {"WaitFor": "PT3H"}}}}
    limits = {"EndpointReentryCap": 0, "EndpointReentryInterval": "PT2H"}
    journey = make_journey(tenant, park, "w", segment=team(tenant, "blue"), RefreshFrequency="PT1H", Limits=limits)
    assert enter_segment(journey) == 1
    advance_all()
    later(hours=1, seconds=1)
    assert enter_segment(journey) == 0  # still inside
    later(hours=2)
    advance_all()  # the 3 h wait is over: a has left
    assert enter_segment(journey) == 1
    assert sorted(Participant.objects.filter(journey=journey).values_list("entry", flat=True)) == [1, 2]
    advance_all()
    later(hours=1, seconds=1)
    Participant.objects.filter(journey=journey).update(state="done")
    assert enter_segment(journey) == 0  # entered 1 h ago, the interval is 2 h
    c = counts(journey)
    assert c[("", "entry_refused:in_journey")] == 1 and c[("", "entry_refused:reentry_interval")] == 1


def test_refresh_on_segment_update_reads_the_changed_segment(tenant: Tenant) -> None:
    people(tenant, ["a"])
    people(tenant, ["r"], team="red")
    segment = team(tenant, "blue")
    park = {"w": {"Wait": {"WaitTime": {"WaitFor": "PT1H"}}}}
    journey = make_journey(tenant, park, "w", segment=segment, RefreshOnSegmentUpdate=True)
    assert enter_segment(journey) == 1
    assert entries_due(now=clock.now()) == []
    later(seconds=5)
    dims = {"Attributes": {"Team": {"AttributeType": "INCLUSIVE", "Values": ["blue", "red"]}}}
    segment_update(segment=segment, body={"Dimensions": dims}, by="tests")
    later(seconds=5)
    assert entries_due(now=clock.now()) == [(tenant.pk, journey.pk)]
    assert enter_segment(journey) == 1
    assert sorted(Participant.objects.filter(journey=journey).values_list("key", flat=True)) == ["a", "r"]
    advance_all()
    assert journeys_close(now=clock.now()) == 0  # participants still inside: segment changes still count
    later(hours=1, seconds=1)
    advance_all()
    assert journeys_close(now=clock.now()) == 1


def test_a_journey_past_its_end_closes_and_takes_no_event_entries(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    people(tenant, ["a"])
    journey = make_journey(tenant, QUICK, "h", event="buy")
    Journey.objects.filter(pk=journey.pk).update(ends_at=clock.now())
    later(seconds=1)
    trigger = journey_triggers_for(tenant=tenant)[0]
    assert not trigger.accepts(Event(tenant=tenant, endpoint_id="a", event_type="buy", arrival=clock.now()))
    with django_capture_on_commit_callbacks(execute=True):
        assert journeys_close(now=clock.now()) == 1
    assert journey_triggers_for(tenant=tenant) == []  # the bump made this process reload its index


def _event(tenant: Tenant, endpoint_id: str, user_id: str = "") -> Event:
    return Event(tenant=tenant, endpoint_id=endpoint_id, user_id=user_id, event_type="buy", arrival=clock.now())


def test_event_entries_follow_the_reentry_cap_and_enter_users(tenant: Tenant) -> None:
    people(tenant, ["a", "p1", "p2"], users={"p1": "u", "p2": "u"})
    journey = make_journey(tenant, QUICK, "h", event="buy", Limits={"EndpointReentryCap": 2})
    trigger = journey_triggers_for(tenant=tenant)[0]
    assert isinstance(trigger, JourneyTrigger) and trigger.journey.pk == journey.pk
    assert len(events_enter(trigger=trigger, events=[_event(tenant, "a"), _event(tenant, "p1", "u")])) == 2
    assert len(events_enter(trigger=trigger, events=[_event(tenant, "p2", "u")])) == 0  # u is still inside
    advance_all()
    assert len(events_enter(trigger=trigger, events=[_event(tenant, "p2", "u")])) == 1
    advance_all()
    assert len(events_enter(trigger=trigger, events=[_event(tenant, "p1", "u")])) == 0  # two entries already
    rows = sorted(Participant.objects.filter(journey=journey).values_list("key", "kind", "entry"))
    assert rows == [("a", "endpoint", 1), ("u", "user", 1), ("u", "user", 2)]
    c = counts(journey)
    assert (c[("", "entry_refused:in_journey")], c[("", "entry_refused:reentry_cap")]) == (1, 1)
    assert Participant.objects.get(journey=journey, key="a").data["event"]["EventType"] == "buy"


def test_an_event_entry_with_a_segment_admits_its_members_only(tenant: Tenant, other_tenant: Tenant) -> None:
    people(tenant, ["blue1"])
    people(tenant, ["red1"], team="red")
    segment = team(tenant, "blue")
    journey = make_journey(tenant, QUICK, "h", event="buy")
    definition = dict(journey.definition)
    definition["StartCondition"]["EventStartCondition"]["SegmentId"] = segment.public_id
    Journey.objects.filter(pk=journey.pk).update(definition=definition)
    journey.versions.update(definition=definition)
    assert journey_triggers_for(tenant=other_tenant) == []
    from campaigns.journeys.engine import triggers, versions

    versions._cache.clear()
    triggers._cache.clear()
    trigger = journey_triggers_for(tenant=tenant)[0]
    assert len(events_enter(trigger=trigger, events=[_event(tenant, "blue1"), _event(tenant, "red1")])) == 1
    assert list(Participant.objects.filter(journey=journey).values_list("key", flat=True)) == ["blue1"]
