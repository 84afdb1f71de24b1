"""GetCampaignDateRangeKpi and GetCampaignActivities through boto3, over a real A/B run planned and sent in this
process: Pinpoint's KPI names (plain, grouped by campaign run, grouped by date) and one activity per treatment."""

from __future__ import annotations

from datetime import timedelta

from engage import clock
from engage.tenancy.models import Tenant
from tests.campaigns.test_kpis_api import sent_ab_campaign
from tests.pinpoint.conftest import Client, error_of


def test_date_range_kpis_through_boto3(pinpoint: Client, acme: Tenant) -> None:
    campaign, run = sent_ab_campaign(acme, count=8, opened=2)
    ids = {"ApplicationId": acme.public_id, "CampaignId": str(campaign.pk)}
    answer = pinpoint.get_campaign_date_range_kpi(**ids, KpiName="unique-deliveries")["CampaignDateRangeKpiResponse"]
    assert (answer["ApplicationId"], answer["CampaignId"], answer["KpiName"]) == (
        acme.public_id,
        str(campaign.pk),
        "unique-deliveries",
    )
    assert answer["KpiResult"]["Rows"] == [
        {"GroupedBys": [], "Values": [{"Key": "UniqueDeliveries", "Type": "Double", "Value": "8.0"}]}
    ]
    assert answer["EndTime"] - answer["StartTime"] == timedelta(days=7)  # botocore parses them: the default window
    opened = pinpoint.get_campaign_date_range_kpi(**ids, KpiName="push-open-rate")["CampaignDateRangeKpiResponse"]
    assert opened["KpiResult"]["Rows"][0]["Values"][0] == {"Key": "PushOpenRate", "Type": "Double", "Value": "0.25"}
    by_run = pinpoint.get_campaign_date_range_kpi(
        **ids,
        KpiName="successful-delivery-rate-grouped-by-campaign-activity",
        StartTime=clock.now() - timedelta(hours=1),
        EndTime=clock.now() + timedelta(hours=1),
    )["CampaignDateRangeKpiResponse"]
    (row,) = by_run["KpiResult"]["Rows"]
    assert row["GroupedBys"] == [{"Key": "CampaignActivityId", "Type": "String", "Value": str(run.pk)}]
    assert row["Values"] == [{"Key": "SuccessfulDeliveryRate", "Type": "Double", "Value": "1.0"}]
    code, message, status = error_of(lambda: pinpoint.get_campaign_date_range_kpi(**ids, KpiName="email-click-rate"))
    assert (code, status) == ("BadRequestException", 400) and "KpiName" in message


def test_activities_through_boto3(pinpoint: Client, acme: Tenant) -> None:
    campaign, run = sent_ab_campaign(acme, count=30)  # enough that both treatments get endpoints
    ids = {"ApplicationId": acme.public_id, "CampaignId": str(campaign.pk)}
    items = pinpoint.get_campaign_activities(**ids)["ActivitiesResponse"]["Item"]
    assert [(a["Id"], a["TreatmentId"]) for a in items] == [(str(run.pk), "0"), (f"{run.pk}-1", "1")]
    for a in items:
        assert (a["State"], a["Result"], a["TimezonesTotalCount"], a["TimezonesCompletedCount"]) == (
            "COMPLETED",
            "SUCCESS",
            1,
            1,
        )
        assert a["SuccessfulEndpointCount"] == a["TotalEndpointCount"] > 0
        assert a["ExecutionMetrics"] == {"sent": str(a["TotalEndpointCount"])}
    assert sum(a["TotalEndpointCount"] for a in items) == 30
