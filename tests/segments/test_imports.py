"""Bulk import (the service the worker and the CLI run): formats, bad rows, idempotence, imported segments."""

from __future__ import annotations

import gzip
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from engage import clock
from segments.models import Endpoint, ImportedMember, ImportFailure, ImportJob, JobStatus, Segment
from segments.services.imports.create import import_create
from segments.services.imports.formats import derived_id
from segments.services.imports.runner import import_run
from segments.services.jobs import job_claim
from tests.segments.import_support import csv_bytes, documents, failures, ndjson_gz, run_upload

pytestmark = pytest.mark.django_db

HEADER = [
    "ChannelType",
    "Address",
    "User.UserId",
    "User.UserAttributes.age",
    "Attributes.Interests",
    "Attributes.Interests",
    "Metrics.visits",
    "Demographic.Platform",
    "Location.Country",
    "Location.Latitude",
]


def test_it_imports_a_csv_with_dotted_headers_repeated_columns_and_numbers(tenant: Any) -> None:
    content = csv_bytes(
        HEADER,
        [
            ["EMAIL", "kim@example.com", "u1", "34", "golf", "tennis", "12", "ios", "KR", "37.5665"],
            ["SMS", "+821012345678", "u2", "", "jazz", "", "3.5", "", "", ""],
        ],
    )

    job = run_upload(tenant, content, "audience.csv")

    assert (job.status, job.imported, job.total_processed, job.total_failures) == (JobStatus.COMPLETED, 2, 2, 0)
    assert (job.total_pieces, job.completed_pieces, job.processed_bytes, job.progress_percent) == (
        1,
        1,
        len(content),
        100,
    )
    docs = documents(tenant)
    kim = docs[derived_id("EMAIL", "kim@example.com")]
    assert kim["Attributes"] == {"Interests": ["golf", "tennis"]}
    assert kim["User"] == {"UserId": "u1", "UserAttributes": {"age": ["34"]}}
    assert kim["Metrics"] == {"visits": 12}
    assert kim["Demographic"] == {"Platform": "ios"}
    assert kim["Location"] == {"Country": "KR", "Latitude": 37.6}
    sms = docs[derived_id("SMS", "+821012345678")]
    assert sms["Attributes"] == {"Interests": ["jazz"]} and sms["Metrics"] == {"visits": 3.5}
    assert "Demographic" not in sms and sms["User"] == {"UserId": "u2"}
    assert sms["RequestId"] == f"import-{job.pk}"


def test_an_id_column_updates_existing_endpoints_like_update_endpoint(tenant: Any) -> None:
    run_upload(
        tenant,
        csv_bytes(
            ["Id", "ChannelType", "Address", "Attributes.Plan", "Attributes.Tier"],
            [["e1", "EMAIL", "a@example.com", "free", "gold"]],
        ),
        "first.csv",
    )

    job = run_upload(tenant, csv_bytes(["Id", "Attributes.Plan", "Metrics.spend"], [["e1", "pro", "9.5"]]), "u.csv")

    assert job.imported == 1
    doc = documents(tenant)["e1"]
    assert doc["Attributes"] == {"Plan": ["pro"], "Tier": ["gold"]}
    assert doc["Address"] == "a@example.com" and doc["Metrics"] == {"spend": 9.5}


def test_a_new_endpoint_needs_channel_type_and_address(tenant: Any) -> None:
    content = csv_bytes(["Id", "ChannelType", "Address"], [["fresh", "EMAIL", ""], ["", "EMAIL", ""]])

    job = run_upload(tenant, content, "incomplete.csv")

    assert job.imported == 0
    assert failures(job) == [
        (2, "Address", "a new endpoint needs ChannelType and Address"),
        (3, "Address", "a new endpoint needs ChannelType and Address; to update an endpoint, give its Id"),
    ]


