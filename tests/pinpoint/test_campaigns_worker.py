"""A campaign created through boto3 sends on a real Celery worker: personalized pushes in the sandbox Outbox, then
its activity and KPIs read back through boto3."""

from __future__ import annotations

import time
from typing import Any

import pytest

from campaigns.tasks import tick
from channels.models import Delivery
from channels.models.ledger import PENDING_STATUSES
from channels.selectors import outbox
from engage.tenancy.models import Tenant
from tests.pinpoint.conftest import Client
from tests.pinpoint.test_campaigns import blue_segment_id, create, push_request

pytestmark = pytest.mark.worker


def _endpoints(pinpoint: Client, tenant: Tenant) -> None:
    items = [
        {"Id": f"ep{i}", "ChannelType": "GCM", "Address": f"token-{i}", "Attributes": {"Team": ["blue"]}}
        | {"User": {"UserId": f"u{i}"}}
        for i in range(3)
    ]
    items.append({"Id": "red", "ChannelType": "GCM", "Address": "token-red", "Attributes": {"Team": ["red"]}})
    pinpoint.update_endpoints_batch(ApplicationId=tenant.public_id, EndpointBatchRequest={"Item": items})


def _settled(tenant: Tenant, total: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = Delivery.objects.filter(tenant=tenant)
        if rows.count() >= total and not rows.filter(status__in=PENDING_STATUSES).exists():
            return
        time.sleep(0.3)
    raise AssertionError(f"the ledger did not settle at {total} rows")


def test_an_immediate_push_campaign_lands_personalized_in_the_outbox(
    celery_worker: Any, pinpoint: Client, acme: Tenant
) -> None:
    _endpoints(pinpoint, acme)
    made = create(pinpoint, acme, push_request(blue_segment_id(pinpoint, acme)))
    _settled(acme, 3)
    tick()
    messages = list(outbox(tenant=acme))
    assert sorted(m.endpoint_id for m in messages) == ["ep0", "ep1", "ep2"]
    for m in messages:
        assert m.payload is not None
        assert m.payload["Default"]["Title"] == f"Hello u{m.endpoint_id[2:]}"
        assert m.dispatch.campaign_id == made["Id"]
    ids = {"ApplicationId": acme.public_id, "CampaignId": made["Id"]}
    got = pinpoint.get_campaign(**ids)["CampaignResponse"]
    assert got["State"]["CampaignStatus"] == "COMPLETED"
    activities = pinpoint.get_campaign_activities(**ids)["ActivitiesResponse"]["Item"]
    assert len(activities) == 1
    run = activities[0]
    assert (run["State"], run["Result"], run["TotalEndpointCount"], run["SuccessfulEndpointCount"]) == (
        "COMPLETED",
        "SUCCESS",
        3,
        3,
    )
    assert run["CampaignId"] == made["Id"] and run["ExecutionMetrics"] == {"sent": "3"}
    kpi = pinpoint.get_campaign_date_range_kpi(**ids, KpiName="successful-deliveries")
    values = kpi["CampaignDateRangeKpiResponse"]["KpiResult"]["Rows"][0]["Values"]
    assert values == [{"Key": "SuccessfulDeliveries", "Type": "Double", "Value": "3.0"}]
    rate = pinpoint.get_campaign_date_range_kpi(**ids, KpiName="successful-delivery-rate")[
        "CampaignDateRangeKpiResponse"
    ]
    assert rate["KpiResult"]["Rows"][0]["Values"][0]["Value"] == "1.0" and rate["KpiName"] == "successful-delivery-rate"
