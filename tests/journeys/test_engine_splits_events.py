"""Engagement splits through the advancer: a yes/no split on an email open with no evaluation wait waits Pinpoint's
implicit hour after the send; an open before then takes the Yes path at once (the engagement hook wakes the
participant), no data by then takes No."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from campaigns.models import Participant
from channels.models import Delivery
from engage import clock
from engage.tenancy.models import Tenant
from tests.journeys.engine_support import advance_all, counts, enter_segment, later, make_journey, people, team
from tests.journeys.send_support import email_template, open_path, send_all

pytestmark = pytest.mark.django_db

OPENED = {"EventCondition": {"MessageActivity": "mail", "Dimensions": {"EventType": {"Values": ["_email.open"]}}}}
END = {"Holdout": {"Percentage": 0}}


def test_an_open_takes_yes_at_once_and_silence_takes_no_after_the_implicit_hour(
    tenant: Tenant, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    email_template(tenant)
    people(tenant, ["e0", "e1"])
    split = {"Condition": {"Conditions": [OPENED]}, "TrueActivity": "y", "FalseActivity": "n"}
    activities = {
        "mail": {"EMAIL": {"TemplateName": "welcome", "NextActivity": "s"}},
        "s": {"ConditionalSplit": split},
        "y": END,
        "n": END,
    }
    journey = make_journey(tenant, activities, "mail", segment=team(tenant, "blue"))
    enter_segment(journey)
    advance_all()
    rows = Participant.objects.filter(journey=journey)
    assert sorted(rows.values_list("activity", flat=True)) == ["s", "s"]
    for p in rows.all():
        assert p.wake_at is not None
        assert abs((p.wake_at - clock.now()) - timedelta(hours=1)) < timedelta(minutes=1)
    send_all(tenant)
    opened = Delivery.objects.get(tenant=tenant, endpoint_id="e0")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(open_path(opened)).status_code == 200
    advance_all()
    assert {p.key: (p.activity, p.state) for p in rows.all()} == {"e0": ("y", "done"), "e1": ("s", "waiting")}
    later(minutes=59)
    assert advance_all() == 0
    later(minutes=1, seconds=2)
    advance_all()
    assert {p.key: (p.activity, p.state) for p in rows.all()} == {"e0": ("y", "done"), "e1": ("n", "done")}
    c = counts(journey)
    assert (c[("s", "branch:y")], c[("s", "branch:n")], c[("mail", "sent")]) == (1, 1, 2)


def test_an_explicit_evaluation_time_waits_for_it_even_after_an_open(
    tenant: Tenant, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    email_template(tenant)
    people(tenant, ["e0"])
    red = {"SegmentCondition": {"SegmentId": team(tenant, "red").public_id}}
    explicit = {
        "Condition": {"Conditions": [OPENED, red], "Operator": "ANY"},
        "EvaluationWaitTime": {"WaitFor": "P1D"},
        "TrueActivity": "y",
        "FalseActivity": "n",
    }
    activities = {
        "mail": {"EMAIL": {"TemplateName": "welcome", "NextActivity": "s"}},
        "s": {"ConditionalSplit": explicit},
        "y": END,
        "n": END,
    }
    journey = make_journey(tenant, activities, "mail", segment=team(tenant, "blue"))
    enter_segment(journey)
    advance_all()
    send_all(tenant)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(open_path(Delivery.objects.get(tenant=tenant, endpoint_id="e0")))
    advance_all()
    p = Participant.objects.get(journey=journey)
    assert (p.activity, p.state) == ("s", "waiting")  # a segment condition is read at the evaluation time only
    later(days=1, seconds=1)
    advance_all()
    p.refresh_from_db()
    assert (p.activity, p.state) == ("y", "done")
