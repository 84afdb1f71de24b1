from __future__ import annotations

import pytest

from engage.tenancy.models import AuditLog, Role
from segments.models import Segment
from segments.services.endpoints import endpoints_upsert
from segments.services.segments import segment_usage_register

pytestmark = pytest.mark.django_db

# A GetSegment response from Pinpoint (read-only fields included; they are ignored on the way in).
PINPOINT_SEGMENT = {
    "ApplicationId": "ab12" * 8,
    "Arn": "arn:aws:mobiletargeting:us-east-1:123:apps/x/segments/y",
    "CreationDate": "2024-05-01T10:00:00.000Z",
    "Id": "f" * 32,
    "LastModifiedDate": "2024-05-02T10:00:00.000Z",
    "Name": "Golfers in Korea",
    "SegmentType": "DIMENSIONAL",
    "Version": 3,
    "tags": {"team": "growth"},
    "SegmentGroups": {
        "Include": "ALL",
        "Groups": [
            {
                "Type": "ALL",
                "SourceType": "ANY",
                "Dimensions": [
                    {
                        "Attributes": {"Interests": {"AttributeType": "INCLUSIVE", "Values": ["golf"]}},
                        "Location": {"Country": {"DimensionType": "INCLUSIVE", "Values": ["KR"]}},
                        "Metrics": {"spend": {"ComparisonOperator": "GREATER_THAN_OR_EQUAL", "Value": 100}},
                    }
                ],
            }
        ],
    },
}


def url(tenant, path: str = "") -> str:
    return f"/api/v1/tenants/{tenant.public_id}/segments/{path}"


@pytest.fixture
def audience(tenant) -> None:
    endpoints_upsert(
        tenant=tenant,
        items=[
            (
                "g1",
                {
                    "ChannelType": "EMAIL",
                    "Address": "g1@x.test",
                    "Attributes": {"Interests": ["golf"]},
                    "Location": {"Country": "KR"},
                    "Metrics": {"spend": 150},
                },
            ),
            (
                "g2",
                {
                    "ChannelType": "EMAIL",
                    "Address": "g2@x.test",
                    "Attributes": {"Interests": ["golf"]},
                    "Location": {"Country": "KR"},
                    "Metrics": {"spend": 20},
                },
            ),
            (
                "g3",
                {
                    "ChannelType": "SMS",
                    "Address": "+15555550100",
                    "Attributes": {"Interests": ["golf"]},
                    "Location": {"Country": "KR"},
                    "Metrics": {"spend": 500},
                    "OptOut": "ALL",
                },
            ),
        ],
    )


def test_a_pinpoint_get_segment_response_round_trips_unchanged(api, tenant, audience) -> None:
    r = api.post(url(tenant), PINPOINT_SEGMENT, format="json")
    assert r.status_code == 201, r.json()
    created = r.json()
    assert created["Id"] != PINPOINT_SEGMENT["Id"] and created["ApplicationId"] == tenant.public_id
    assert created["SegmentGroups"] == PINPOINT_SEGMENT["SegmentGroups"]
    assert (created["Name"], created["tags"], created["Version"], created["SegmentType"]) == (
        "Golfers in Korea",
        {"team": "growth"},
        1,
        "DIMENSIONAL",
    )
    fetched = api.get(url(tenant, f"{created['Id']}/")).json()
    assert fetched["SegmentGroups"] == PINPOINT_SEGMENT["SegmentGroups"]
    estimate = api.get(url(tenant, f"{created['Id']}/estimate/")).json()
    assert estimate == {"Total": 2, "Eligible": 1, "EligibleBeforeGuard": 1}
    assert api.get(url(tenant, f"{created['Id']}/members/")).json() == {"Ids": ["g1"], "Next": None}
    assert api.get(url(tenant, f"{created['Id']}/members/?all=1")).json()["Ids"] == ["g1", "g3"]


