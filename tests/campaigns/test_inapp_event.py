"""IN_APP_EVENT campaigns: launching stores the in-app message for the segment's IN_APP endpoints once, and the app
gets it from GetInAppMessages with the event that shows it, the quiet time, its priority and its display caps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignRun
from campaigns.services.lifecycle import campaign_launch
from campaigns.services.plan import run_plan
from campaigns.services.writes import campaign_create
from channels.models import Delivery
from channels.services.send import deliveries_send
from engage.errors import Invalid
from engage.tenancy.models import ApiKey, Tenant
from tests.campaigns.support import endpoints, segment_all

pytestmark = pytest.mark.django_db

FILTER = {"FilterType": "ENDPOINT", "Dimensions": {"EventType": {"DimensionType": "INCLUSIVE", "Values": ["level_up"]}}}


def body(tenant: Tenant, **schedule: Any) -> dict[str, Any]:
    content = [{"BodyConfig": {"Body": "You levelled up!", "TextColor": "#000000", "Alignment": "CENTER"}}]
    return {
        "Name": "Level up banner",
        "SegmentId": segment_all(tenant).public_id,
        "MessageConfiguration": {"InAppMessage": {"Layout": "MIDDLE_BANNER", "Content": content}},
        "Schedule": {"StartTime": "IMMEDIATE", "Frequency": "IN_APP_EVENT", "EventFilter": FILTER, **schedule},
        "Limits": {"Daily": 2, "Session": 1, "Total": 5},
        "Priority": 1,
    }


def launch_and_store(tenant: Tenant, campaign: Campaign) -> CampaignRun:
    campaign_launch(campaign=campaign, by="tests")
    run = run_plan(tenant_id=tenant.pk, run_id=CampaignRun.objects.get(campaign=campaign).pk)
    assert run is not None
    for dispatch_id in run.dispatches.values():
        deliveries_send(tenant_id=tenant.pk, dispatch_id=int(dispatch_id), chunk=0)
    return run


def test_the_app_gets_the_message_with_its_trigger_caps_and_quiet_time(
    tenant: Tenant, key_client: Callable[..., tuple[APIClient, ApiKey]]
) -> None:
    endpoints(tenant, 3, channel="IN_APP")
    schedule = {"QuietTime": {"Start": "22:00", "End": "07:00"}}
    campaign = campaign_create(tenant=tenant, by="tests", body=body(tenant, **schedule))
    launch_and_store(tenant, campaign)

    assert Delivery.objects.filter(dispatch__campaign_id=str(campaign.pk), status="sent").count() == 3
    client, _ = key_client(tenant, role=ApiKey.Role.INGEST)
    r = client.get(f"/api/v1/tenants/{tenant.public_id}/endpoints/ep1/in-app-messages/")
    assert r.status_code == 200, r.content
    (item,) = r.json()["InAppMessageCampaigns"]
    assert item["CampaignId"] == str(campaign.pk)
    assert item["Schedule"]["EventFilter"] == FILTER
    assert item["Schedule"]["QuietTime"] == {"Start": "22:00", "End": "07:00"}
    assert (item["Priority"], item["DailyCap"], item["SessionCap"], item["TotalCap"]) == (1, 2, 1, 5)
    assert item["InAppMessage"]["Layout"] == "MIDDLE_BANNER"


def test_quiet_time_and_display_caps_do_not_hold_or_cap_storing(tenant: Tenant) -> None:
    endpoints(tenant, 2, channel="IN_APP")
    schedule = {"QuietTime": {"Start": "00:00", "End": "23:59"}}  # always quiet: the app decides, not the planner
    campaign = campaign_create(tenant=tenant, by="tests", body=body(tenant, **schedule))
    launch_and_store(tenant, campaign)
    statuses = Delivery.objects.filter(dispatch__campaign_id=str(campaign.pk)).values_list("status", flat=True)
    assert sorted(statuses) == ["sent", "sent"]


def test_an_in_app_event_campaign_must_send_an_in_app_message(tenant: Tenant) -> None:
    data = body(tenant)
    data["MessageConfiguration"] = {"DefaultMessage": {"Title": "Hi", "Body": "there"}}
    campaign = campaign_create(tenant=tenant, by="tests", body=data)
    with pytest.raises(Invalid) as raised:
        campaign_launch(campaign=campaign, by="tests")
    assert raised.value.field == "MessageConfiguration"


def test_an_in_app_event_campaign_needs_its_event_filter(tenant: Tenant) -> None:
    data = body(tenant)
    del data["Schedule"]["EventFilter"]
    with pytest.raises(Invalid) as raised:
        campaign_create(tenant=tenant, by="tests", body=data)
    assert raised.value.field == "Schedule.EventFilter"
