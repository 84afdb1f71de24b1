"""Imports through their real interfaces: the REST API, the console pages, S3 (moto), the worker and the CLI."""

from __future__ import annotations

import gzip
import io
import time
from pathlib import Path
from typing import Any, cast

import boto3
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from moto import mock_aws
from rest_framework.test import APIClient

from engage.tenancy.models import Membership, Role, Tenant
from segments.models import Endpoint, ImportJob, JobStatus, Segment
from segments.services.imports.create import import_create
from segments.services.imports.runner import import_run
from tests.factories import MembershipFactory, TenantFactory, UserFactory
from tests.segments.import_support import csv_bytes, failures, ndjson_gz

pytestmark = pytest.mark.django_db

GOOD_AND_BAD = csv_bytes(
    ["ChannelType", "Address", "Attributes.Plan"],
    [["EMAIL", "a@example.com", "pro"], ["EMAIL", "broken", "pro"], ["SMS", "+15555550100", "free"]],
)


def url(tenant: Any, path: str) -> str:
    return f"/api/v1/tenants/{tenant.public_id}/{path}"


def upload(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def test_a_multipart_upload_creates_a_job_in_pinpoints_shape(api: Any, tenant: Any) -> None:
    answer = api.post(
        url(tenant, "imports/"),
        {"file": upload("people.csv", GOOD_AND_BAD), "define_segment": "true", "segment_name": "People"},
        format="multipart",
    )

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["Type"], body["JobStatus"], body["ApplicationId"], body["File"]) == (
        "IMPORT",
        "CREATED",
        tenant.public_id,
        "people.csv",
    )
    assert body["Definition"]["Format"] == "CSV" and body["Definition"]["DefineSegment"] is True
    import_run(tenant_id=tenant.pk, job_id=int(body["Id"]))
    done = api.get(url(tenant, f"imports/{body['Id']}/")).json()
    assert (done["JobStatus"], done["TotalProcessed"], done["TotalFailures"], done["Imported"]) == (
        "COMPLETED",
        3,
        1,
        2,
    )
    assert done["Failures"] == ["people.csv line 3: 'broken' is not a valid email address"]
    assert done["Progress"]["Percent"] == 100 and done["Definition"]["SegmentName"] == "People"
    assert done["Definition"]["SegmentId"] == Segment.objects.get(tenant=tenant, name="People").public_id
    listing = api.get(url(tenant, "imports/")).json()["results"]
    assert [j["Id"] for j in listing] == [body["Id"]] and listing[0]["Failures"] == done["Failures"]
    report = api.get(url(tenant, f"imports/{body['Id']}/errors/"))
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    assert b"".join(report.streaming_content).decode().splitlines() == [
        "file,line,field,reason,row",
        "people.csv,3,Address,'broken' is not a valid email address,\"EMAIL,broken,pro\"",
    ]


def test_a_pinpoint_import_job_request_reads_s3(api: Any, tenant: Any) -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="audience")
        s3.put_object(Bucket="audience", Key="daily/part-1.csv", Body=GOOD_AND_BAD)
        s3.put_object(
            Bucket="audience",
            Key="daily/nested/part-2.csv.gz",
            Body=gzip.compress(csv_bytes(["ChannelType", "Address"], [["EMAIL", "c@example.com"]])),
        )
        s3.put_object(Bucket="audience", Key="daily/empty-folder/", Body=b"")
        s3.put_object(Bucket="audience", Key="weekly/other.csv", Body=GOOD_AND_BAD)
        answer = api.post(
            url(tenant, "imports/"),
            {
                "S3Url": "s3://audience/daily/",
                "Format": "csv",
                "DefineSegment": True,
                "RoleArn": "arn:aws:iam::1:role/x",
            },
            format="json",
        )
        assert answer.status_code == 201, answer.json()
        assert answer.json()["Definition"]["S3Url"] == "s3://audience/daily/"

        job = import_run(tenant_id=tenant.pk, job_id=int(answer.json()["Id"]))

    assert job is not None and job.status == JobStatus.COMPLETED, job.message
    assert (job.total_pieces, job.completed_pieces, job.imported, job.total_failures) == (2, 2, 3, 1)
    assert job.total_bytes == job.processed_bytes > 0
    assert failures(job) == [(3, "Address", "'broken' is not a valid email address")]
    assert job.failures.get().file == "s3://audience/daily/nested/part-2.csv.gz" or job.failures.get().file == (
        "s3://audience/daily/part-1.csv"
    )
    assert job.segment is not None and (job.segment.name, job.segment.import_size) == ("daily", 3)
    assert Endpoint.objects.for_tenant(tenant).count() == 3