def test_legacy_dimensions_stay_legacy(api, tenant) -> None:
    body = {
        "Name": "Legacy",
        "Dimensions": {"Demographic": {"Platform": {"DimensionType": "INCLUSIVE", "Values": ["ios"]}}},
    }
    created = api.post(url(tenant), body, format="json").json()
    assert created["Dimensions"] == body["Dimensions"] and "SegmentGroups" not in created


def test_updates_make_versions(api, tenant) -> None:
    seg = api.post(
        url(tenant), {"Name": "v", "Dimensions": {"Location": {"Country": {"Values": ["KR"]}}}}, format="json"
    ).json()
    updated = api.put(
        url(tenant, f"{seg['Id']}/"), {"Dimensions": {"Location": {"Country": {"Values": ["JP"]}}}}, format="json"
    ).json()
    assert updated["Version"] == 2
    versions = api.get(url(tenant, f"{seg['Id']}/versions/")).json()["Item"]
    assert [v["Version"] for v in versions] == [2, 1]
    assert versions[1]["Dimensions"]["Location"]["Country"]["Values"] == ["KR"]
    renamed = api.patch(url(tenant, f"{seg['Id']}/"), {"Name": "renamed"}, format="json").json()
    assert renamed["Version"] == 2 and renamed["Name"] == "renamed"


def test_explain_names_the_failed_criteria(api, tenant, audience) -> None:
    seg = api.post(url(tenant), PINPOINT_SEGMENT, format="json").json()
    why = api.get(url(tenant, f"{seg['Id']}/explain/?endpoint_id=g2")).json()
    assert why["InSegment"] is False
    assert [c["Criterion"] for c in why["Criteria"] if not c["Matched"]] == ["Metrics.spend GREATER_THAN_OR_EQUAL 100"]
    draft = api.post(url(tenant, "explain/"), {"EndpointId": "g3", "Dimensions": {}}, format="json").json()
    assert draft["InSegment"] is True and draft["Eligible"] is False
    assert api.get(url(tenant, f"{seg['Id']}/explain/?endpoint_id=nope")).status_code == 400


def test_draft_estimate_for_the_builder(api, tenant, audience) -> None:
    r = api.post(
        url(tenant, "estimate/"), {"Dimensions": {"Demographic": {"Channel": {"Values": ["EMAIL"]}}}}, format="json"
    )
    assert r.json() == {"Total": 2, "Eligible": 2, "EligibleBeforeGuard": 2}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"Name": "x", "Dimensions": {"Attributes": {"a": {"AttributeType": "NEAR", "Values": ["1"]}}}},
            "Dimensions.Attributes.a.AttributeType",
        ),
        (
            {"Name": "x", "Dimensions": {"Metrics": {"m": {"ComparisonOperator": "EQUAL", "Value": "1"}}}},
            "Dimensions.Metrics.m.Value",
        ),
        ({"Name": "x", "Dimensions": {"Attributes": {"a": {"Values": ["v"] * 101}}}}, "Dimensions.Attributes.a.Values"),
        ({"Dimensions": {}}, "Name"),
    ],
)
def test_bad_definitions_are_400_naming_the_field(api, tenant, body, field) -> None:
    r = api.post(url(tenant), body, format="json")
    assert r.status_code == 400 and field in r.json()["errors"], r.json()
    assert not Segment.objects.exists()


def test_another_tenants_segment_as_base_is_a_validation_error(
    api, tenant, other_tenant, member_factory, client_for
) -> None:
    theirs = (
        client_for(member_factory(other_tenant, Role.OWNER))
        .post(url(other_tenant), {"Name": "theirs", "Dimensions": {}}, format="json")
        .json()
    )
    r = api.post(
        url(tenant),
        {"Name": "mine", "SegmentGroups": {"Groups": [{"SourceSegments": [{"Id": theirs["Id"]}]}]}},
        format="json",
    )
    assert r.status_code == 400 and "SegmentGroups.SourceSegments" in r.json()["errors"]
    assert api.get(url(tenant, f"{theirs['Id']}/")).status_code == 404


