"""Event-triggered campaigns end to end: PutEvents through the API, a real Celery worker, the sandbox Outbox, and
the trigger index refreshed across processes by its version in Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from campaigns.models import Campaign
from channels.models import Delivery
from channels.selectors import outbox
from engage.tenancy.models import Tenant
from tests.campaigns.support import endpoints, segment_all
from tests.campaigns.test_fanout_worker import wait_for_ledger
from tests.campaigns.test_triggers import event_body, launch, put_events

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def in_other_process(code: str) -> None:
    """Run Django code in a separate Python process on the test database and Redis (another web or worker)."""
    db = settings.DATABASES["default"]
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    )
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, timeout=120)


def test_a_metric_filter_fires_for_a_matching_event_of_a_segment_member_only(
    celery_worker: Any, api: APIClient, tenant: Tenant
) -> None:
    endpoints(tenant, 3)
    endpoints(tenant, 1, prefix="red", Attributes={"Team": ["red"]})  # not in the segment
    pk = launch(api, tenant, event_body(segment_all(tenant)))
    batch = {
        "ep0": {"a": ("battery.low", {"battery_remain": 5})},  # member, matching: fires
        "ep1": {"b": ("battery.low", {"battery_remain": 50})},  # member, metric does not match
        "ep2": {"c": ("app.open", {"battery_remain": 5})},  # member, another event type
        "red0": {"d": ("battery.low", {"battery_remain": 5})},  # matching, but not a member
    }
    put_events(api, tenant, batch)
    wait_for_ledger(tenant, 1)
    messages = list(outbox(tenant=tenant))
    assert [(m.endpoint_id, m.payload["Default"]["Title"]) for m in messages] == [("ep0", "Hello u0")]
    assert messages[0].dispatch.campaign_id == str(pk)
    put_events(api, tenant, batch)  # a replayed PutEvents
    time.sleep(1.5)
    assert Delivery.objects.filter(tenant=tenant).count() == 1


def test_a_trigger_changed_in_another_process_applies_to_the_next_event(
    celery_worker: Any, api: APIClient, tenant: Tenant
) -> None:
    endpoints(tenant, 2)
    pk = launch(api, tenant, event_body(segment_all(tenant)))
    put_events(api, tenant, {"ep0": {"a": ("battery.low", {"battery_remain": 1})}})  # this process caches the index
    wait_for_ledger(tenant, 1)
    pause = "from campaigns.models import Campaign; from campaigns.services import campaign_pause as p; "
    in_other_process(f"{pause}p(campaign=Campaign.objects.get(pk={pk}), by='ops')")
    put_events(api, tenant, {"ep1": {"b": ("battery.low", {"battery_remain": 1})}})
    time.sleep(1)
    assert Delivery.objects.filter(tenant=tenant).count() == 1
    resume = "from campaigns.models import Campaign; from campaigns.services import campaign_resume as r; "
    in_other_process(f"{resume}r(campaign=Campaign.objects.get(pk={pk}), by='ops')")
    assert Campaign.objects.get(pk=pk).status == Campaign.Status.SCHEDULED
    put_events(api, tenant, {"ep1": {"c": ("battery.low", {"battery_remain": 1})}})
    wait_for_ledger(tenant, 2)
    assert sorted(m.endpoint_id for m in outbox(tenant=tenant)) == ["ep0", "ep1"]
