"""Segments through boto3: legacy Dimensions and SegmentGroups in and out, versions, paging, edits made in the
console showing up, and refusals naming the field."""

from __future__ import annotations

from typing import Any

from engage.tenancy.models import Tenant
from segments.models import Segment
from segments.services.segments import segment_create, segment_update
from tests.pinpoint.conftest import Client, body_extra, error_of

IOS = {"Demographic": {"Platform": {"DimensionType": "INCLUSIVE", "Values": ["iOS"]}}}
GROUPS = {
    "Include": "ALL",
    "Groups": [
        {
            "Type": "ANY",
            "SourceType": "ANY",
            "Dimensions": [
                {"Attributes": {"Plan": {"AttributeType": "INCLUSIVE", "Values": ["pro", "team"]}}},
                {"Metrics": {"Visits": {"ComparisonOperator": "GREATER_THAN", "Value": 3.0}}},
            ],
        }
    ],
}


def create(pinpoint: Client, tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    answer = pinpoint.create_segment(ApplicationId=tenant.public_id, WriteSegmentRequest=body)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 201
    segment: dict[str, Any] = answer["SegmentResponse"]
    return segment


def test_it_creates_and_reads_segments_in_both_shapes(pinpoint: Client, acme: Tenant) -> None:
    legacy = create(pinpoint, acme, {"Name": "iOS users", "Dimensions": IOS, "tags": {"team": "growth"}})
    assert legacy["Dimensions"] == IOS and "SegmentGroups" not in legacy
    assert (legacy["Name"], legacy["SegmentType"], legacy["Version"], legacy["tags"]) == (
        "iOS users",
        "DIMENSIONAL",
        1,
        {"team": "growth"},
    )
    assert legacy["ApplicationId"] == acme.public_id and len(legacy["Id"]) == 32
    assert legacy["Arn"].endswith(f"apps/{acme.public_id}/segments/{legacy['Id']}")
    grouped = create(pinpoint, acme, {"Name": "Engaged", "SegmentGroups": GROUPS})
    assert grouped["SegmentGroups"] == GROUPS
    got = pinpoint.get_segment(ApplicationId=acme.public_id, SegmentId=grouped["Id"])["SegmentResponse"]
    assert got["SegmentGroups"] == GROUPS and got["CreationDate"] == grouped["CreationDate"]


def test_it_finds_a_segment_by_name_with_get_segments_page_by_page(pinpoint: Client, acme: Tenant) -> None:
    for index in range(5):
        segment_create(tenant=acme, body={"Name": f"Segment {index}"}, by="tests")
    seen: list[str] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"ApplicationId": acme.public_id, "PageSize": "2"}
        if token:
            kwargs["Token"] = token
        answer = pinpoint.get_segments(**kwargs)["SegmentsResponse"]
        assert len(answer["Item"]) <= 2
        seen += [s["Name"] for s in answer["Item"]]
        token = answer.get("NextToken")
        if not token:
            break
    assert seen == [f"Segment {i}" for i in (4, 3, 2, 1, 0)]
    found = [s for s in pinpoint.get_segments(ApplicationId=acme.public_id)["SegmentsResponse"]["Item"]]
    assert next(s["Id"] for s in found if s["Name"] == "Segment 3")
    code, message, _ = error_of(lambda: pinpoint.get_segments(ApplicationId=acme.public_id, PageSize="0"))
    assert (code, message) == ("BadRequestException", "PageSize must be a whole number from 1 to 1000")
    code, message, _ = error_of(lambda: pinpoint.get_segments(ApplicationId=acme.public_id, Token="bogus"))
    assert (code, message) == ("BadRequestException", "Token is not a token this API returned")


