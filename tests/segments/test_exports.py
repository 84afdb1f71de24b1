"""Bulk export: Pinpoint's export file round-trips losslessly; segments, S3, the API, the console, isolation."""

from __future__ import annotations

import gzip
from typing import Any

import boto3
import pytest
from django.test import Client
from moto import mock_aws

from engage.tenancy.models import Role
from segments.models import ExportJob, JobStatus, Segment
from segments.services.exports import export_create, export_run
from tests.segments.import_support import ndjson_gz, read_ndjson_gz, run_upload

pytestmark = pytest.mark.django_db

PINPOINT_EXPORT = [
    {
        "ApplicationId": "0123456789abcdef0123456789abcdef",
        "Id": "ep-kim",
        "ChannelType": "EMAIL",
        "Address": "kim@example.com",
        "EndpointStatus": "ACTIVE",
        "OptOut": "NONE",
        "Attributes": {"Interests": ["golf", "tennis"], "Tier": ["gold"]},
        "Metrics": {"visits": 12.0, "spend": 3.5},
        "Demographic": {
            "AppVersion": "2.3.1",
            "Locale": "ko_KR",
            "Make": "Samsung",
            "Model": "Galaxy S24",
            "ModelVersion": "SM-S921",
            "Platform": "android",
            "PlatformVersion": "14",
            "Timezone": "Asia/Seoul",
        },
        "Location": {
            "City": "Seoul",
            "Country": "KR",
            "Latitude": 37.6,
            "Longitude": 127.0,
            "PostalCode": "04524",
            "Region": "Seoul",
        },
        "User": {"UserId": "user-kim", "UserAttributes": {"Name": ["Kim"], "Plan": ["family", "premium"]}},
        "CohortId": "42",
        "CreationDate": "2024-01-02T03:04:05.678Z",
        "EffectiveDate": "2025-02-03T04:05:06.789Z",
        "RequestId": "8c3f9b3a-5a8e-4f51-9d6c-0a1b2c3d4e5f",
    },
    {
        "ApplicationId": "0123456789abcdef0123456789abcdef",
        "Id": "ep-sms",
        "ChannelType": "SMS",
        "Address": "+821012345678",
        "EndpointStatus": "INACTIVE",
        "OptOut": "ALL",
        "Location": {"Country": "KR"},
        "User": {"UserId": "user-kim"},
        "CohortId": "7",
        "CreationDate": "2023-12-31T23:59:59.999Z",
        "EffectiveDate": "2024-06-30T12:00:00.000Z",
        "RequestId": "11111111-2222-3333-4444-555555555555",
    },
    {
        "ApplicationId": "0123456789abcdef0123456789abcdef",
        "Id": "ep-push",
        "ChannelType": "GCM",
        "Address": "fcm-token-0001",
        "EndpointStatus": "ACTIVE",
        "OptOut": "NONE",
        "Attributes": {"Team": ["red"]},
        "CohortId": "99",
        "CreationDate": "2022-02-22T22:22:22.222Z",
        "EffectiveDate": "2022-02-22T22:22:22.222Z",
        "RequestId": "ffffffff-0000-0000-0000-000000000000",
    },
]


def _export_file(tenant: Any, **kwargs: Any) -> list[dict[str, Any]]:
    job = export_create(tenant=tenant, by="tests", **kwargs)
    done = export_run(tenant_id=tenant.pk, job_id=job.pk)
    assert done is not None and done.status == JobStatus.COMPLETED, done and done.message
    with done.file.open("rb") as handle:
        return read_ndjson_gz(handle.read())


def test_a_pinpoint_export_file_imports_losslessly_and_exports_back_equal(tenant: Any) -> None:
    job = run_upload(tenant, ndjson_gz(PINPOINT_EXPORT), "pinpoint-export.gz", fmt="JSON")
    assert (job.status, job.imported, job.total_failures) == (JobStatus.COMPLETED, 3, 0)

    exported = sorted(_export_file(tenant), key=lambda line: line["Id"])

    expected = sorted(({**line, "ApplicationId": tenant.public_id} for line in PINPOINT_EXPORT), key=lambda x: x["Id"])
    assert exported == expected
    for ours, theirs in zip(exported, expected, strict=True):
        for key in theirs:  # field for field, with the same JSON types
            assert type(ours[key]) is type(theirs[key]) and ours[key] == theirs[key], key


def test_an_export_of_an_imported_segment_holds_only_its_members(tenant: Any) -> None:
    run_upload(tenant, ndjson_gz(PINPOINT_EXPORT[:1]), "first.json.gz", fmt="JSON")
    job = run_upload(tenant, ndjson_gz(PINPOINT_EXPORT[1:]), "second.json.gz", fmt="JSON", define_segment=True)
    assert job.segment is not None

    lines = _export_file(tenant, segment=job.segment)

    assert sorted(line["Id"] for line in lines) == ["ep-push", "ep-sms"]
    done = ExportJob.objects.get(tenant=tenant, segment=job.segment)
    assert (done.total_endpoints, done.total_processed, done.progress_percent) == (2, 2, 100)
    assert done.segment_version == job.segment.version


