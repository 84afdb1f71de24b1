"""Event entry end to end: PutEvents through the API enters the journey and takes the first step in the ingesting
process (no polling), a real Celery worker hands the first message to the transport, and the beat's tick and the
advancer task move participants through a wait on the shared test clock."""

from __future__ import annotations

import statistics
import time
from typing import Any

import pytest
from rest_framework.test import APIClient

from campaigns.journeys.tasks import RUNNING_KEY, tick
from campaigns.models import Participant
from channels.models import Delivery
from engage.redis import redis_client
from engage.tenancy.models import Tenant
from tests.campaigns.support import endpoints
from tests.campaigns.test_triggers import put_events
from tests.journeys.engine_support import counts, later, make_journey
from tests.journeys.send_support import push_template

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _until(check: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_an_event_sends_the_first_message_within_a_second(celery_worker: Any, api: APIClient, tenant: Tenant) -> None:
    ids = endpoints(tenant, 5)
    push_template(tenant, "hello")
    activities = {"push": {"PUSH": {"TemplateName": "hello"}}}
    journey = make_journey(tenant, activities, "push", event="battery.low")
    put_events(api, tenant, {"warmup": {"w": ("app.open", {})}})  # loads this process's trigger index
    latencies = []
    for endpoint_id in ids:
        start = time.monotonic()
        put_events(api, tenant, {endpoint_id: {"e": ("battery.low", {})}})
        sent = Delivery.objects.filter(tenant=tenant, endpoint_id=endpoint_id, status="sent")
        _until(sent.exists)
        latencies.append(time.monotonic() - start)
    assert Participant.objects.filter(journey=journey, state="done").count() == 5
    assert counts(journey)[("push", "sent")] == 5
    # Issue #11's target is p50 ≤ 1 s; two test processes and a worker share two cores here, measured about 0.1 s.
    assert statistics.median(latencies) <= 1.0, latencies
    put_events(api, tenant, {ids[0]: {"again": ("battery.low", {})}})  # the re-entry cap (1) refuses it
    assert Delivery.objects.filter(tenant=tenant).count() == 5
    assert counts(journey)[("", "entry_refused:reentry_cap")] == 1


def test_the_tick_and_the_advancer_task_move_participants_past_a_wait(
    celery_worker: Any, api: APIClient, tenant: Tenant
) -> None:
    endpoints(tenant, 2)
    park = {"w": {"Wait": {"WaitTime": {"WaitFor": "P2D"}}}}
    journey = make_journey(tenant, park, "w", event="app.open")
    put_events(api, tenant, {"ep0": {"a": ("app.open", {})}, "ep1": {"b": ("app.open", {})}})
    rows = Participant.objects.filter(journey=journey)
    assert sorted(rows.values_list("key", "kind", "activity", "step")) == [
        ("u0", "user", "w", 1),
        ("u1", "user", "w", 1),
    ]
    later(days=2, seconds=1)
    redis_client().delete(RUNNING_KEY)
    tick.delay()  # what beat does every 10 seconds: it sees due participants and starts the advancers
    _until(lambda: rows.filter(state="done").count() == 2)
    assert set(rows.values_list("exit_reason", flat=True)) == {"completed"}
    assert counts(journey)[("w", "waiting_done")] == 2