def test_it_updates_a_segment_into_a_new_version_and_keeps_the_old_ones(pinpoint: Client, acme: Tenant) -> None:
    segment = create(pinpoint, acme, {"Name": "iOS users", "Dimensions": IOS})
    android = {"Demographic": {"Platform": {"DimensionType": "INCLUSIVE", "Values": ["Android"]}}}
    updated = pinpoint.update_segment(
        ApplicationId=acme.public_id, SegmentId=segment["Id"], WriteSegmentRequest={"Dimensions": android}
    )["SegmentResponse"]
    assert (updated["Version"], updated["Name"], updated["Dimensions"]) == (2, "iOS users", android)
    # An edit in the console is what the API shows next.
    segment_update(segment=Segment.objects.get(public_id=segment["Id"]), body={"Name": "Phones"}, by="console")
    assert pinpoint.get_segment(ApplicationId=acme.public_id, SegmentId=segment["Id"])["SegmentResponse"]["Name"] == (
        "Phones"
    )
    versions = pinpoint.get_segment_versions(ApplicationId=acme.public_id, SegmentId=segment["Id"])
    items = versions["SegmentsResponse"]["Item"]
    assert [(v["Version"], v["Dimensions"]) for v in items] == [(2, android), (1, IOS)]
    first = pinpoint.get_segment_version(ApplicationId=acme.public_id, SegmentId=segment["Id"], Version="1")
    assert first["SegmentResponse"]["Dimensions"] == IOS and first["SegmentResponse"]["Version"] == 1
    code, message, status = error_of(
        lambda: pinpoint.get_segment_version(ApplicationId=acme.public_id, SegmentId=segment["Id"], Version="9")
    )
    assert (code, message, status) == ("NotFoundException", f"Segment {segment['Id']} has no version 9", 404)
    assert (
        error_of(
            lambda: pinpoint.get_segment_version(ApplicationId=acme.public_id, SegmentId=segment["Id"], Version="x")
        )[1]
        == "Version must be a whole number such as 2"
    )


def test_it_deletes_a_segment_unless_another_uses_it(pinpoint: Client, acme: Tenant) -> None:
    base = create(pinpoint, acme, {"Name": "Base", "Dimensions": IOS})
    refined = create(
        pinpoint,
        acme,
        {"Name": "Refined", "SegmentGroups": {"Groups": [{"SourceSegments": [{"Id": base["Id"]}], "Dimensions": []}]}},
    )
    code, message, status = error_of(
        lambda: pinpoint.delete_segment(ApplicationId=acme.public_id, SegmentId=base["Id"])
    )
    assert (code, status) == ("ConflictException", 409) and "Refined" in message
    answer = pinpoint.delete_segment(ApplicationId=acme.public_id, SegmentId=refined["Id"])
    assert answer["SegmentResponse"]["Name"] == "Refined"
    assert not Segment.objects.filter(public_id=refined["Id"]).exists()
    code, message, status = error_of(
        lambda: pinpoint.get_segment(ApplicationId=acme.public_id, SegmentId=refined["Id"])
    )
    assert (code, message, status) == ("NotFoundException", f"Segment {refined['Id']} not found", 404)


def test_it_refuses_bad_definitions_naming_the_field(pinpoint: Client, acme: Tenant) -> None:
    bad_enum = {"Demographic": {"Platform": {"DimensionType": "MAYBE", "Values": ["iOS"]}}}
    code, message, status = error_of(lambda: create(pinpoint, acme, {"Name": "x", "Dimensions": bad_enum}))
    assert (code, status) == ("BadRequestException", 400)
    assert message.startswith("Invalid value for parameter Dimensions.Demographic.Platform.DimensionType: 'MAYBE'")
    bad_operator = {"Metrics": {"Visits": {"ComparisonOperator": "ROUGHLY", "Value": 1.0}}}
    message = error_of(lambda: create(pinpoint, acme, {"Name": "x", "Dimensions": bad_operator}))[1]
    assert message.startswith("Dimensions.Metrics.Visits.ComparisonOperator must be one of")
    message = error_of(lambda: create(pinpoint, acme, {"Dimensions": IOS}))[1]
    assert message == "Name: give the segment a name"
    body_extra(
        pinpoint,
        "CreateSegment",
        {"Dimensions": {"Metrics": {"Visits": {"ComparisonOperator": "EQUAL", "Value": "3"}}}},
    )
    message = error_of(lambda: create(pinpoint, acme, {"Name": "x"}))[1]
    assert message == "Invalid type for parameter Dimensions.Metrics.Visits.Value: expected a number, got str"
    assert not Segment.objects.filter(tenant=acme).exists()


def test_it_keeps_other_tenants_segments_out_of_reach(pinpoint: Client, acme: Tenant, globex: Tenant) -> None:
    theirs = segment_create(tenant=globex, body={"Name": "Globex only"}, by="tests")
    code, _, status = error_of(lambda: pinpoint.get_segment(ApplicationId=acme.public_id, SegmentId=theirs.public_id))
    assert (code, status) == ("NotFoundException", 404)
    assert pinpoint.get_segments(ApplicationId=acme.public_id)["SegmentsResponse"]["Item"] == []
    assert error_of(lambda: pinpoint.delete_segment(ApplicationId=acme.public_id, SegmentId=theirs.public_id))[::2] == (
        "NotFoundException",
        404,
    )
    assert Segment.objects.filter(pk=theirs.pk).exists()
