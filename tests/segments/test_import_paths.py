"""The PostgreSQL fast path of imports and the generic path (endpoints_upsert, what SQLite runs) agree exactly."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engage.tenancy.models import Tenant
from segments.models import AttributeName, Endpoint, ImportedMember
from segments.services.attributes import attribute_names_forget
from segments.services.endpoints import endpoints_upsert
from segments.services.imports.formats import derived_id
from tests.factories import TenantFactory
from tests.segments.import_support import csv_bytes, documents, failures, run_upload

pytestmark = pytest.mark.django_db

BIG = ["x" * 100] * 50  # 5 KB of attribute values: four of them pass the 15 KB endpoint limit


def _seed(tenant: Tenant) -> None:
    """The same starting audience in each tenant: endpoints to update, users at their cap, names near 250."""
    items: list[tuple[str, Any]] = [
        (
            "existing",
            {
                "ChannelType": "EMAIL",
                "Address": "old@example.com",
                "Attributes": {"Plan": ["free"], "Tier": ["gold"]},
                "Metrics": {"visits": 1},
            },
        ),
    ]
    items += [
        (
            f"push{i}",
            {
                "ChannelType": "GCM",
                "Address": f"token{i}",
                "User": {"UserId": "pushy"},
                "EffectiveDate": f"2026-01-{i + 1:02d}T00:00:00Z",
            },
        )
        for i in range(15)
    ]
    items += [
        (f"mail{i}", {"ChannelType": "EMAIL", "Address": f"c{i}@example.com", "User": {"UserId": "capped"}})
        for i in range(15)
    ]
    assert all(r.ok for r in endpoints_upsert(tenant=tenant, items=items, trusted=True))
    AttributeName.objects.bulk_create(
        [AttributeName(tenant=tenant, kind="attribute", name=f"filler{i}") for i in range(250 - 14)]
    )
    attribute_names_forget(tenant=tenant)


JSON_LINES: list[dict[str, Any]] = [
    {"Id": "existing", "Attributes": {"Plan": ["pro"], "Tier": []}, "Metrics": {"spend": 2.5}},
    {
        "Id": "full",
        "ChannelType": "SMS",
        "Address": "+15555550123",
        "EndpointStatus": "ACTIVE",
        "OptOut": "ALL",
        "Attributes": {"Interests": ["golf", "jazz"]},
        "Metrics": {"visits": 3},
        "RequestId": "req-1",
        "Demographic": {
            "AppVersion": "1.2",
            "Locale": "en_US",
            "Make": "Apple",
            "Model": "iPhone",
            "ModelVersion": "15",
            "Platform": "ios",
            "PlatformVersion": "17.1",
            "Timezone": "America/Los_Angeles",
        },
        "Location": {
            "City": "Seattle",
            "Country": "US",
            "Latitude": 47.61,
            "Longitude": -122.33,
            "PostalCode": "98101",
            "Region": "WA",
        },
        "User": {"UserId": "u-full", "UserAttributes": {"Name": ["Lee"]}},
        "CohortId": "7",
        "CreationDate": "2025-05-05T05:05:05.000Z",
        "EffectiveDate": "2025-06-06T06:06:06.000Z",
    },
    {"Id": "dup", "ChannelType": "EMAIL", "Address": "dup@example.com", "Attributes": {"Step": ["one"]}},
    {"Id": "dup", "Attributes": {"Step": ["two"], "Extra": ["x"]}},
    {"Id": "push-new", "ChannelType": "APNS", "Address": "token-new", "User": {"UserId": "pushy"}},
    {"Id": "mail-new", "ChannelType": "EMAIL", "Address": "c15@example.com", "User": {"UserId": "capped"}},
    {"Id": "existing", "Address": "not-an-email"},
    {
        "Id": "huge",
        "ChannelType": "EMAIL",
        "Address": "huge@example.com",
        "Attributes": {"a": BIG, "b": BIG, "c": BIG, "d": BIG},
    },
    {"Id": "names1", "ChannelType": "EMAIL", "Address": "n1@example.com", "Attributes": {"New1": ["v"], "New2": ["v"]}},
    {"Id": "names2", "ChannelType": "EMAIL", "Address": "n2@example.com", "Attributes": {"New3": ["v"], "New4": ["v"]}},
    {"Id": "names3", "ChannelType": "EMAIL", "Address": "n3@example.com", "Metrics": {"new5": 1, "new6": 2}},
    {"Id": "lost", "Attributes": {"Plan": ["orphan"]}},
    {"ChannelType": "VOICE", "Address": "+15555550199", "Attributes": {"Interests": ["chess"]}},
]

CSV_HEADER = [
    "Id",
    "ChannelType",
    "Address",
    "User.UserId",
    "Attributes.Interests",
    "Attributes.Interests",
    "Metrics.visits",
    "Location.Latitude",
    "Demographic.Timezone",
]
CSV_ROWS = [
    ["", "EMAIL", "a@example.com", "ua", "golf", "tennis", "1", "", ""],
    ["full", "", "", "", "cooking", "", "9", "", ""],
    ["", "EMAIL", "b@example.com", "ub", "", "", "x", "", ""],
    ["", "SMS", "+15555550124", "", "", "", "", "91", ""],
    ["", "EMAIL", "c@example.com", "", "", "", "", "", "Mars/Base"],
    ["", "EMAIL", "a@example.com", "ua", "golf", "", "2", "12.34", "Asia/Seoul"],
    ["dup", "GCM", "", "", "", "", "", "", ""],
]


def _import_all(tenant: Tenant, *, fast: bool) -> tuple[Any, Any]:
    lines = "".join(json.dumps(line) + "\n" for line in JSON_LINES).encode()
    first = run_upload(tenant, lines, "audience.jsonl", fast=fast, chunk_rows=4, define_segment=True)
    second = run_upload(
        tenant, csv_bytes(CSV_HEADER, CSV_ROWS), "audience.csv", fast=fast, chunk_rows=3, define_segment=True
    )
    return first, second


def _members(tenant: Tenant) -> set[str]:
    ids = ImportedMember.objects.filter(segment__tenant=tenant).values("endpoint_id")
    return set(Endpoint.objects.filter(pk__in=ids).values_list("endpoint_id", flat=True))


def test_the_fast_path_and_the_generic_path_give_the_same_endpoints_and_failures() -> None:
    fast_tenant, generic_tenant = TenantFactory(name="Fast"), TenantFactory(name="Generic")
    _seed(fast_tenant)
    _seed(generic_tenant)

    fast_jobs = _import_all(fast_tenant, fast=True)
    generic_jobs = _import_all(generic_tenant, fast=False)

    volatile = ("EffectiveDate", "CreationDate", "RequestId")
    fast_docs, generic_docs = documents(fast_tenant, drop=volatile), documents(generic_tenant, drop=volatile)
    assert fast_docs == generic_docs
    for fast_job, generic_job in zip(fast_jobs, generic_jobs, strict=True):
        assert failures(fast_job) == failures(generic_job)
        assert (fast_job.imported, fast_job.total_failures) == (generic_job.imported, generic_job.total_failures)
    assert _members(fast_tenant) == _members(generic_tenant)
    for tenant in (fast_tenant, generic_tenant):
        docs = documents(tenant)
        assert docs["full"]["CreationDate"] == "2025-05-05T05:05:05.000Z"  # the CSV updated it: a new EffectiveDate
        assert docs["push3"]["EffectiveDate"] == "2026-01-04T00:00:00.000Z"

    # What the fixture exercises, so that agreeing is not agreeing on nothing:
    reasons = {reason for _, _, reason in failures(fast_jobs[0]) + failures(fast_jobs[1])}
    assert any("too many custom attributes" in r for r in reasons)
    assert "Exceeded maximum endpoint per user count 15" in reasons
    assert "the endpoint is larger than 15 KB" in reasons
    assert "'not-an-email' is not a valid email address" in reasons
    assert "a new endpoint needs ChannelType and Address" in reasons
    assert "Metrics.visits must be a number, not 'x'" in reasons
    assert fast_docs["existing"]["Attributes"] == {"Plan": ["pro"]}
    assert fast_docs["existing"]["Metrics"] == {"visits": 1, "spend": 2.5}
    assert fast_docs["dup"]["Attributes"] == {"Step": ["two"], "Extra": ["x"]}
    assert fast_docs["full"]["Attributes"] == {"Interests": ["cooking"]} and fast_docs["full"]["Metrics"] == {
        "visits": 9
    }
    assert fast_docs[derived_id("EMAIL", "a@example.com")]["Location"] == {"Latitude": 12.3}
    assert fast_docs["push0"]["EndpointStatus"] == "INACTIVE" and fast_docs["push1"]["EndpointStatus"] == "ACTIVE"
    assert "mail-new" not in fast_docs and "huge" not in fast_docs and "lost" not in fast_docs