def test_json_lines_may_be_gzipped_nested_or_dotted(tenant: Any) -> None:
    lines = [
        {"Id": "a", "ChannelType": "GCM", "Address": "token-a", "Attributes": {"Team": "red"}},
        {
            "Id": "b",
            "ChannelType": "EMAIL",
            "Address": "b@example.com",
            "User.UserId": "ub",
            "Attributes.Colors": ["blue", "green"],
        },
    ]

    job = run_upload(tenant, ndjson_gz(lines), "export.bin", fmt="json")  # gzip is known by its magic bytes

    assert job.imported == 2, failures(job)
    docs = documents(tenant)
    assert docs["a"]["Attributes"] == {"Team": ["red"]}
    assert docs["b"]["User"] == {"UserId": "ub"} and docs["b"]["Attributes"] == {"Colors": ["blue", "green"]}


def test_every_bad_row_is_reported_with_its_line_and_reason_and_the_rest_is_imported(tenant: Any) -> None:
    rows = [
        ["EMAIL", "ok1@example.com", "5"],
        ["EMAIL", "not-an-email", "5"],
        ["PIGEON", "coo@example.com", "5"],
        ["SMS", "010-1234", "5"],
        ["EMAIL", "ok2@example.com", "five"],
        ["EMAIL", "short-row@example.com"],
        ["EMAIL", "ok3@example.com", "7"],
    ]
    job = run_upload(tenant, csv_bytes(["ChannelType", "Address", "Metrics.visits"], rows), "mixed.csv")

    assert (job.status, job.imported, job.total_failures, job.total_processed) == ("COMPLETED", 2, 5, 7)
    assert [(line, field) for line, field, _ in failures(job)] == [
        (3, "Address"),
        (4, "ChannelType"),
        (5, "Address"),
        (6, "Metrics.visits"),
        (7, ""),
    ]
    reasons = {line: reason for line, _, reason in failures(job)}
    assert "not a valid email address" in reasons[3]
    assert "ChannelType must be one of" in reasons[4]
    assert "E.164" in reasons[5]
    assert reasons[6] == "Metrics.visits must be a number, not 'five'"
    assert reasons[7] == "the row has 2 values but the header has 3 columns"
    raw = ImportFailure.objects.get(job=job, line=3)
    assert (raw.file, raw.raw) == ("mixed.csv", "EMAIL,not-an-email,5")
    assert Endpoint.objects.for_tenant(tenant).count() == 2


def test_a_line_that_is_not_utf8_or_not_json_is_a_row_failure(tenant: Any) -> None:
    content = b'{"Id":"x","ChannelType":"EMAIL","Address":"x@example.com"}\n' + b'{"Id":"\xff"}\n' + b"[1, 2]\n{oops\n"

    job = run_upload(tenant, content, "lines.jsonl")

    assert job.imported == 1
    assert [(line, reason[:41]) for line, _, reason in failures(job)] == [
        (2, "the line is not UTF-8 text; save the file"),
        (3, "each line must be one JSON object (an end"),
        (4, "the line is not valid JSON (Expecting pro"),
    ]


def test_a_row_the_database_refuses_is_isolated_and_reported(tenant: Any) -> None:
    lines = [{"Id": f"e{i}", "ChannelType": "EMAIL", "Address": f"e{i}@example.com"} for i in range(9)]
    lines[4]["Attributes"] = {"Note": ["nul \u0000 inside"]}  # PostgreSQL text cannot hold NUL
    lines[7]["Attributes"] = {"Note": ["half a surrogate pair: \ud800"]}  # not encodable as UTF-8

    job = run_upload(tenant, ndjson_gz(lines), "nul.json.gz")

    assert job.imported == 7 and job.total_processed == 9
    assert [(line, reason[:28]) for line, _, reason in failures(job)] == [
        (5, "the database refused the row"),
        (8, "the database refused the row"),
    ]
    assert not Endpoint.objects.filter(tenant=tenant, endpoint_id__in=["e4", "e7"]).exists()