def test_an_export_of_a_dynamic_segment_holds_its_matches_at_the_version_recorded(tenant: Any) -> None:
    from segments.services.segments import segment_create, segment_update

    run_upload(tenant, ndjson_gz(PINPOINT_EXPORT), "all.json.gz", fmt="JSON")
    channels = {line["Id"]: line["ChannelType"] for line in PINPOINT_EXPORT}
    wanted = sorted(i for i, c in channels.items() if c == "SMS")
    segment = segment_create(
        tenant=tenant,
        body={
            "Name": "sms",
            "Dimensions": {"Demographic": {"Channel": {"DimensionType": "INCLUSIVE", "Values": ["SMS"]}}},
        },
        by="tests",
    )
    job = export_create(tenant=tenant, by="tests", segment=segment)
    segment_update(
        segment=segment,
        body={"Dimensions": {"Demographic": {"Channel": {"DimensionType": "EXCLUSIVE", "Values": ["SMS"]}}}},
        by="tests",
    )

    done = export_run(tenant_id=tenant.pk, job_id=job.pk)

    assert done is not None and done.status == JobStatus.COMPLETED, done and done.message
    with done.file.open("rb") as handle:
        assert sorted(line["Id"] for line in read_ndjson_gz(handle.read())) == wanted
    segment.refresh_from_db()
    assert sorted(line["Id"] for line in _export_file(tenant, segment=segment)) == sorted(set(channels) - set(wanted))


def test_it_writes_the_export_under_an_s3_prefix(tenant: Any) -> None:
    run_upload(tenant, ndjson_gz(PINPOINT_EXPORT), "all.json.gz", fmt="JSON")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="engage-exports")
        job = export_create(tenant=tenant, by="tests", s3_url_prefix="s3://engage-exports/nightly/")
        done = export_run(tenant_id=tenant.pk, job_id=job.pk)

        assert done is not None and done.status == JobStatus.COMPLETED, done.message
        key = f"nightly/export-{job.pk}.jsonl.gz"
        assert done.output == f"s3://engage-exports/{key}" and not done.file
        body = s3.get_object(Bucket="engage-exports", Key=key)["Body"].read()
    assert sorted(line["Id"] for line in read_ndjson_gz(body)) == ["ep-kim", "ep-push", "ep-sms"]


def test_an_unreachable_bucket_fails_the_export_with_a_reason(tenant: Any) -> None:
    with mock_aws():
        job = export_create(tenant=tenant, by="tests", s3_url_prefix="s3://no-such-bucket/x")
        done = export_run(tenant_id=tenant.pk, job_id=job.pk)

    assert done is not None and done.status == JobStatus.FAILED
    assert "no-such-bucket" in done.message and "NoSuchBucket" in done.message


def url(tenant: Any, path: str) -> str:
    return f"/api/v1/tenants/{tenant.public_id}/{path}"


def test_the_api_creates_runs_lists_and_downloads_an_export(api: Any, tenant: Any) -> None:
    run_upload(tenant, ndjson_gz(PINPOINT_EXPORT), "all.json.gz", fmt="JSON")

    created = api.post(url(tenant, "exports/"), {}, format="json")

    assert created.status_code == 202, created.json()
    body = created.json()
    assert (body["Type"], body["JobStatus"], body["ApplicationId"]) == ("EXPORT", "CREATED", tenant.public_id)
    assert body["Definition"] == {"S3UrlPrefix": "", "SegmentId": None, "SegmentVersion": None, "RoleArn": ""}
    export_run(tenant_id=tenant.pk, job_id=int(body["Id"]))
    detail = api.get(url(tenant, f"exports/{body['Id']}/")).json()
    assert (detail["JobStatus"], detail["TotalProcessed"], detail["Downloadable"]) == ("COMPLETED", 3, True)
    assert [j["Id"] for j in api.get(url(tenant, "exports/")).json()["results"]] == [body["Id"]]
    download = api.get(url(tenant, f"exports/{body['Id']}/download/"))
    assert download.status_code == 200 and download["Content-Type"] == "application/gzip"
    assert len(read_ndjson_gz(b"".join(download.streaming_content))) == 3


