"""Campaign KPIs (GetCampaignDateRangeKpi's shape) and activities (one per run and treatment) through the REST API,
counted from a real A/B run planned and sent in this process."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignRun
from campaigns.services import campaign_create, campaign_launch
from campaigns.services.plan import run_plan
from campaigns.services.runs import runs_complete
from channels.models import Delivery
from channels.services.send import deliveries_send
from engage import clock
from engage.events.models import Event
from engage.tenancy.models import Tenant
from tests.campaigns.support import endpoints, push_body, segment_all, url

pytestmark = pytest.mark.django_db
VARIANT = {"DefaultMessage": {"Title": "B", "Body": "Variant"}}


def sent_ab_campaign(tenant: Tenant, count: int = 10, opened: int = 2) -> tuple[Campaign, CampaignRun]:
    """An immediate push A/B campaign (treatment 1: 50 %) sent to `count` endpoints, `opened` of treatment 0's
    notifications opened (SDK `_campaign.opened_notification` events linked to their messages), its run completed."""
    endpoints(tenant, count)
    body = push_body(segment_all(tenant), AdditionalTreatments=[{"SizePercent": 50, "MessageConfiguration": VARIANT}])
    campaign = campaign_launch(campaign=campaign_create(tenant=tenant, by="tests", body=body), by="tests")
    run = run_plan(tenant_id=tenant.pk, run_id=CampaignRun.objects.get(campaign=campaign).pk)
    assert run is not None
    for dispatch_id in run.dispatches.values():
        deliveries_send(tenant_id=tenant.pk, dispatch_id=int(dispatch_id), chunk=0)
    now = clock.now()
    # Treatment 0's messages first; the split is a hash of (campaign, endpoint), so a few endpoints may all land in
    # one treatment.
    rows = Delivery.objects.filter(dispatch__run_id=str(run.pk)).order_by("dispatch__treatment_id", "id")[:opened]
    assert len(rows) == opened
    for row in rows:
        Event.objects.create(
            tenant=tenant,
            event_type="_campaign.opened_notification",
            endpoint_id=row.endpoint_id,
            timestamp=now,
            arrival=now,
            campaign_id=str(campaign.pk),
            delivery_id=row.pk,
        )
    assert runs_complete(now=now) == 1
    run.refresh_from_db()
    return campaign, run


def value(answer: dict[str, Any], row: int = 0) -> str:
    return str(answer["KpiResult"]["Rows"][row]["Values"][0]["Value"])


def test_kpis_answer_pinpoints_shape(api: APIClient, tenant: Tenant) -> None:
    campaign, run = sent_ab_campaign(tenant)
    r = api.get(url(tenant, f"{campaign.pk}/kpis/"), {"kpi": "unique-deliveries"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["ApplicationId"], body["CampaignId"], body["KpiName"]) == (
        tenant.public_id,
        str(campaign.pk),
        "unique-deliveries",
    )
    assert body["KpiResult"]["Rows"] == [
        {"GroupedBys": [], "Values": [{"Key": "UniqueDeliveries", "Type": "Double", "Value": "10.0"}]}
    ]
    assert body["StartTime"].endswith("Z") and body["EndTime"].endswith("Z")
    opened = api.get(url(tenant, f"{campaign.pk}/kpis/"), {"kpi": "push-open-rate"}).json()
    assert value(opened) == "0.2"
    by_run = api.get(url(tenant, f"{campaign.pk}/kpis/"), {"kpi": "successful-deliveries-grouped-by-campaign-activity"})
    assert by_run.json()["KpiResult"]["Rows"] == [
        {
            "GroupedBys": [{"Key": "CampaignActivityId", "Type": "String", "Value": str(run.pk)}],
            "Values": [{"Key": "SuccessfulDeliveries", "Type": "Double", "Value": "10.0"}],
        }
    ]
    by_day = api.get(url(tenant, f"{campaign.pk}/kpis/"), {"kpi": "successful-delivery-rate-grouped-by-date"}).json()
    assert by_day["KpiResult"]["Rows"][0]["GroupedBys"][0]["Value"] == clock.now().date().isoformat()
    assert value(by_day) == "1.0"
    later = {
        "start": (clock.now() + timedelta(days=1)).isoformat(),
        "end": (clock.now() + timedelta(days=2)).isoformat(),
    }
    empty = api.get(url(tenant, f"{campaign.pk}/kpis/"), {"kpi": "attempted-deliveries", **later}).json()
    assert value(empty) == "0.0"
    backwards = api.get(url(tenant, f"{campaign.pk}/kpis/"), {"kpi": "attempted-deliveries", "start": later["end"]})
    assert backwards.status_code == 400 and "start" in backwards.json()["detail"]


def test_activities_are_one_per_run_and_treatment(api: APIClient, tenant: Tenant) -> None:
    campaign, run = sent_ab_campaign(tenant, count=30)  # enough that both treatments get endpoints
    r = api.get(url(tenant, f"{campaign.pk}/activities/"))
    assert r.status_code == 200, r.content
    items = r.json()["results"]
    assert [(a["Id"], a["TreatmentId"]) for a in items] == [(str(run.pk), "0"), (f"{run.pk}-1", "1")]
    assert sum(a["TotalEndpointCount"] for a in items) == 30
    assert all(a["TotalEndpointCount"] == a["SuccessfulEndpointCount"] > 0 for a in items)
    first = items[0]
    assert (first["State"], first["Result"], first["TimezonesTotalCount"], first["TimezonesCompletedCount"]) == (
        "COMPLETED",
        "SUCCESS",
        1,
        1,
    )
    assert first["ExecutionMetrics"] == {"sent": str(first["TotalEndpointCount"])}
    assert first["ScheduledStart"].endswith("Z") and first["CampaignId"] == str(campaign.pk)


def test_kpi_and_activity_refusals(api: APIClient, tenant: Tenant, other_tenant: Tenant) -> None:
    campaign = campaign_create(tenant=tenant, by="tests", body=push_body(segment_all(tenant)))
    bad = api.get(url(tenant, f"{campaign.pk}/kpis/"), {"kpi": "direct-sessions"})
    assert bad.status_code == 400 and "kpi" in bad.json()["detail"]
    assert api.get(url(tenant, f"{campaign.pk}/kpis/")).status_code == 400
    wrong = api.get(url(tenant, f"{campaign.pk}/kpis/"), {"kpi": "unique-deliveries", "start": "yesterday"})
    assert wrong.status_code == 400 and "start" in wrong.json()["detail"]
    assert api.get(url(other_tenant, f"{campaign.pk}/kpis/"), {"kpi": "unique-deliveries"}).status_code == 404
    assert api.get(url(other_tenant, f"{campaign.pk}/activities/")).status_code == 404
    assert api.get(url(tenant, f"{campaign.pk}/activities/")).json()["results"] == []
