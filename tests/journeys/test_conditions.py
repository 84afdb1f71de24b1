"""Engagement conditions over the participant's own deliveries of a message activity, with opens and clicks
recorded through the real tracking routes, and a user participant matching through any of its endpoints."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from campaigns.journeys.engine.conditions import conditions_evaluate, signal_name
from campaigns.journeys.engine.sends import sends_execute
from channels.models import Delivery
from engage import clock
from engage.events.models import Event
from engage.events.services import events_record
from engage.tenancy.models import Tenant
from tests.journeys.send_support import (
    batch,
    click_path,
    email_template,
    endpoint,
    journey,
    open_path,
    participant,
    push_template,
    send_all,
)  # fmt: skip

pytestmark = pytest.mark.django_db


def event_condition(activity: str, *values: str, exclusive: bool = False) -> dict[str, Any]:
    kind = "EXCLUSIVE" if exclusive else "INCLUSIVE"
    return {"EventCondition": {"MessageActivity": activity,
            "Dimensions": {"EventType": {"DimensionType": kind, "Values": list(values)}}}}  # fmt: skip


def split(condition: dict[str, Any]) -> dict[str, Any]:
    return {"ConditionalSplit": {"Condition": {"Conditions": [condition]}, "TrueActivity": "y", "FalseActivity": "n"}}


def test_it_accepts_our_and_pinpoints_event_names() -> None:
    assert signal_name("EMAIL", "_email.open") == "open" == signal_name("EMAIL", "EMAIL_OPENED")
    assert signal_name("EMAIL", "_email.hard_bounce") == "hardbounce" == signal_name("EMAIL", "_email.hardbounce")
    assert signal_name("SMS", "_SMS.FAILURE") == "failed" == signal_name("SMS", "_SMS.failed")
    assert signal_name("SMS", "_SMS.BUFFERED") == "send" and signal_name("SMS", "_SMS.optout") == "optout"
    assert signal_name("PUSH", "_journey.opened_notification") == "opened"
    assert signal_name("CUSTOM", "_custom.success") == "success" and signal_name("EMAIL", "_SMS.dance") == ""


def test_opens_and_clicks_through_the_tracking_routes(tenant: Tenant, client: Client) -> None:
    email_template(tenant)
    for name in ("opener", "clicker", "idle"):
        endpoint(tenant, name, "EMAIL", f"{name}@example.com")
    opened, clicked = split(event_condition("mail", "_email.open")), split(event_condition("mail", "_email.click"))
    activities = {"mail": {"EMAIL": {"TemplateName": "welcome", "NextActivity": "o"}}, "o": opened, "c": clicked}
    j = journey(tenant, activities, "mail")
    people = [participant(j, name, "mail") for name in ("opener", "clicker", "idle")]
    sends_execute(batch(j, "mail", people))
    cond_open = opened["ConditionalSplit"]["Condition"]["Conditions"][0]
    assert conditions_evaluate(batch=batch(j, "o", people), condition=cond_open) == [None, None, None]  # queued
    send_all(tenant)
    deliveries = {d.endpoint_id: d for d in Delivery.objects.filter(tenant=tenant)}
    assert client.get(open_path(deliveries["opener"])).status_code == 200
    assert client.get(click_path(deliveries["clicker"])).status_code == 302
    assert conditions_evaluate(batch=batch(j, "o", people), condition=cond_open) == [True, False, False]
    cond_click = clicked["ConditionalSplit"]["Condition"]["Conditions"][0]
    assert conditions_evaluate(batch=batch(j, "c", people), condition=cond_click) == [False, True, False]
    sent = event_condition("mail", "_email.send")
    assert conditions_evaluate(batch=batch(j, "o", people), condition=sent) == [True, True, True]
    not_opened = event_condition("mail", "_email.open", exclusive=True)
    assert conditions_evaluate(batch=batch(j, "o", people), condition=not_opened) == [False, True, True]


def test_a_user_matches_through_any_endpoint_and_push_opens_from_the_sdk(tenant: Tenant) -> None:
    push_template(tenant)
    endpoint(tenant, "phone", "GCM", "token-a", user_id="ann")
    endpoint(tenant, "tablet", "APNS", "token-b", user_id="ann")
    endpoint(tenant, "other", "GCM", "token-c", user_id="bob")
    cond = event_condition("push", "_journey.opened_notification")
    j = journey(tenant, {"push": {"PUSH": {"TemplateName": "ping", "NextActivity": "s"}}, "s": split(cond)}, "push")
    ann, bob = participant(j, "ann", "push", kind="user"), participant(j, "bob", "push", kind="user")
    sends_execute(batch(j, "push", [ann, bob]))
    send_all(tenant)
    now = clock.now()
    attributes = {"journey_id": str(j.pk), "journey_activity_id": "push"}
    events_record(tenant=tenant, events=[Event(event_type="_journey.opened_notification", endpoint_id="tablet",
                  timestamp=now, arrival=now, attributes=attributes)])  # fmt: skip
    assert conditions_evaluate(batch=batch(j, "s", [ann, bob]), condition=cond) == [True, False]


def test_segment_dimensions_match_any_endpoint_of_a_user(tenant: Tenant) -> None:
    endpoint(tenant, "a1", "EMAIL", "a1@example.com", user_id="ann", Attributes={"Plan": ["pro"]})
    endpoint(tenant, "a2", "SMS", "+12025550100", user_id="ann")
    endpoint(tenant, "b1", "EMAIL", "b1@example.com", user_id="bob", Attributes={"Plan": ["free"]})
    cond = {"segmentDimensions": {"Attributes": {"Plan": {"AttributeType": "INCLUSIVE", "Values": ["pro"]}}}}
    j = journey(tenant, {"s": split(cond)}, "s")
    people = [
        participant(j, "ann", "s", kind="user"),
        participant(j, "bob", "s", kind="user"),
        participant(j, "a1", "s"),
    ]
    assert conditions_evaluate(batch=batch(j, "s", people), condition=cond) == [True, False, True]