def test_an_unusable_header_fails_the_file_with_a_reason(tenant: Any) -> None:
    job = run_upload(tenant, csv_bytes(["ChannelType", "Adress"], [["EMAIL", "a@example.com"]]), "typo.csv")

    assert job.status == JobStatus.FAILED and job.failed_pieces == 1
    [(line, _, reason)] = failures(job)
    assert line == 1 and "'Adress' is not an endpoint field" in reason
    assert "No file could be read" in job.message


def test_reimporting_the_same_file_changes_nothing(tenant: Any) -> None:
    rows = [["EMAIL", f"p{i}@example.com", f"u{i}", "", "golf", "chess", str(i), "web", "US", ""] for i in range(40)]
    content = csv_bytes(HEADER, rows)
    first = run_upload(tenant, content, "vip.csv", define_segment=True, chunk_rows=16)
    before = documents(tenant)
    segment = Segment.objects.get(tenant=tenant, kind=Segment.Kind.IMPORT)
    members = set(ImportedMember.objects.filter(segment=segment).values_list("endpoint_id", flat=True))
    clock.advance(seconds=3600)

    second = run_upload(tenant, content, "vip.csv", define_segment=True, chunk_rows=16)

    assert (first.imported, second.imported) == (40, 40)
    assert documents(tenant) == before  # not even EffectiveDate moves: nothing changed
    assert list(Segment.objects.filter(tenant=tenant, kind=Segment.Kind.IMPORT)) == [segment]
    assert set(ImportedMember.objects.filter(segment=segment).values_list("endpoint_id", flat=True)) == members
    assert ImportedMember.objects.filter(segment=segment).count() == 40
    segment.refresh_from_db()
    assert (segment.import_size, segment.version, segment.channel_counts) == (40, 1, {"EMAIL": 40})


def test_define_segment_makes_an_imported_segment_of_the_file_rows(tenant: Any) -> None:
    Endpoint.objects.filter(tenant=tenant).delete()
    other = csv_bytes(["Id", "ChannelType", "Address"], [["outsider", "EMAIL", "out@example.com"]])
    run_upload(tenant, other, "others.csv")
    content = csv_bytes(["Id", "ChannelType", "Address"], [[f"m{i}", "EMAIL", f"m{i}@example.com"] for i in range(5)])

    job = run_upload(tenant, content, "Newsletter.csv", define_segment=True)

    segment = job.segment
    assert segment is not None and (segment.name, segment.kind) == ("Newsletter", Segment.Kind.IMPORT)
    assert (segment.import_format, segment.import_source, segment.import_size) == ("CSV", "Newsletter.csv", 5)
    member_ids = set(
        Endpoint.objects.filter(
            pk__in=ImportedMember.objects.filter(segment=segment).values("endpoint_id")
        ).values_list("endpoint_id", flat=True)
    )
    assert member_ids == {f"m{i}" for i in range(5)}

    smaller = csv_bytes(["Id", "ChannelType", "Address"], [[f"m{i}", "EMAIL", f"m{i}@example.com"] for i in range(3)])
    run_upload(tenant, smaller, "Newsletter.csv", define_segment=True)

    segment.refresh_from_db()
    assert (segment.import_size, segment.version) == (3, 2)
    assert ImportedMember.objects.filter(segment=segment).count() == 3


def test_user_rows_add_the_users_endpoints_to_the_segment(tenant: Any) -> None:
    run_upload(
        tenant,
        csv_bytes(
            ["Id", "ChannelType", "Address", "User.UserId"],
            [
                ["phone", "SMS", "+15555550100", "alice"],
                ["mail", "EMAIL", "alice@example.com", "alice"],
                ["bob", "EMAIL", "bob@example.com", "bob"],
            ],
        ),
        "people.csv",
    )

    job = run_upload(tenant, csv_bytes(["User.UserId"], [["alice"], ["nobody"]]), "users.csv", define_segment=True)

    assert job.imported == 1
    assert failures(job) == [
        (3, "User.UserId", "no endpoint has the user id 'nobody'; import the user's endpoints first")
    ]
    assert job.segment is not None and job.segment.import_size == 2


