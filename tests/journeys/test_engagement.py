"""An engagement event on a journey message makes the participants waiting at a split on it due at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from campaigns.journeys.engine.sends import sends_execute
from campaigns.models import Participant
from channels.models import Delivery
from engage import clock
from engage.tenancy.models import Tenant
from tests.journeys.send_support import (
    batch,
    click_path,
    email_template,
    endpoint,
    journey,
    open_path,
    participant,
    send_all,
)

pytestmark = pytest.mark.django_db


def waiting_split(values: list[str], operator: str = "ANY") -> dict[str, Any]:
    dims = [{"EventType": {"DimensionType": "INCLUSIVE", "Values": [v]}} for v in values]
    conditions = [{"EventCondition": {"MessageActivity": "mail", "Dimensions": d}} for d in dims]
    return {"ConditionalSplit": {"Condition": {"Conditions": conditions, "Operator": operator},
            "EvaluationWaitTime": {"WaitFor": "P1D"}, "TrueActivity": "y", "FalseActivity": "n"}}  # fmt: skip


def test_an_open_wakes_the_participant_waiting_at_the_split(
    tenant: Tenant, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    email_template(tenant)
    endpoint(tenant, "e0", "EMAIL", "e0@example.com")
    endpoint(tenant, "e1", "EMAIL", "e1@example.com")
    mail = {"EMAIL": {"TemplateName": "welcome", "NextActivity": "s"}}
    activities = {"mail": mail, "s": waiting_split(["_email.open"]),
                  "c": waiting_split(["_email.click", "_email.delivered"], operator="ALL")}  # fmt: skip
    j = journey(tenant, activities, "mail")
    people = [participant(j, "e0", "mail"), participant(j, "e1", "mail")]
    sends_execute(batch(j, "mail", people))
    send_all(tenant)
    later = clock.now() + timedelta(days=1)
    Participant.objects.filter(pk__in=[p.pk for p in people]).update(activity="s", wake_at=later)
    deliveries = {d.endpoint_id: d for d in Delivery.objects.filter(tenant=tenant)}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(open_path(deliveries["e0"])).status_code == 200
    woken, still = (Participant.objects.get(pk=p.pk) for p in people)
    assert woken.wake_at is not None and woken.wake_at <= clock.now()
    assert still.wake_at == later
    # A click does not settle an ALL of click and delivery: nobody waiting at "c" moves.
    Participant.objects.filter(pk=still.pk).update(activity="c")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(click_path(deliveries["e1"])).status_code == 302
    assert Participant.objects.get(pk=still.pk).wake_at == later
