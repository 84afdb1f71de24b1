"""Campaign runs end to end on a real Celery worker: planned, sent to the sandbox Outbox, completed."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignRun
from campaigns.services.plan import TEST_BARRIER
from campaigns.tasks import tick
from channels.models import Delivery
from channels.models.ledger import PENDING_STATUSES
from channels.selectors import outbox
from engage.redis import redis_client
from engage.tenancy.models import Tenant
from tests.campaigns.support import endpoints, push_body, segment_all, url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for_ledger(tenant: Tenant, total: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = Delivery.objects.filter(tenant=tenant)
        if rows.count() >= total and not rows.filter(status__in=PENDING_STATUSES).exists():
            return
        time.sleep(0.3)
    counts = Counter(Delivery.objects.filter(tenant=tenant).values_list("status", flat=True))
    raise AssertionError(f"the ledger did not settle at {total} rows: {dict(counts)}")


def test_it_sends_one_personalized_push_per_endpoint_to_the_outbox(
    celery_worker: Any, api: APIClient, tenant: Tenant
) -> None:
    ids = endpoints(tenant, 25)
    endpoints(tenant, 3, channel="EMAIL", prefix="mail")  # in the segment, but not push endpoints
    created = api.post(url(tenant), push_body(segment_all(tenant)), format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    launched = api.post(url(tenant, f"{pk}/launch/"))
    assert launched.status_code == 200, launched.json()
    wait_for_ledger(tenant, 25)
    tick()
    messages = list(outbox(tenant=tenant))
    assert sorted(m.endpoint_id for m in messages) == sorted(ids)
    for m in messages:
        user = f"u{m.endpoint_id[2:]}"
        assert m.payload["Default"]["Title"] == f"Hello {user}"
        assert m.payload["Default"]["Body"] == "Your offer is waiting"
        assert m.payload["Default"]["Action"] == "OPEN_APP"
        assert m.payload["Default"]["ImageUrl"] == "https://example.com/banner.png"
        assert m.payload["Default"]["ImageIconUrl"] == "https://example.com/icon.png"
        assert m.dispatch.campaign_id == str(pk)
    run = CampaignRun.objects.get(campaign_id=pk)
    assert (run.status, run.planned, run.counts) == (CampaignRun.Status.COMPLETED, 25, {"sent": 25})
    assert Campaign.objects.get(pk=pk).status == Campaign.Status.COMPLETED
    metrics = api.get(url(tenant, f"{pk}/metrics/")).json()
    assert (metrics["sent"], metrics["pending"], metrics["treatments"]) == (25, 0, {"0": {"sent": 25}})
    runs = api.get(url(tenant, f"{pk}/runs/")).json()["results"]
    assert [r["status"] for r in runs] == ["COMPLETED"]


def test_two_campaigns_planned_at_once_never_pass_the_daily_cap(
    celery_worker: Any, api: APIClient, tenant: Tenant
) -> None:
    endpoints(tenant, 1000)
    segment = segment_all(tenant)
    pks = []
    for name in ("First", "Second"):
        body = push_body(segment, Name=name, Limits={"Daily": 1})
        r = api.post(url(tenant), body, format="json")
        assert r.status_code == 201, r.json()
        pks.append(r.json()["id"])
    client = redis_client()
    client.delete(f"{TEST_BARRIER}:arrived")
    client.set(TEST_BARRIER, 2)
    try:
        for pk in pks:
            assert api.post(url(tenant, f"{pk}/launch/")).status_code == 200
        wait_for_ledger(tenant, 2000, timeout=240)
    finally:
        client.delete(TEST_BARRIER, f"{TEST_BARRIER}:arrived")
    rows = Delivery.objects.filter(tenant=tenant)
    assert Counter(rows.values_list("status", "reason")) == {("sent", ""): 1000, ("skipped", "cap"): 1000}
    sent = Counter(rows.filter(status="sent").values_list("endpoint_id", flat=True))
    assert len(sent) == 1000 and set(sent.values()) == {1}
    assert set(rows.values_list("dispatch__campaign_id", flat=True)) == {str(pk) for pk in pks}