def test_delete_is_refused_while_in_use_and_audited_otherwise(api, tenant) -> None:
    base = api.post(url(tenant), {"Name": "base", "Dimensions": {}}, format="json").json()
    child = api.post(
        url(tenant),
        {"Name": "child", "SegmentGroups": {"Groups": [{"SourceSegments": [{"Id": base["Id"]}]}]}},
        format="json",
    ).json()
    r = api.delete(url(tenant, f"{base['Id']}/"))
    assert r.status_code == 409 and "child" in r.json()["detail"]

    @segment_usage_register
    def campaigns_using(segment: Segment) -> list[str]:
        return ["campaign “Launch” (EXECUTING)"] if segment.name == "child" else []

    r = api.delete(url(tenant, f"{child['Id']}/"))
    assert r.status_code == 409 and "Launch" in r.json()["detail"]
    from segments.services import segments as service

    service._usage_checkers.remove(campaigns_using)
    assert api.delete(url(tenant, f"{child['Id']}/")).status_code == 200
    assert AuditLog.objects.filter(tenant=tenant, action="segment.delete").count() == 1


def test_copy_and_viewer_rules(api, tenant, member_factory, client_for) -> None:
    seg = api.post(
        url(tenant), {"Name": "orig", "Dimensions": {"Location": {"Country": {"Values": ["KR"]}}}}, format="json"
    ).json()
    copy = api.post(url(tenant, f"{seg['Id']}/copy/"), {"Name": "dup"}, format="json").json()
    assert copy["Name"] == "dup" and copy["Dimensions"] == seg["Dimensions"]
    viewer = client_for(member_factory(tenant, Role.VIEWER))
    assert viewer.get(url(tenant, f"{seg['Id']}/estimate/")).status_code == 200
    assert viewer.post(url(tenant, "estimate/"), {}, format="json").status_code == 200
    assert viewer.post(url(tenant), {"Name": "no", "Dimensions": {}}, format="json").status_code == 403


def test_audience_guard(api, tenant, audience, member_factory, client_for) -> None:
    gurl = f"/api/v1/tenants/{tenant.public_id}/audience-guard/"
    assert api.get(gurl).json() == {"Enabled": False}
    body = {"Enabled": True, "Dimensions": {"Metrics": {"spend": {"ComparisonOperator": "GREATER_THAN", "Value": 100}}}}
    assert api.put(gurl, body, format="json").json() == body
    seg = api.post(url(tenant), {"Name": "all", "Dimensions": {}}, format="json").json()
    assert api.get(url(tenant, f"{seg['Id']}/estimate/")).json() == {
        "Total": 3,
        "Eligible": 1,
        "EligibleBeforeGuard": 2,
    }
    assert api.get(url(tenant, f"{seg['Id']}/estimate/?guard=0")).json()["Eligible"] == 2
    marketer = client_for(member_factory(tenant, Role.MARKETER))
    assert marketer.put(gurl, body, format="json").status_code == 403
    assert api.put(gurl, {"Enabled": True}, format="json").status_code == 400
    assert AuditLog.objects.filter(tenant=tenant, action="audience_guard.set").count() == 1


def test_a_segment_the_audience_guard_uses_cannot_be_deleted(api, tenant) -> None:
    base = api.post(url(tenant), {"Name": "real users", "Dimensions": {}}, format="json").json()
    guard = {"Enabled": True, "SegmentGroups": {"Groups": [{"SourceSegments": [{"Id": base["Id"]}]}]}}
    assert api.put(f"/api/v1/tenants/{tenant.public_id}/audience-guard/", guard, format="json").status_code == 200
    r = api.delete(url(tenant, f"{base['Id']}/"))
    assert r.status_code == 409 and "audience guard" in r.json()["detail"]
