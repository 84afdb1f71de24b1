"""The re-engagement journey marketers build, end to end with a real Celery worker: inactive users → push → wait
1 day → opened? → no: email → wait 2 days → clicked? → no: SMS. Opens and clicks arrive the way they do in
production (the app's PutEvents, the email tracking routes); the shared clock moves the days."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from celery import current_app
from django.test import Client

from channels.models import Delivery, Status
from engage import clock
from engage.events.models import Event
from engage.events.services import events_record
from engage.tenancy.models import Tenant
from segments.services.segments import segment_create
from tests.journeys.engine_support import make_journey
from tests.journeys.send_support import click_path, email_template, endpoint, open_path, push_template, sms_template

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
PEOPLE = ("opens_push", "clicks_email", "opens_email", "ignores_all")


def until(check: Callable[[], bool], timeout: float = 60.0) -> None:
    """Wait for the worker to finish what it was given (not for a schedule: the clock is moved explicitly)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        time.sleep(0.2)


def sent_to(tenant: Tenant, channel: str) -> set[str]:
    rows = Delivery.objects.filter(tenant=tenant, channel=channel, status=Status.SENT)
    return set(rows.values_list("user_id", flat=True))


def split(activity: str, event: str, no: str) -> dict[str, Any]:
    condition = {"EventCondition": {"MessageActivity": activity,
                 "Dimensions": {"EventType": {"DimensionType": "INCLUSIVE", "Values": [event]}}}}  # fmt: skip
    return {"ConditionalSplit": {"Condition": {"Conditions": [condition]}, "TrueActivity": "done", "FalseActivity": no}}


def reengagement(tenant: Tenant) -> Any:
    push_template(tenant)
    email_template(tenant)
    sms_template(tenant)
    for user in PEOPLE:
        inactive = {"Attributes": {"Status": ["inactive"]}}
        endpoint(tenant, f"{user}-push", "GCM", f"token-{user}", user_id=user, **inactive)
        endpoint(tenant, f"{user}-mail", "EMAIL", f"{user}@example.com", user_id=user, **inactive)
        endpoint(tenant, f"{user}-sms", "SMS", f"+1202555{PEOPLE.index(user):04d}", user_id=user, **inactive)
    endpoint(tenant, "active-mail", "EMAIL", "active@example.com", user_id="active", Attributes={"Status": ["active"]})
    dims = {"Attributes": {"Status": {"AttributeType": "INCLUSIVE", "Values": ["inactive"]}}}
    segment = segment_create(tenant=tenant, body={"Name": "Inactive users", "Dimensions": dims}, by="tests")
    activities = {
        "push": {"PUSH": {"TemplateName": "ping", "NextActivity": "wait1"}},
        "wait1": {"Wait": {"WaitTime": {"WaitFor": "P1D"}, "NextActivity": "opened"}},
        "opened": split("push", "_journey.opened_notification", "email"),
        "email": {"EMAIL": {"TemplateName": "welcome", "NextActivity": "wait2"}},
        "wait2": {"Wait": {"WaitTime": {"WaitFor": "P2D"}, "NextActivity": "clicked"}},
        "clicked": split("email", "_email.click", "sms"),
        "sms": {"SMS": {"TemplateName": "nudge"}},
        "done": {"Wait": {"WaitTime": {"WaitFor": "PT1H"}}},
    }
    return make_journey(tenant, activities, "push", segment=segment)


def test_the_right_people_get_each_message(tenant: Tenant, client: Client, celery_worker: Any) -> None:
    journey = reengagement(tenant)
    current_app.send_task("journeys.enter", (tenant.pk, journey.pk))
    until(lambda: len(sent_to(tenant, "PUSH")) == 4)
    assert sent_to(tenant, "PUSH") == set(PEOPLE)

    now = clock.now()
    attributes = {"journey_id": str(journey.pk), "journey_activity_id": "push"}
    app_open = Event(
        event_type="_journey.opened_notification", endpoint_id="opens_push-push", timestamp=now, arrival=now,
        attributes=attributes,
    )  # fmt: skip
    events_record(tenant=tenant, events=[app_open])  # what PutEvents stores for the app's report

    clock.advance(seconds=timedelta(days=1, minutes=1).total_seconds())
    current_app.send_task("journeys.advance")
    until(lambda: len(sent_to(tenant, "EMAIL")) == 3)
    assert sent_to(tenant, "EMAIL") == {"clicks_email", "opens_email", "ignores_all"}

    mails = {d.user_id: d for d in Delivery.objects.filter(tenant=tenant, channel="EMAIL")}
    assert client.get(click_path(mails["clicks_email"])).status_code == 302
    assert client.get(open_path(mails["opens_email"])).status_code == 200

    clock.advance(seconds=timedelta(days=2, minutes=1).total_seconds())
    current_app.send_task("journeys.advance")
    until(lambda: len(sent_to(tenant, "SMS")) == 2)
    assert sent_to(tenant, "SMS") == {"opens_email", "ignores_all"}
    current_app.send_task("journeys.advance")
    time.sleep(2)  # a last pass must add nothing (nobody else is due, nothing is sent twice)
    assert Delivery.objects.filter(tenant=tenant).count() == 4 + 3 + 2
    assert "active" not in {d.user_id for d in Delivery.objects.filter(tenant=tenant)}
