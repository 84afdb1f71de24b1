"""The flow activities run by the advancer: waits over the shared test clock, yes/no and multivariate splits on
segment membership, random splits, holdouts, leaving through an end, test mode, and the counters they keep."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.models import Journey, Participant
from engage import clock
from engage.tenancy.models import Tenant
from tests.journeys.engine_support import advance_all, counts, enter_segment, later, make_journey, people, team, where

pytestmark = pytest.mark.django_db


def wait_then_end(**settings: object) -> dict[str, object]:
    return {
        "w": {"Wait": {"WaitTime": {"WaitFor": "P1D"}, "NextActivity": "end"}},
        "end": {"Wait": {"WaitTime": {"WaitUntil": "2000-01-01T00:00:00Z"}}},
    }


def test_it_waits_a_day_on_the_shared_clock_then_moves_on(tenant: Tenant) -> None:
    people(tenant, ["a", "b"])
    journey = make_journey(tenant, wait_then_end(), "w", segment=team(tenant, "blue"))
    assert enter_segment(journey) == 2
    assert advance_all() == 2
    assert where(journey) == {"a": ("w", "waiting"), "b": ("w", "waiting")}
    later(hours=23)
    assert advance_all() == 0
    later(hours=1, seconds=1)
    assert advance_all() == 2
    assert where(journey) == {"a": ("end", "done"), "b": ("end", "done")}
    c = counts(journey)
    assert c[("", "entered")] == 2 and c[("", "completed")] == 2
    assert c[("w", "entered")] == 2 and c[("w", "done")] == 2 and c[("w", "waiting_done")] == 2
    assert c[("end", "wait_date_passed")] == 2  # a WaitUntil in the past moves on at once
    p = Participant.objects.get(journey=journey, key="a")
    assert [t[0] for t in p.trail] == ["w", "w", "end"] and p.exit_reason == "completed" and p.step == 3


def test_user_participants_travel_together_and_enter_once(tenant: Tenant) -> None:
    people(tenant, ["phone", "laptop", "solo"], users={"phone": "u1", "laptop": "u1"})
    journey = make_journey(tenant, wait_then_end(), "w", segment=team(tenant, "blue"))
    assert enter_segment(journey) == 2
    rows = {p.key: p.kind for p in Participant.objects.filter(journey=journey)}
    assert rows == {"u1": "user", "solo": "endpoint"}


@pytest.mark.parametrize(("mode", "seconds", "due_after"), [("skip", None, 0), ("custom", 30, 31)])
def test_test_mode_skips_or_shortens_waits(tenant: Tenant, mode: str, seconds: int | None, due_after: int) -> None:
    people(tenant, ["a"])
    journey = make_journey(tenant, wait_then_end(), "w", segment=team(tenant, "blue"))
    Journey.objects.filter(pk=journey.pk).update(test_wait=mode, test_wait_seconds=seconds)
    enter_segment(journey)
    advance_all()
    if due_after:
        assert where(journey) == {"a": ("w", "waiting")}
        later(seconds=due_after)
        advance_all()
    assert where(journey) == {"a": ("end", "done")}


def test_a_yes_no_split_on_segment_membership(tenant: Tenant) -> None:
    people(tenant, ["r1", "r2"], team="red")
    people(tenant, ["b1"], team="blue")
    people(tenant, ["g1"], team="green")
    everyone = team(tenant, "x")
    everyone_dims = {"Attributes": {"Team": {"AttributeType": "INCLUSIVE", "Values": ["red", "blue", "green"]}}}
    from segments.services.segments import segment_update

    segment_update(segment=everyone, body={"Dimensions": everyone_dims}, by="tests")
    red = team(tenant, "red")
    condition = {"Conditions": [{"SegmentCondition": {"SegmentId": red.public_id}}], "Operator": "ANY"}
    activities = {
        "split": {"ConditionalSplit": {"Condition": condition, "TrueActivity": "yes", "FalseActivity": "no"}},
        "yes": {"Wait": {"WaitTime": {"WaitFor": "PT1H"}}},
        "no": {"Wait": {"WaitTime": {"WaitFor": "PT2H"}}},
    }
    journey = make_journey(tenant, activities, "split", segment=everyone)
    assert enter_segment(journey) == 4
    advance_all()
    assert where(journey) == {
        "r1": ("yes", "waiting"),
        "r2": ("yes", "waiting"),
        "b1": ("no", "waiting"),
        "g1": ("no", "waiting"),
    }
    c = counts(journey)
    assert c[("split", "branch:yes")] == 2 and c[("split", "branch:no")] == 2


def test_a_split_with_an_evaluation_wait_decides_at_that_time(tenant: Tenant) -> None:
    people(tenant, ["a"], team="blue")
    blue, red = team(tenant, "blue"), team(tenant, "red")
    condition = {"Conditions": [{"SegmentCondition": {"SegmentId": red.public_id}}]}
    split = {
        "Condition": condition,
        "TrueActivity": "yes",
        "FalseActivity": "no",
        "EvaluationWaitTime": {"WaitFor": "P1D"},
    }
    activities = {
        "split": {"ConditionalSplit": split},
        "yes": {"Holdout": {"Percentage": 0}},
        "no": {"Holdout": {"Percentage": 0}},
    }
    journey = make_journey(tenant, activities, "split", segment=blue)
    enter_segment(journey)
    advance_all()
    p = Participant.objects.get(journey=journey)
    assert (p.activity, p.trail[-1][2]) == ("split", "evaluating")
    assert p.wake_at is not None and p.wake_at > clock.now() + timedelta(hours=23)
    people(tenant, ["a"], team="red")  # the endpoint joins red before the evaluation time
    later(days=1, seconds=1)
    advance_all()
    assert where(journey) == {"a": ("yes", "done")}


def test_a_multivariate_split_takes_the_first_matching_branch_else_the_default(tenant: Tenant) -> None:
    people(tenant, ["r"], team="red")
    people(tenant, ["b"], team="blue")
    people(tenant, ["g"], team="green")
    from segments.services.segments import segment_create

    dims = {"Attributes": {"Team": {"AttributeType": "INCLUSIVE", "Values": ["red", "blue", "green"]}}}
    everyone = segment_create(tenant=tenant, body={"Name": "All", "Dimensions": dims}, by="tests")
    red, blue = team(tenant, "red"), team(tenant, "blue")
    warm = {"Attributes": {"Team": {"AttributeType": "INCLUSIVE", "Values": ["red", "blue"]}}}
    branches = [
        {"Condition": {"SegmentCondition": {"SegmentId": blue.public_id}}, "NextActivity": "A"},
        {"Condition": {"SegmentDimensions": warm}, "NextActivity": "B"},
        {"Condition": {"SegmentCondition": {"SegmentId": red.public_id}}, "NextActivity": "C"},
    ]
    park = {"Wait": {"WaitTime": {"WaitFor": "PT1H"}}}
    activities = {
        "m": {"MultiCondition": {"Branches": branches, "DefaultActivity": "D"}},
        "A": park,
        "B": park,
        "C": park,
        "D": park,
    }
    journey = make_journey(tenant, activities, "m", segment=everyone)
    enter_segment(journey)
    advance_all()
    assert {k: a for k, (a, _) in where(journey).items()} == {"b": "A", "r": "B", "g": "D"}
    c = counts(journey)
    assert (c[("m", "branch:A")], c[("m", "branch:B")], c[("m", "branch:D")]) == (1, 1, 1)


def test_a_random_split_follows_its_percentages_and_holdouts_leave(tenant: Tenant) -> None:
    ids = [f"e{i}" for i in range(1000)]
    people(tenant, ids)
    branches = [{"Percentage": 20, "NextActivity": "a"}, {"Percentage": 80, "NextActivity": "hold"}]
    park = {"Wait": {"WaitTime": {"WaitFor": "PT1H"}}}
    activities = {
        "r": {"RandomSplit": {"Branches": branches}},
        "a": park,
        "hold": {"Holdout": {"Percentage": 50, "NextActivity": "b"}},
        "b": park,
    }
    journey = make_journey(tenant, activities, "r", segment=team(tenant, "blue"))
    assert enter_segment(journey) == 1000
    advance_all()
    c = counts(journey)
    assert 150 <= c[("r", "branch:a")] <= 250 and c[("r", "branch:a")] + c[("r", "branch:hold")] == 1000
    held = c[("hold", "branch:holdout")]
    assert 0.4 <= held / c[("r", "branch:hold")] <= 0.6
    assert c[("", "exited:holdout")] == held
    assert Participant.objects.filter(journey=journey, exit_reason="holdout", state="done").count() == held
    before = {p.key: p.activity for p in Participant.objects.filter(journey=journey)}
    # The draw is stable: the same participants at the same activity draw the same paths.
    from campaigns.journeys.engine.activities.chance import draw
    from campaigns.journeys.engine.step import Step

    p = Participant.objects.filter(journey=journey).first()
    assert p is not None
    assert draw(Step(p, "r", {})) == draw(Step(p, "r", {}))
    assert len(before) == 1000


def test_an_activity_without_a_next_activity_is_the_end(tenant: Tenant) -> None:
    people(tenant, ["a"])
    journey = make_journey(tenant, {"h": {"Holdout": {"Percentage": 0}}}, "h", segment=team(tenant, "blue"))
    enter_segment(journey)
    advance_all()
    p = Participant.objects.get(journey=journey)
    assert (p.state, p.exit_reason, p.trail[-1][2]) == ("done", "completed", "branch:end")
    assert counts(journey)[("", "completed")] == 1
