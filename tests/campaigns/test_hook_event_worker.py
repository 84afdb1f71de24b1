"""An event-triggered campaign with a FILTER hook: PutEvents answers without waiting for the hook, a real Celery
worker calls the signed hook with the matched endpoints, and what it returns decides who gets the message."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from channels.models import Delivery, Status
from channels.selectors import outbox
from engage.tenancy.models import Tenant
from tests.campaigns.support import endpoints, segment_all
from tests.campaigns.test_fanout_worker import wait_for_ledger
from tests.campaigns.test_hook import private_networks, receiver, signing_config
from tests.campaigns.test_triggers import event_body, launch, put_events

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
__all__ = ["private_networks"]  # the autouse fixture letting this process accept a local hook URL


@pytest.fixture(scope="module", autouse=True)
def worker_private_networks() -> Iterator[None]:
    """The worker (started after this, by the module's celery_worker) may call the hook on 127.0.0.1."""
    before = os.environ.get("EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS")
    os.environ["EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS"] = "1"
    yield
    if before is None:
        os.environ.pop("EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS", None)
    else:
        os.environ["EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS"] = before


def test_the_hook_filters_and_enriches_an_event_campaigns_recipients(
    celery_worker: Any, api: APIClient, tenant: Tenant
) -> None:
    endpoints(tenant, 3)
    signing_config(tenant)
    with receiver(drop={"ep1"}) as hook:
        body = event_body(segment_all(tenant), Hook={"WebUrl": hook.url, "Mode": "FILTER"})
        pk = launch(api, tenant, body)
        started = time.monotonic()
        put_events(api, tenant, {
            "ep0": {"a": ("battery.low", {"battery_remain": 5})},
            "ep1": {"b": ("battery.low", {"battery_remain": 3})},
            "ep2": {"c": ("battery.low", {"battery_remain": 50})},  # does not match: never reaches the hook
        })  # fmt: skip
        assert time.monotonic() - started < 5
        wait_for_ledger(tenant, 2)
    assert len(hook.bodies) == 1 and all(hook.signed)
    sent = hook.bodies[0]
    assert sent["CampaignId"] == str(pk) and sorted(sent["Endpoints"]) == ["ep0", "ep1"]
    rows = {d.endpoint_id: d for d in Delivery.objects.filter(tenant=tenant)}
    assert (rows["ep0"].status, rows["ep1"].status, rows["ep1"].reason) == (Status.SENT, Status.SKIPPED, "hook_dropped")
    [message] = outbox(tenant=tenant)
    assert message.endpoint_id == "ep0" and "Hi ep0" in json.dumps(message.payload)