def test_an_unfinished_export_has_nothing_to_download(api: Any, tenant: Any) -> None:
    job = export_create(tenant=tenant, by="tests")

    answer = api.get(url(tenant, f"exports/{job.pk}/download/"))

    assert answer.status_code == 409 and "not finished" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"S3UrlPrefix": "https://bucket/x"}, "S3UrlPrefix"),
        ({"SegmentId": "f" * 32}, "SegmentId"),
        ({"SegmentVersion": 3}, "SegmentVersion"),
    ],
)
def test_bad_export_requests_are_400s_naming_the_field(api: Any, tenant: Any, body: dict[str, Any], field: str) -> None:
    answer = api.post(url(tenant, "exports/"), body, format="json")

    assert answer.status_code == 400 and field in answer.json()["errors"], answer.json()
    assert not ExportJob.objects.exists()


def test_another_tenants_segment_is_a_400_naming_segment_id(api: Any, tenant: Any, other_tenant: Any) -> None:
    theirs = Segment.objects.create(tenant=other_tenant, name="Theirs", kind=Segment.Kind.IMPORT)
    dynamic = Segment.objects.create(tenant=tenant, name="Dynamic", kind=Segment.Kind.DIMENSIONAL)

    foreign = api.post(url(tenant, "exports/"), {"SegmentId": theirs.public_id}, format="json")
    dynamic_export = api.post(url(tenant, "exports/"), {"SegmentId": dynamic.public_id}, format="json")

    assert foreign.status_code == 400 and list(foreign.json()["errors"]) == ["SegmentId"]
    assert "no segment" in foreign.json()["errors"]["SegmentId"][0]
    assert dynamic_export.status_code == 202, dynamic_export.json()


def test_another_tenants_export_is_not_found(api: Any, tenant: Any, other_tenant: Any) -> None:
    theirs = export_create(tenant=other_tenant, by="tests")

    for path in (f"exports/{theirs.pk}/", f"exports/{theirs.pk}/download/"):
        assert api.get(url(tenant, path)).status_code == 404
    assert Client().get(f"/t/{tenant.public_id}/audience/exports/{theirs.pk}/download/").status_code == 302  # login


def test_an_analyst_exports_and_a_viewer_may_not(client_for: Any, member_factory: Any, tenant: Any) -> None:
    analyst = client_for(member_factory(tenant, Role.ANALYST))
    viewer = client_for(member_factory(tenant, Role.VIEWER))
    job = export_create(tenant=tenant, by="tests")
    export_run(tenant_id=tenant.pk, job_id=job.pk)

    assert analyst.post(url(tenant, "exports/"), {}, format="json").status_code == 202
    assert analyst.get(url(tenant, f"exports/{job.pk}/download/")).status_code == 200
    assert viewer.get(url(tenant, "exports/")).status_code == 200
    assert viewer.post(url(tenant, "exports/"), {}, format="json").status_code == 403
    assert viewer.get(url(tenant, f"exports/{job.pk}/download/")).status_code == 403


def _console(member_factory: Any, tenant: Any, role: str) -> Client:
    client = Client()
    client.force_login(member_factory(tenant, role).user)
    return client


def test_the_console_starts_an_export_and_downloads_it(member_factory: Any, tenant: Any) -> None:
    run_upload(tenant, ndjson_gz(PINPOINT_EXPORT), "all.json.gz", fmt="JSON", define_segment=True, segment_name="VIP")
    browser = _console(member_factory, tenant, Role.MARKETER)
    page = browser.get(f"/t/{tenant.public_id}/audience/exports/")
    assert page.status_code == 200 and b"Imported segment \xe2\x80\x9cVIP\xe2\x80\x9d (3)" in page.content
    segment = Segment.objects.get(tenant=tenant, name="VIP")

    created = browser.post(f"/t/{tenant.public_id}/audience/exports/", {"segment": segment.public_id})

    assert created.status_code == 302
    job = ExportJob.objects.get(tenant=tenant)
    assert job.segment == segment
    listing = browser.get(f"/t/{tenant.public_id}/audience/exports/?fragment=jobs", HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 2s"' in listing.content and b'id="export-jobs"' in listing.content
    export_run(tenant_id=tenant.pk, job_id=job.pk)
    finished = browser.get(f"/t/{tenant.public_id}/audience/exports/?fragment=jobs", HTTP_HX_REQUEST="true")
    assert b"hx-trigger" not in finished.content and b"Download" in finished.content
    download = browser.get(f"/t/{tenant.public_id}/audience/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert len(gzip.decompress(b"".join(download.streaming_content)).splitlines()) == 3


def test_the_console_refuses_a_bad_s3_prefix_on_its_field(member_factory: Any, tenant: Any) -> None:
    browser = _console(member_factory, tenant, Role.MARKETER)

    answer = browser.post(f"/t/{tenant.public_id}/audience/exports/", {"s3_url_prefix": "bucket/no-scheme"})

    assert answer.status_code == 400 and b"is not an S3 URL" in answer.content
    assert not ExportJob.objects.exists()
