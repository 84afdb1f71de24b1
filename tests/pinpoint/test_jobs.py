"""Import and export jobs through boto3, run by the segments job runners against S3 (moto)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from engage.tenancy.models import ApiKey, Tenant
from segments.models import Segment
from segments.services.exports import export_run
from segments.services.imports.runner import import_run
from tests.pinpoint.conftest import Client, ClientMaker, KeyMaker, error_of
from tests.segments.import_support import csv_bytes

ROLE = "arn:aws:iam::123456789012:role/pinpoint-import"
ROWS = csv_bytes(
    ["ChannelType", "Address", "User.UserId"],
    [["EMAIL", "a@example.com", "a"], ["EMAIL", "broken", "b"], ["SMS", "+14155550100", "c"]],
)


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="audience")
        client.put_object(Bucket="audience", Key="daily/part-1.csv", Body=ROWS)
        yield client


def test_it_runs_an_import_job_and_reports_it(pinpoint: Client, acme: Tenant, s3: Any) -> None:
    request = {
        "S3Url": "s3://audience/daily/",
        "RoleArn": ROLE,
        "Format": "CSV",
        "DefineSegment": True,
        "SegmentName": "Daily",
    }
    created = pinpoint.create_import_job(ApplicationId=acme.public_id, ImportJobRequest=request)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    job = created["ImportJobResponse"]
    assert (job["Type"], job["JobStatus"], job["ApplicationId"]) == ("IMPORT", "CREATED", acme.public_id)
    assert job["Definition"]["S3Url"] == "s3://audience/daily/" and job["Definition"]["Format"] == "CSV"
    import_run(tenant_id=acme.pk, job_id=int(job["Id"]))
    done = pinpoint.get_import_job(ApplicationId=acme.public_id, JobId=job["Id"])["ImportJobResponse"]
    assert (done["JobStatus"], done["TotalProcessed"], done["TotalFailures"]) == ("COMPLETED", 3, 1)
    assert done["Failures"] == ["s3://audience/daily/part-1.csv line 3: 'broken' is not a valid email address"]
    assert done["CompletionDate"].endswith("Z")
    segment = Segment.objects.get(tenant=acme, name="Daily")
    assert done["Definition"]["SegmentId"] == segment.public_id
    listed = pinpoint.get_import_jobs(ApplicationId=acme.public_id)["ImportJobsResponse"]["Item"]
    assert [j["Id"] for j in listed] == [job["Id"]]
    by_segment = pinpoint.get_segment_import_jobs(ApplicationId=acme.public_id, SegmentId=segment.public_id)
    assert [j["Id"] for j in by_segment["ImportJobsResponse"]["Item"]] == [job["Id"]]
    imported = pinpoint.get_segment(ApplicationId=acme.public_id, SegmentId=segment.public_id)["SegmentResponse"]
    assert imported["SegmentType"] == "IMPORT" and imported["ImportDefinition"]["Size"] == 2
    versions = pinpoint.get_segment_versions(ApplicationId=acme.public_id, SegmentId=segment.public_id)
    assert [v["Version"] for v in versions["SegmentsResponse"]["Item"]] == [imported["Version"]]


def test_it_runs_an_export_job_to_s3(pinpoint: Client, acme: Tenant, s3: Any) -> None:
    items = [{"Id": f"ep{i}", "ChannelType": "EMAIL", "Address": f"u{i}@example.com"} for i in range(3)]
    pinpoint.update_endpoints_batch(ApplicationId=acme.public_id, EndpointBatchRequest={"Item": items})
    segment = pinpoint.create_segment(ApplicationId=acme.public_id, WriteSegmentRequest={"Name": "All"})
    segment_id = segment["SegmentResponse"]["Id"]
    request = {"S3UrlPrefix": "s3://audience/exports/", "RoleArn": ROLE, "SegmentId": segment_id, "SegmentVersion": 1}
    created = pinpoint.create_export_job(ApplicationId=acme.public_id, ExportJobRequest=request)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    job = created["ExportJobResponse"]
    assert (job["Type"], job["JobStatus"], job["Definition"]["SegmentId"]) == ("EXPORT", "CREATED", segment_id)
    export_run(tenant_id=acme.pk, job_id=int(job["Id"]))
    done = pinpoint.get_export_job(ApplicationId=acme.public_id, JobId=job["Id"])["ExportJobResponse"]
    assert (done["JobStatus"], done["TotalProcessed"]) == ("COMPLETED", 3)
    body = s3.get_object(Bucket="audience", Key=f"exports/export-{job['Id']}.jsonl.gz")["Body"].read()
    lines = [json.loads(line) for line in gzip.decompress(body).splitlines()]
    assert sorted(line["Id"] for line in lines) == ["ep0", "ep1", "ep2"]
    listed = pinpoint.get_export_jobs(ApplicationId=acme.public_id, PageSize="5")["ExportJobsResponse"]["Item"]
    assert [j["Id"] for j in listed] == [job["Id"]]
    by_segment = pinpoint.get_segment_export_jobs(ApplicationId=acme.public_id, SegmentId=segment_id)
    assert [j["Id"] for j in by_segment["ExportJobsResponse"]["Item"]] == [job["Id"]]


def test_it_refuses_bad_job_requests(
    pinpoint: Client, acme: Tenant, globex: Tenant, client_for: ClientMaker, make_key: KeyMaker
) -> None:
    bad_url = error_of(
        lambda: pinpoint.create_import_job(
            ApplicationId=acme.public_id, ImportJobRequest={"S3Url": "https://x", "RoleArn": ROLE, "Format": "CSV"}
        )
    )
    assert bad_url[0] == "BadRequestException" and bad_url[1].startswith("S3Url: ")
    bad_format = error_of(
        lambda: pinpoint.create_import_job(
            ApplicationId=acme.public_id, ImportJobRequest={"S3Url": "s3://b/x", "RoleArn": ROLE, "Format": "XML"}
        )
    )
    assert bad_format[0] == "BadRequestException" and "Format" in bad_format[1]
    theirs = Segment.objects.create(tenant=globex, name="theirs", kind=Segment.Kind.IMPORT)
    foreign = error_of(
        lambda: pinpoint.create_export_job(
            ApplicationId=acme.public_id,
            ExportJobRequest={"S3UrlPrefix": "s3://b/x/", "RoleArn": ROLE, "SegmentId": theirs.public_id},
        )
    )
    assert foreign[0] == "BadRequestException" and foreign[1].startswith("SegmentId: ")
    for job_id in ("12345", "nope"):
        missing = error_of(lambda job_id=job_id: pinpoint.get_import_job(ApplicationId=acme.public_id, JobId=job_id))
        assert missing[::2] == ("NotFoundException", 404)
    ingest = client_for(make_key(acme, ApiKey.Role.INGEST))
    denied = error_of(
        lambda: ingest.create_export_job(
            ApplicationId=acme.public_id, ExportJobRequest={"S3UrlPrefix": "s3://b/x/", "RoleArn": ROLE}
        )
    )
    assert denied[::2] == ("ForbiddenException", 403)
