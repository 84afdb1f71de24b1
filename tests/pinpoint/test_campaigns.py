"""Campaigns through boto3: created live (or paused), read, paused, edited, resumed, deleted, versions, KPIs, and
refusals (unknown ids, another tenant's application, a KPI Engage does not compute)."""

from __future__ import annotations

from typing import Any

from campaigns.models import Campaign
from engage.tenancy.models import ApiKey, Tenant
from tests.pinpoint.conftest import Client, ClientMaker, KeyMaker, error_of

PUSH = {"DefaultMessage": {"Title": "Hello {{User.UserId}}", "Body": "Your offer is waiting", "Action": "OPEN_APP"}}
BLUE = {"Attributes": {"Team": {"AttributeType": "INCLUSIVE", "Values": ["blue"]}}}


def blue_segment_id(pinpoint: Client, tenant: Tenant) -> str:
    """Create the "Blue team" segment, then find its id the way a Pinpoint client does: with get_segments."""
    pinpoint.create_segment(
        ApplicationId=tenant.public_id, WriteSegmentRequest={"Name": "Blue team", "Dimensions": BLUE}
    )
    items = pinpoint.get_segments(ApplicationId=tenant.public_id)["SegmentsResponse"]["Item"]
    return str(next(s["Id"] for s in items if s["Name"] == "Blue team"))


def push_request(segment_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "Name": "Welcome push",
        "SegmentId": segment_id,
        "MessageConfiguration": PUSH,
        "Schedule": {"StartTime": "IMMEDIATE", "Frequency": "ONCE"},
        **extra,
    }