def test_a_missing_bucket_fails_the_job_with_a_reason(tenant: Any) -> None:
    with mock_aws():
        job = import_create(tenant=tenant, by="tests", format="CSV", s3_url="s3://missing-bucket/x")
        done = import_run(tenant_id=tenant.pk, job_id=job.pk)

    assert done is not None and done.status == JobStatus.FAILED
    assert done.message.startswith("could not list s3://missing-bucket/x: NoSuchBucket")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"S3Url": "s3://bucket/x", "Format": "XML"}, "Format"),
        ({"S3Url": "https://example.com/file.csv", "Format": "CSV"}, "S3Url"),
        ({"Format": "CSV"}, "S3Url"),
        ({"S3Url": "s3://bucket/x", "Format": "CSV", "SegmentId": "0" * 32}, "SegmentId"),
    ],
)
def test_bad_json_requests_are_400s_naming_the_field(api: Any, tenant: Any, body: dict[str, Any], field: str) -> None:
    answer = api.post(url(tenant, "imports/"), body, format="json")

    assert answer.status_code == 400, answer.json()
    assert field in answer.json()["errors"], answer.json()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"format": "csv"}, "file"),
        ({"file": ("data.bin", b"x,y\n"), "format": ""}, "format"),
        ({"file": ("data.csv", b"x,y\n"), "format": "parquet"}, "format"),
        ({"file": ("data.csv", b""), "format": "csv"}, "file"),
    ],
)
def test_bad_uploads_are_400s_naming_the_field(api: Any, tenant: Any, data: dict[str, Any], field: str) -> None:
    body = {k: upload(*v) if isinstance(v, tuple) else v for k, v in data.items()}

    answer = api.post(url(tenant, "imports/"), body, format="multipart")

    assert answer.status_code == 400 and field in answer.json()["errors"], answer.json()


def test_another_tenants_segment_in_an_import_is_a_400(api: Any, tenant: Any, other_tenant: Any) -> None:
    theirs = Segment.objects.create(tenant=other_tenant, name="Theirs", kind=Segment.Kind.IMPORT)

    answer = api.post(
        url(tenant, "imports/"),
        {"S3Url": "s3://bucket/x", "Format": "CSV", "SegmentId": theirs.public_id},
        format="json",
    )

    assert answer.status_code == 400 and list(answer.json()["errors"]) == ["SegmentId"]


def test_another_tenants_job_is_not_found(api: Any, tenant: Any, other_tenant: Any) -> None:
    theirs = import_create(tenant=other_tenant, by="tests", format="CSV", s3_url="s3://bucket/x")

    for path in (f"imports/{theirs.pk}/", f"imports/{theirs.pk}/errors/"):
        assert api.get(url(tenant, path)).status_code == 404


def test_a_viewer_reads_imports_but_cannot_start_one(client_for: Any, member_factory: Any, tenant: Any) -> None:
    viewer = client_for(member_factory(tenant, Role.VIEWER))

    assert viewer.get(url(tenant, "imports/")).status_code == 200
    answer = viewer.post(url(tenant, "imports/"), {"S3Url": "s3://bucket/x", "Format": "CSV"}, format="json")
    assert answer.status_code == 403 and not ImportJob.objects.exists()


