"""The campaigns API beyond drafts: WriteCampaignRequest bodies, checks with field errors, the lifecycle,
runs and metrics, roles and other tenants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignRun
from engage.tenancy.models import AuditLog, Membership, Role, Tenant
from segments.services.segments import segment_delete
from tests.campaigns.support import endpoints, push_body, segment_all, url
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db
MC = "MessageConfiguration"


def test_it_creates_a_campaign_from_a_write_campaign_request(api: APIClient, tenant: Tenant) -> None:
    segment = segment_all(tenant)
    body = push_body(
        segment,
        Description="A/B",
        HoldoutPercent=10,
        AdditionalTreatments=[
            {
                "SizePercent": 40,
                "TreatmentName": "B",
                "MessageConfiguration": {"GCMMessage": {"Title": "B", "Body": "b"}},
            }
        ],
        Limits={"Daily": 2, "Total": 3, "MessagesPerSecond": 100, "MaximumDuration": 600},
        Schedule={
            "StartTime": "2030-01-01T09:00:00Z",
            "EndTime": "2030-02-01T00:00:00Z",
            "Frequency": "WEEKLY",
            "Timezone": "UTC+09",
            "IsLocalTime": True,
            "QuietTime": {"Start": "22:00", "End": "07:00"},
        },
        tags={"team": "growth"},
        Priority=2,
    )
    r = api.post(url(tenant), body, format="json")
    assert r.status_code == 201, r.json()
    out = r.json()
    assert (out["status"], out["channel"], out["SegmentId"], out["HoldoutPercent"]) == (
        "DRAFT",
        "PUSH",
        segment.public_id,
        10,
    )
    assert out["AdditionalTreatments"][0]["Id"] == "1"
    assert out["Limits"] == {"Daily": 2, "Total": 3, "MessagesPerSecond": 100, "MaximumDuration": 600, "Session": None}
    assert out["Schedule"]["QuietTime"] == {"Start": "22:00", "End": "07:00"}
    assert out["Schedule"]["Frequency"] == "WEEKLY" and out["Schedule"]["IsLocalTime"] is True
    assert out["ApplicationId"] == tenant.public_id and out["tags"] == {"team": "growth"}


def test_a_get_campaign_body_posted_as_is_creates_the_same_campaign(api: APIClient, tenant: Tenant) -> None:
    r = api.post(url(tenant), push_body(segment_all(tenant), Limits={"Daily": 1}), format="json")
    original = api.get(url(tenant, f"{r.json()['id']}/")).json()
    copy = api.post(url(tenant), original, format="json")
    assert copy.status_code == 201, copy.json()
    ignored = {"id", "Id", "Arn", "created_at", "updated_at", "CreationDate", "LastModifiedDate"}
    assert {k: v for k, v in copy.json().items() if k not in ignored} == {
        k: v for k, v in original.items() if k not in ignored
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"SegmentId": "nope"}, "SegmentId"),
        ({"Limits": {"MessagesPerSecond": 10}}, "Limits.MessagesPerSecond"),
        ({"Limits": {"Daily": 101}}, "Limits.Daily"),
        ({"Limits": {"MaximumDuration": 30}}, "Limits.MaximumDuration"),
        ({"Schedule": {"StartTime": "tomorrow"}}, "Schedule.StartTime"),
        ({"Schedule": {"StartTime": "IMMEDIATE", "Timezone": "Mars/Base"}}, "Schedule.Timezone"),
        ({"Schedule": {"StartTime": "IMMEDIATE", "QuietTime": {"Start": "22:00"}}}, "Schedule.QuietTime"),
        ({"AdditionalTreatments": [{"SizePercent": 60}, {"SizePercent": 50}]}, "AdditionalTreatments"),
        ({"AdditionalTreatments": [{"SizePercent": 1}] * 5}, "AdditionalTreatments"),
        ({"HoldoutPercent": 101}, "HoldoutPercent"),
        ({MC: {"DefaultMessage": {"Title": "{{#if}}", "Action": "OPEN_APP"}}}, f"{MC}.DefaultMessage.Title"),
        ({MC: {"EmailMessage": {"Title": "x"}, "SMSMessage": {"Body": "y"}}}, MC),
        (
            {"TemplateConfiguration": {"PushTemplate": {"Name": "missing"}}, MC: {}},
            "TemplateConfiguration.PushTemplate.Name",
        ),
    ],
)
def test_it_names_the_field_to_fix(api: APIClient, tenant: Tenant, change: dict[str, Any], field: str) -> None:
    r = api.post(url(tenant), {**push_body(segment_all(tenant)), **change}, format="json")
    assert r.status_code == 400, r.json()
    assert field in r.json()["errors"], r.json()
    assert not Campaign.objects.exists()


def test_it_refuses_to_launch_without_a_segment_or_twice(api: APIClient, tenant: Tenant) -> None:
    draft = CampaignFactory(tenant=tenant)
    r = api.post(url(tenant, f"{draft.pk}/launch/"))
    assert (r.status_code, list(r.json()["errors"])) == (400, ["SegmentId"])
    pk = api.post(url(tenant), push_body(segment_all(tenant)), format="json").json()["id"]
    assert api.post(url(tenant, f"{pk}/launch/")).status_code == 200
    again = api.post(url(tenant, f"{pk}/launch/"))
    assert again.status_code == 409 and "EXECUTING" in again.json()["detail"]


def test_it_pauses_resumes_stops_and_duplicates_with_an_audit_trail(api: APIClient, tenant: Tenant) -> None:
    endpoints(tenant, 3)
    pk = api.post(url(tenant), push_body(segment_all(tenant)), format="json").json()["id"]
    with_commit = api.post(url(tenant, f"{pk}/launch/"))
    assert with_commit.json()["status"] == "EXECUTING"
    assert CampaignRun.objects.filter(campaign_id=pk).count() == 1
    assert api.post(url(tenant, f"{pk}/pause/")).json()["status"] == "PAUSED"
    assert api.patch(url(tenant, f"{pk}/"), {"Description": "edited while paused"}, format="json").status_code == 200
    assert api.post(url(tenant, f"{pk}/resume/")).json()["status"] == "EXECUTING"
    assert api.post(url(tenant, f"{pk}/stop/")).json()["status"] == "COMPLETED"
    assert CampaignRun.objects.get(campaign_id=pk).status == CampaignRun.Status.STOPPED
    assert api.post(url(tenant, f"{pk}/stop/")).status_code == 409
    copy = api.post(url(tenant, f"{pk}/duplicate/"), {}, format="json")
    assert copy.status_code == 201
    assert (copy.json()["name"], copy.json()["status"], copy.json()["channel"]) == (
        "Copy of Welcome push",
        "DRAFT",
        "PUSH",
    )
    actions = set(AuditLog.objects.filter(tenant=tenant).values_list("action", flat=True))
    assert {"campaign.launch", "campaign.pause", "campaign.resume", "campaign.stop", "campaign.duplicate"} <= actions


def test_an_active_campaign_keeps_its_segment(api: APIClient, tenant: Tenant) -> None:
    segment = segment_all(tenant)
    pk = api.post(url(tenant), push_body(segment), format="json").json()["id"]
    api.post(url(tenant, f"{pk}/launch/"))
    with pytest.raises(Exception, match="Welcome push"):
        segment_delete(segment=segment, by="tests")


def test_a_viewer_reads_but_cannot_launch(
    tenant: Tenant, member_factory: Callable[..., Membership], client_for: Callable[[Membership], APIClient]
) -> None:
    campaign = CampaignFactory(tenant=tenant)
    viewer = client_for(member_factory(tenant, Role.VIEWER))
    for action in ("launch", "pause", "resume", "stop", "duplicate"):
        assert viewer.post(url(tenant, f"{campaign.pk}/{action}/")).status_code == 403
    assert viewer.get(url(tenant, f"{campaign.pk}/runs/")).status_code == 200
    assert viewer.get(url(tenant, f"{campaign.pk}/metrics/")).status_code == 200


def test_another_tenants_campaign_is_not_found(api: APIClient, tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = CampaignFactory(tenant=other_tenant)
    for action in ("launch", "pause", "resume", "stop", "duplicate"):
        assert api.post(url(tenant, f"{theirs.pk}/{action}/")).status_code == 404
    for action in ("runs", "metrics"):
        assert api.get(url(tenant, f"{theirs.pk}/{action}/")).status_code == 404
    assert Campaign.objects.get(pk=theirs.pk).status == Campaign.Status.DRAFT


def test_metrics_reject_a_bad_date(api: APIClient, tenant: Tenant) -> None:
    campaign = CampaignFactory(tenant=tenant)
    r = api.get(url(tenant, f"{campaign.pk}/metrics/"), {"start": "yesterday"})
    assert r.status_code == 400 and "start" in r.json()["errors"]