def create(pinpoint: Client, tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    answer = pinpoint.create_campaign(ApplicationId=tenant.public_id, WriteCampaignRequest=body)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 201
    campaign: dict[str, Any] = answer["CampaignResponse"]
    return campaign


def test_it_creates_a_live_campaign_and_reads_it_back(pinpoint: Client, acme: Tenant) -> None:
    segment_id = blue_segment_id(pinpoint, acme)
    made = create(pinpoint, acme, push_request(segment_id, tags={"team": "growth"}))
    assert made["State"]["CampaignStatus"] in ("SCHEDULED", "EXECUTING", "PENDING_NEXT_RUN", "COMPLETED")
    assert (made["Name"], made["SegmentId"], made["Version"], made["IsPaused"]) == (
        "Welcome push",
        segment_id,
        1,
        False,
    )
    assert made["MessageConfiguration"]["DefaultMessage"]["Title"] == "Hello {{User.UserId}}"
    assert made["Schedule"]["StartTime"] == "IMMEDIATE" and made["tags"] == {"team": "growth"}
    assert made["Arn"].endswith(f"apps/{acme.public_id}/campaigns/{made['Id']}")
    assert Campaign.objects.get(pk=int(made["Id"])).launched_at is not None
    got = pinpoint.get_campaign(ApplicationId=acme.public_id, CampaignId=made["Id"])["CampaignResponse"]
    assert got["Id"] == made["Id"] and got["CreationDate"] == made["CreationDate"]
    listed = pinpoint.get_campaigns(ApplicationId=acme.public_id)["CampaignsResponse"]["Item"]
    assert [c["Id"] for c in listed] == [made["Id"]]
    versions = pinpoint.get_campaign_versions(ApplicationId=acme.public_id, CampaignId=made["Id"])
    assert [v["Version"] for v in versions["CampaignsResponse"]["Item"]] == [1]
    one = pinpoint.get_campaign_version(ApplicationId=acme.public_id, CampaignId=made["Id"], Version="1")
    assert one["CampaignResponse"]["Id"] == made["Id"]
    code, message, status = error_of(
        lambda: pinpoint.get_campaign_version(ApplicationId=acme.public_id, CampaignId=made["Id"], Version="7")
    )
    assert (code, status) == ("NotFoundException", 404) and "current version (1)" in message


def test_a_paused_campaign_is_edited_then_launched_by_unpausing_it(pinpoint: Client, acme: Tenant) -> None:
    segment_id = blue_segment_id(pinpoint, acme)
    made = create(pinpoint, acme, push_request(segment_id, IsPaused=True))
    assert (made["State"]["CampaignStatus"], made["IsPaused"]) == ("PAUSED", True)
    assert Campaign.objects.get(pk=int(made["Id"])).launched_at is None
    ids = {"ApplicationId": acme.public_id, "CampaignId": made["Id"]}
    edited = pinpoint.update_campaign(**ids, WriteCampaignRequest={"Name": "Renamed", "Description": "v2"})
    assert (edited["CampaignResponse"]["Name"], edited["CampaignResponse"]["Version"]) == ("Renamed", 2)
    assert edited["CampaignResponse"]["State"]["CampaignStatus"] == "PAUSED"
    live = pinpoint.update_campaign(**ids, WriteCampaignRequest={"IsPaused": False})["CampaignResponse"]
    assert live["State"]["CampaignStatus"] != "PAUSED" and live["IsPaused"] is False
    assert Campaign.objects.get(pk=int(made["Id"])).launched_at is not None


def test_a_live_campaign_is_paused_edited_and_resumed(pinpoint: Client, acme: Tenant) -> None:
    segment_id = blue_segment_id(pinpoint, acme)
    later = {"StartTime": "2099-01-01T00:00:00Z", "Frequency": "DAILY"}
    made = create(pinpoint, acme, push_request(segment_id, Schedule=later))
    assert made["State"]["CampaignStatus"] == "SCHEDULED"
    ids = {"ApplicationId": acme.public_id, "CampaignId": made["Id"]}
    code, message, status = error_of(lambda: pinpoint.update_campaign(**ids, WriteCampaignRequest={"Name": "x"}))
    assert (code, status) == ("ConflictException", 409) and "paused" in message
    paused = pinpoint.update_campaign(**ids, WriteCampaignRequest={"IsPaused": True, "Name": "Daily push"})
    assert (paused["CampaignResponse"]["State"]["CampaignStatus"], paused["CampaignResponse"]["Name"]) == (
        "PAUSED",
        "Daily push",
    )
    resumed = pinpoint.update_campaign(**ids, WriteCampaignRequest={"IsPaused": False})["CampaignResponse"]
    assert resumed["State"]["CampaignStatus"] == "SCHEDULED" and resumed["Name"] == "Daily push"
    deleted = pinpoint.delete_campaign(**ids)["CampaignResponse"]
    assert deleted["Id"] == made["Id"] and not Campaign.objects.filter(pk=int(made["Id"])).exists()
    assert error_of(lambda: pinpoint.get_campaign(**ids))[::2] == ("NotFoundException", 404)


def test_it_refuses_what_it_cannot_do_naming_the_member(pinpoint: Client, acme: Tenant) -> None:
    for unknown in ("999999", "not-a-campaign"):
        ids = {"ApplicationId": acme.public_id, "CampaignId": unknown}
        assert error_of(lambda i=ids: pinpoint.get_campaign(**i))[::2] == ("NotFoundException", 404)  # type: ignore[misc]
        assert error_of(lambda i=ids: pinpoint.delete_campaign(**i))[::2] == ("NotFoundException", 404)  # type: ignore[misc]
    code, message, status = error_of(
        lambda: pinpoint.create_campaign(
            ApplicationId=acme.public_id, WriteCampaignRequest={"Name": "No segment", "MessageConfiguration": PUSH}
        )
    )
    assert (code, status) == ("BadRequestException", 400) and "SegmentId" in message
    assert not Campaign.objects.filter(tenant=acme).exists()  # the refused launch left no draft behind
    made = create(pinpoint, acme, push_request(blue_segment_id(pinpoint, acme), IsPaused=True))
    kpi = {"ApplicationId": acme.public_id, "CampaignId": made["Id"]}
    code, message, status = error_of(lambda: pinpoint.get_campaign_date_range_kpi(**kpi, KpiName="direct-sessions"))
    assert (code, status) == ("BadRequestException", 400) and "KpiName" in message


def test_another_tenants_application_is_forbidden(
    pinpoint: Client, acme: Tenant, globex: Tenant, make_key: KeyMaker, client_for: ClientMaker
) -> None:
    made = create(pinpoint, acme, push_request(blue_segment_id(pinpoint, acme), IsPaused=True))
    other = client_for(make_key(globex))
    ids = {"ApplicationId": acme.public_id, "CampaignId": made["Id"]}
    assert error_of(lambda: other.get_campaign(**ids))[::2] == ("ForbiddenException", 403)
    assert error_of(lambda: other.delete_campaign(**ids))[::2] == ("ForbiddenException", 403)
    assert error_of(lambda: other.get_campaigns(ApplicationId=acme.public_id))[::2] == ("ForbiddenException", 403)
    # Globex's own application does not hold Acme's campaign either.
    mine = {"ApplicationId": globex.public_id, "CampaignId": made["Id"]}
    assert error_of(lambda: other.get_campaign(**mine))[::2] == ("NotFoundException", 404)
    ingest = client_for(make_key(acme, ApiKey.Role.INGEST))
    refused = error_of(lambda: ingest.create_campaign(ApplicationId=acme.public_id, WriteCampaignRequest={"Name": "x"}))
    assert refused[::2] == ("ForbiddenException", 403)
    assert Campaign.objects.filter(tenant=acme).count() == 1