def _console(tenant: Tenant, role: str) -> Client:
    client = Client()
    client.force_login(MembershipFactory(tenant=tenant, user=UserFactory(), role=role).user)
    return client


def test_the_console_uploads_a_file_and_shows_live_progress(tenant: Any) -> None:
    browser = _console(tenant, Role.MARKETER)
    page = browser.get(f"/t/{tenant.public_id}/audience/imports/")
    assert page.status_code == 200 and b'id="import-form"' in page.content and b"No imports yet" in page.content

    created = browser.post(
        f"/t/{tenant.public_id}/audience/imports/",
        {
            "file": upload("people.csv", GOOD_AND_BAD),
            "format": "",
            "define_segment": "on",
            "segment_name": "",
        },
    )

    job = ImportJob.objects.get(tenant=tenant)
    assert created.status_code == 302 and created["Location"] == f"/t/{tenant.public_id}/audience/imports/{job.pk}/"
    assert (job.format, job.define_segment, job.source) == ("CSV", True, "people.csv")
    running = browser.get(f"/t/{tenant.public_id}/audience/imports/?fragment=jobs", HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 2s"' in running.content and b'role="progressbar"' in running.content
    detail = browser.get(f"/t/{tenant.public_id}/audience/imports/{job.pk}/")
    assert b"?fragment=progress" in detail.content and b"waiting for a worker" in detail.content

    import_run(tenant_id=tenant.pk, job_id=job.pk)

    poll = browser.get(f"/t/{tenant.public_id}/audience/imports/{job.pk}/?fragment=progress", HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true" and b'aria-valuenow="100"' in poll.content
    finished = browser.get(f"/t/{tenant.public_id}/audience/imports/{job.pk}/")
    assert b"Download the error report (CSV)" in finished.content
    assert b"&#x27;broken&#x27; is not a valid email address" in finished.content
    assert b"hx-trigger" not in finished.content
    listing = browser.get(f"/t/{tenant.public_id}/audience/imports/?fragment=jobs", HTTP_HX_REQUEST="true")
    assert b"hx-trigger" not in listing.content and b"1 failed" in listing.content
    report = browser.get(f"/t/{tenant.public_id}/audience/imports/{job.pk}/errors.csv")
    assert b"".join(report.streaming_content).decode().splitlines()[1].startswith("people.csv,3,Address,")


def test_the_console_names_what_is_wrong_with_the_form(tenant: Any) -> None:
    browser = _console(tenant, Role.MARKETER)
    base = f"/t/{tenant.public_id}/audience/imports/"

    neither = browser.post(base, {"format": "CSV"})
    both = browser.post(base, {"file": upload("a.csv", GOOD_AND_BAD), "s3_url": "s3://bucket/x"})
    bad_url = browser.post(base, {"s3_url": "bucket/x", "format": "CSV"})
    no_format = browser.post(base, {"s3_url": "s3://bucket/x"})

    assert neither.status_code == both.status_code == bad_url.status_code == no_format.status_code == 400
    assert b"Choose a file to upload, or give an S3 URL" in neither.content
    assert b"Choose a file to upload, or give an S3 URL" in both.content
    assert b"is not an S3 URL" in bad_url.content
    assert b"say which format the file is in" in no_format.content
    assert not ImportJob.objects.exists()


def test_a_viewer_sees_imports_without_the_form(tenant: Any) -> None:
    browser = _console(tenant, Role.VIEWER)

    page = browser.get(f"/t/{tenant.public_id}/audience/imports/")

    assert page.status_code == 200 and b'id="import-form"' not in page.content
    assert browser.post(f"/t/{tenant.public_id}/audience/imports/", {"s3_url": "s3://bucket/x"}).status_code == 403


def test_the_cli_imports_with_a_progress_line_and_writes_the_error_report(tenant: Any, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_bytes(GOOD_AND_BAD)
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "endpoints",
        "import",
        "--tenant",
        tenant.public_id,
        str(source),
        "--define-segment",
        "CLI people",
        "--errors",
        str(tmp_path / "errors.csv"),
        stdout=out,
        stderr=err,
    )

    text = out.getvalue()
    assert "2 of 3 rows imported" in text and "1 failed" in text
    assert f"Error report: {tmp_path / 'errors.csv'}" in text
    assert "Segment “CLI people”" in text and "2 endpoints" in text
    assert "100.0%" in err.getvalue() and "rows" in err.getvalue()
    assert (tmp_path / "errors.csv").read_text().splitlines()[1].startswith("people.csv,3,Address,")
    assert Endpoint.objects.for_tenant(tenant).count() == 2


def test_the_cli_exports_to_a_local_file(tenant: Any, tmp_path: Path) -> None:
    source = tmp_path / "all.json.gz"
    source.write_bytes(ndjson_gz([{"Id": f"e{i}", "ChannelType": "EMAIL", "Address": f"e{i}@x.io"} for i in range(3)]))
    call_command(
        "endpoints",
        "import",
        "--tenant",
        tenant.public_id,
        str(source),
        "--format",
        "json",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    target = tmp_path / "out.jsonl.gz"
    out = io.StringIO()

    call_command("endpoints", "export", "--tenant", tenant.public_id, str(target), stdout=out, stderr=io.StringIO())

    assert "Exported 3 endpoints" in out.getvalue() and str(target) in out.getvalue()
    assert len(gzip.decompress(target.read_bytes()).splitlines()) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "--tenant", "nope", "x.csv"], "is not a tenant id"),
        (["import", "--tenant", "0" * 32, "x.csv"], "no tenant has the id"),
        (["export", "--tenant", "0" * 32, "out.gz"], "no tenant has the id"),
    ],
)
def test_the_cli_names_an_unknown_tenant(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("endpoints", *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_the_cli_refuses_a_missing_file(tenant: Any) -> None:
    with pytest.raises(CommandError, match="is not a file"):
        call_command("endpoints", "import", "--tenant", tenant.public_id, "/nowhere/x.csv", stdout=io.StringIO())


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_upload_is_imported_by_the_worker(celery_worker: Any) -> None:
    tenant = cast(Tenant, TenantFactory(name="Worker imports"))
    owner = cast(Membership, MembershipFactory(tenant=tenant, user=UserFactory(), role=Role.OWNER))
    api = APIClient()
    api.force_authenticate(owner.user)
    rows = [["EMAIL", f"w{i}@example.com", f"u{i}"] for i in range(2500)] + [["EMAIL", "nope", "u"]]
    content = csv_bytes(["ChannelType", "Address", "User.UserId"], rows)

    answer = api.post(
        url(tenant, "imports/"), {"file": upload("worker.csv", content), "define_segment": "true"}, format="multipart"
    )

    assert answer.status_code == 201, answer.json()
    job_id = answer.json()["Id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = api.get(url(tenant, f"imports/{job_id}/")).json()
        if body["JobStatus"] in ("COMPLETED", "FAILED"):
            break
        time.sleep(0.2)
    assert body["JobStatus"] == "COMPLETED", body
    assert (body["TotalProcessed"], body["Imported"], body["TotalFailures"]) == (2501, 2500, 1)
    assert body["Failures"] == ["worker.csv line 2502: 'nope' is not a valid email address"]
    assert Endpoint.objects.for_tenant(tenant).count() == 2500
    assert Segment.objects.get(tenant=tenant, kind=Segment.Kind.IMPORT).import_size == 2500
    # The worker removes the uploaded file just after it records the job as finished.
    while ImportJob.objects.get(pk=job_id).upload.name and time.monotonic() < deadline + 10:
        time.sleep(0.1)
    assert ImportJob.objects.get(pk=job_id).upload.name == ""
