"""Recorded consent on endpoints: the EngageOptIn extension key in the endpoint API, imports and exports."""

from __future__ import annotations

from typing import Any

import pytest

from engage import clock
from engage.tenancy.models import Tenant
from segments.models import Endpoint, JobStatus
from segments.services.exports import export_create, export_run
from tests.segments.import_support import csv_bytes, ndjson_gz, read_ndjson_gz, run_upload

pytestmark = pytest.mark.django_db


def url(tenant: Tenant, path: str) -> str:
    return f"/api/v1/tenants/{tenant.public_id}/{path}"


def test_the_endpoint_api_records_returns_and_clears_the_opt_in(api: Any, tenant: Tenant) -> None:
    body = {
        "ChannelType": "SMS",
        "Address": "+12065550100",
        "EngageOptIn": {"Date": "2026-11-01T09:30:00+09:00", "Source": "signup-form"},
    }
    r = api.put(url(tenant, "endpoints/phone/"), body, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["EngageOptIn"] == {"Date": "2026-11-01T00:30:00.000Z", "Source": "signup-form"}
    endpoint = Endpoint.objects.get(tenant=tenant, endpoint_id="phone")
    assert endpoint.opt_in_source == "signup-form" and endpoint.opt_in_at.isoformat() == "2026-11-01T00:30:00+00:00"
    r = api.patch(url(tenant, "endpoints/phone/"), {"Attributes": {"Plan": ["pro"]}}, format="json")
    assert r.json()["EngageOptIn"]["Source"] == "signup-form"  # absent keys stay
    r = api.patch(url(tenant, "endpoints/phone/"), {"EngageOptIn": None}, format="json")
    assert "EngageOptIn" not in r.json()
    assert Endpoint.objects.get(tenant=tenant, endpoint_id="phone").opt_in_at is None


def test_an_opt_in_without_a_date_is_recorded_now_and_kept_on_repeats(api: Any, tenant: Tenant) -> None:
    body = {"ChannelType": "EMAIL", "Address": "a@x.test", "EngageOptIn": {"Source": "double-opt-in"}}
    first = api.put(url(tenant, "endpoints/mail/"), body, format="json").json()["EngageOptIn"]
    assert first["Source"] == "double-opt-in" and first["Date"].startswith(clock.now().strftime("%Y-%m-%dT%H"))
    clock.advance(seconds=3600)
    again = api.put(url(tenant, "endpoints/mail/"), body, format="json").json()["EngageOptIn"]
    assert again == first


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"Date": "yesterday"}, "EngageOptIn.Date"),
        ({"Date": "2026-11-01T00:00:00Z", "Channel": "SMS"}, "EngageOptIn"),
        ("2026-11-01", "EngageOptIn"),
        ({"Source": "x" * 256}, "EngageOptIn.Source"),
    ],
)
def test_a_bad_opt_in_is_a_400_naming_the_field(api: Any, tenant: Tenant, value: Any, field: str) -> None:
    body = {"ChannelType": "EMAIL", "Address": "a@x.test", "EngageOptIn": value}
    r = api.put(url(tenant, "endpoints/mail/"), body, format="json")
    assert r.status_code == 400 and field in r.json()["errors"], r.json()
    assert not Endpoint.objects.filter(tenant=tenant).exists()


@pytest.mark.parametrize("fast", [True, False], ids=["postgres-copy", "generic"])
def test_an_export_with_opt_ins_imports_back_equal(tenant: Tenant, other_tenant: Tenant, fast: bool) -> None:
    lines = [
        {
            "Id": "opted",
            "ChannelType": "SMS",
            "Address": "+12065550100",
            "EngageOptIn": {"Date": "2026-10-01T08:00:00.000Z", "Source": "kiosk"},
        },
        {"Id": "plain", "ChannelType": "EMAIL", "Address": "plain@x.test"},
    ]
    job = run_upload(tenant, ndjson_gz(lines), "with-consent.gz", fmt="JSON", fast=fast)
    assert (job.status, job.imported, job.total_failures) == (JobStatus.COMPLETED, 2, 0)
    export = export_create(tenant=tenant, by="tests")
    done = export_run(tenant_id=tenant.pk, job_id=export.pk)
    assert done is not None
    with done.file.open("rb") as handle:
        exported = {line["Id"]: line for line in read_ndjson_gz(handle.read())}
    assert exported["opted"]["EngageOptIn"] == {"Date": "2026-10-01T08:00:00.000Z", "Source": "kiosk"}
    assert "EngageOptIn" not in exported["plain"]  # endpoints without consent keep Pinpoint's exact shape
    back = run_upload(other_tenant, ndjson_gz(list(exported.values())), "back.gz", fmt="JSON", fast=fast)
    assert back.imported == 2
    copy = Endpoint.objects.get(tenant=other_tenant, endpoint_id="opted")
    assert (copy.opt_in_at.isoformat(), copy.opt_in_source) == ("2026-10-01T08:00:00+00:00", "kiosk")


def test_a_csv_import_takes_opt_in_columns(tenant: Tenant) -> None:
    header = ["ChannelType", "Address", "EngageOptIn.Date", "EngageOptIn.Source"]
    rows = [["SMS", "+12065550100", "2026-10-01T08:00:00Z", "paper-form"], ["SMS", "+12065550101", "", ""]]
    job = run_upload(tenant, csv_bytes(header, rows), "consent.csv")
    assert (job.imported, job.total_failures) == (2, 0)
    got = dict(Endpoint.objects.filter(tenant=tenant).values_list("address", "opt_in_source"))
    assert got == {"+12065550100": "paper-form", "+12065550101": ""}