def test_a_second_run_leaves_a_live_job_alone_and_takes_over_a_stale_one(tenant: Any) -> None:
    job = import_create(tenant=tenant, by="tests", format="CSV", s3_url="s3://bucket/prefix")
    assert job_claim(ImportJob, tenant_id=tenant.pk, job_id=job.pk, token="a" * 32) is not None

    assert import_run(tenant_id=tenant.pk, job_id=job.pk) is None
    clock.advance(seconds=600)
    assert job_claim(ImportJob, tenant_id=tenant.pk, job_id=job.pk, token="b" * 32) is not None
    assert ImportJob.objects.get(pk=job.pk).claim == "b" * 32


def test_it_only_claims_jobs_of_the_tenant_it_is_given(tenant: Any, other_tenant: Any) -> None:
    job = import_create(tenant=tenant, by="tests", format="CSV", s3_url="s3://bucket/prefix")

    assert import_run(tenant_id=other_tenant.pk, job_id=job.pk) is None
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.CREATED


def test_a_job_whose_upload_is_gone_fails_with_a_reason(tenant: Any) -> None:
    upload = SimpleUploadedFile("gone.csv", b"ChannelType,Address\nEMAIL,a@example.com\n")
    job = import_create(tenant=tenant, by="tests", format="CSV", upload=upload)
    job.upload.delete(save=False)

    done = import_run(tenant_id=tenant.pk, job_id=job.pk)

    assert done is not None and done.status == JobStatus.FAILED
    assert done.message == "the file gone.csv is gone (was it deleted?): upload it again"


def test_the_upload_is_deleted_once_the_job_is_done(tenant: Any) -> None:
    job = run_upload(tenant, csv_bytes(["ChannelType", "Address"], [["EMAIL", "z@example.com"]]), "z.csv")

    assert job.upload.name == ""
    assert job.started_at is not None and job.completed_at is not None and job.completed_at >= job.started_at


@pytest.mark.parametrize("broken_every", [100])
def test_a_100k_row_csv_with_1_percent_broken_rows_imports_the_good_ones(tenant: Any, broken_every: int) -> None:
    kinds = [
        (["EMAIL", "broken-address", "u", "1", "web"], "Address", "not a valid email address"),
        (["FAX", "x@example.com", "u", "1", "web"], "ChannelType", "ChannelType must be one of"),
        (["EMAIL", "y@example.com", "u", "lots", "web"], "Metrics.visits", "must be a number"),
        (["SMS", "12345", "u", "1", "web"], "Address", "E.164"),
        (["EMAIL", "z@example.com", "u", "1"], "", "the row has 4 values but the header has 5 columns"),
    ]
    rows, expected = [], {}
    for i in range(100_000):
        if i % broken_every == broken_every - 1:
            cells, field, reason = kinds[(i // broken_every) % len(kinds)]
            rows.append(cells)
            expected[i + 2] = (field, reason)
        else:
            rows.append(["EMAIL", f"person{i}@example.com", f"user{i}", str(i % 50), "ios"])
    content = gzip.compress(
        csv_bytes(["ChannelType", "Address", "User.UserId", "Metrics.visits", "Demographic.Platform"], rows)
    )
    started = time.monotonic()

    job = run_upload(tenant, content, "big.csv.gz")

    assert time.monotonic() - started < 60
    assert (job.status, job.total_processed, job.imported, job.total_failures) == ("COMPLETED", 100_000, 99_000, 1000)
    reported = {line: (field, reason) for line, field, reason in failures(job)}
    assert set(reported) == set(expected)
    for line, (field, reason) in expected.items():
        assert reported[line][0] == field and reason in reported[line][1], (line, reported[line])
    assert Endpoint.objects.for_tenant(tenant).count() == 99_000
    assert not Endpoint.objects.for_tenant(tenant).filter(address__in=["broken-address", "12345"]).exists()
    assert not Endpoint.objects.for_tenant(tenant).filter(channel_type="").exists()
