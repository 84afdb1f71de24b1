"""REST API of the suppression list, consent policies and the soft-bounce rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from engage.tenancy.models import AuditLog, Membership, Role, Tenant
from segments.models import ConsentPolicy, SuppressedAddress
from segments.services.suppression import suppression_add

pytestmark = pytest.mark.django_db


def url(tenant: Tenant, path: str) -> str:
    return f"/api/v1/tenants/{tenant.public_id}/{path}"


def test_it_adds_lists_reads_and_removes_addresses(api: APIClient, tenant: Tenant, owner: Membership) -> None:
    r = api.post(url(tenant, "suppressions/"), {"address": "Jane@Example.com", "note": "asked by phone"}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert {k: body[k] for k in ("address", "reason", "channel", "source", "note", "created_by")} == {
        "address": "jane@example.com",
        "reason": "MANUAL",
        "channel": "",
        "source": "api",
        "note": "asked by phone",
        "created_by": "owner@acme.test",
    }
    again = api.post(
        url(tenant, "suppressions/"), {"address": "JANE@example.com", "reason": "COMPLAINT"}, format="json"
    )
    assert again.status_code == 200 and again.json()["id"] == body["id"] and again.json()["reason"] == "MANUAL"
    assert api.get(url(tenant, f"suppressions/{body['id']}/")).json()["address"] == "jane@example.com"
    assert api.get(url(tenant, "suppressions/Jane@Example.com/")).json()["id"] == body["id"]
    assert api.delete(url(tenant, "suppressions/JANE@EXAMPLE.COM/")).status_code == 204
    assert api.delete(url(tenant, "suppressions/jane@example.com/")).status_code == 404
    actions = list(AuditLog.objects.filter(tenant=tenant).order_by("id").values_list("action", "actor_label"))
    assert actions == [("suppression.add", "owner@acme.test"), ("suppression.remove", "owner@acme.test")]


def test_it_removes_one_row_by_id_or_one_channel_of_an_address(api: APIClient, tenant: Tenant) -> None:
    sms, _ = suppression_add(tenant=tenant, address="+12065550100", channel="SMS", by="tests")
    suppression_add(tenant=tenant, address="+12065550100", channel="VOICE", by="tests")
    suppression_add(tenant=tenant, address="+12065550100", by="tests")
    assert api.delete(url(tenant, f"suppressions/{sms.pk}/")).status_code == 204
    assert api.delete(url(tenant, "suppressions/+12065550100/?channel=VOICE")).status_code == 204
    assert list(SuppressedAddress.objects.filter(tenant=tenant).values_list("channel", flat=True)) == [""]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"address": "2065550100", "channel": "SMS"}, "address"),
        ({"address": "a@x.test", "channel": "FAX"}, "channel"),
        ({"address": "a@x.test", "reason": "BORED"}, "reason"),
        ({"reason": "MANUAL"}, "address"),
    ],
)
def test_a_bad_address_channel_or_reason_is_a_400_naming_it(
    api: APIClient, tenant: Tenant, body: dict[str, str], field: str
) -> None:
    r = api.post(url(tenant, "suppressions/"), body, format="json")
    assert r.status_code == 400 and field in r.json()["errors"], r.json()
    assert not SuppressedAddress.objects.exists()


def test_the_list_searches_filters_and_pages_by_cursor(api: APIClient, tenant: Tenant) -> None:
    for i in range(5):
        suppression_add(tenant=tenant, address=f"user{i}@x.test", reason="HARD_BOUNCE", by="tests")
    suppression_add(tenant=tenant, address="+12065550100", reason="SMS_STOP", channel="SMS", by="tests")
    first = api.get(url(tenant, "suppressions/?page_size=4")).json()
    assert first["results"][0]["address"] == "+12065550100" and len(first["results"]) == 4
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    search = api.get(url(tenant, "suppressions/?q=USER1")).json()["results"]
    assert [r["address"] for r in search] == ["user1@x.test"]
    assert [r["address"] for r in api.get(url(tenant, "suppressions/?reason=SMS_STOP")).json()["results"]] == [
        "+12065550100"
    ]
    assert len(api.get(url(tenant, "suppressions/?channel=ANY")).json()["results"]) == 5


def test_it_imports_a_csv_upload_and_reports_bad_lines(api: APIClient, tenant: Tenant) -> None:
    upload = SimpleUploadedFile("list.csv", b"address,reason\na@x.test,COMPLAINT\nnope,\nb@x.test,\n", "text/csv")
    r = api.post(url(tenant, "suppressions/import/"), {"file": upload}, format="multipart")
    assert r.status_code == 200, r.json()
    report = r.json()
    assert {k: report[k] for k in ("rows", "added", "existing", "error_count")} == {
        "rows": 3,
        "added": 2,
        "existing": 0,
        "error_count": 1,
    }
    assert report["errors"][0]["line"] == 3 and "neither an email address" in report["errors"][0]["message"]
    missing = api.post(url(tenant, "suppressions/import/"), {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()["errors"]


def test_an_analyst_exports_the_list_as_csv_and_a_viewer_may_not(
    tenant: Tenant, member_factory: Callable[..., Membership], client_for: Callable[[Membership], APIClient]
) -> None:
    suppression_add(tenant=tenant, address="a@x.test", reason="COMPLAINT", by="tests")
    analyst = client_for(member_factory(tenant, Role.ANALYST))
    r = analyst.get(url(tenant, "suppressions/export/"))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = b"".join(r.streaming_content).decode()
    assert text.splitlines()[1].startswith("a@x.test,COMPLAINT,,manual,")
    assert AuditLog.objects.filter(tenant=tenant, action="suppression.export").count() == 1
    viewer = client_for(member_factory(tenant, Role.VIEWER))
    assert viewer.get(url(tenant, "suppressions/export/")).status_code == 403
    assert viewer.get(url(tenant, "suppressions/")).status_code == 200
    assert viewer.post(url(tenant, "suppressions/"), {"address": "b@x.test"}, format="json").status_code == 403
    assert analyst.delete(url(tenant, "suppressions/a@x.test/")).status_code == 403


def test_consent_policies_list_every_channel_and_update_one(api: APIClient, tenant: Tenant) -> None:
    listing = api.get(url(tenant, "consent-policies/")).json()
    assert [p["channel"] for p in listing] == ["EMAIL", "SMS", "VOICE", "PUSH", "INAPP", "ALIMTALK", "CUSTOM"]
    assert {p["require_opt_in"] for p in listing} == {False}
    r = api.put(url(tenant, "consent-policies/SMS/"), {"require_opt_in": True}, format="json")
    assert r.status_code == 200 and r.json()["applies_to"] == "PROMOTIONAL" and r.json()["require_opt_in"]
    r = api.patch(url(tenant, "consent-policies/sms/"), {"applies_to": "ALL"}, format="json")
    assert r.json()["require_opt_in"] and r.json()["applies_to"] == "ALL"
    assert ConsentPolicy.objects.get(tenant=tenant, channel="SMS").applies_to == "ALL"
    bad = api.put(url(tenant, "consent-policies/FAX/"), {"require_opt_in": True}, format="json")
    assert bad.status_code == 400 and "channel" in bad.json()["errors"]
    assert api.get(url(tenant, "consent-policies/SMS/")).status_code == 405


def test_the_soft_bounce_rule_reads_and_writes(
    api: APIClient, tenant: Tenant, member_factory: Any, client_for: Any
) -> None:
    assert api.get(url(tenant, "deliverability-policy/")).json()["soft_bounce_threshold"] == 3
    r = api.put(url(tenant, "deliverability-policy/"), {"soft_bounce_threshold": 5, "soft_bounce_window_days": 14})
    assert r.status_code == 200 and r.json()["soft_bounce_window_days"] == 14
    r = api.patch(url(tenant, "deliverability-policy/"), {"soft_bounce_threshold": 0}, format="json")
    assert r.status_code == 400 and "soft_bounce_threshold" in r.json()["errors"]
    marketer = client_for(member_factory(tenant, Role.MARKETER))
    assert marketer.put(url(tenant, "deliverability-policy/"), {"soft_bounce_threshold": 1}).status_code == 403


def test_another_tenants_list_is_not_found(api: APIClient, tenant: Tenant, other_tenant: Tenant) -> None:
    theirs, _ = suppression_add(tenant=other_tenant, address="secret@globex.test", by="tests")
    assert api.get(url(other_tenant, "suppressions/")).status_code == 404
    assert api.get(url(tenant, f"suppressions/{theirs.pk}/")).status_code == 404
    assert api.delete(url(tenant, f"suppressions/{theirs.pk}/")).status_code == 404
    assert api.delete(url(tenant, "suppressions/secret@globex.test/")).status_code == 404
    assert api.get(url(other_tenant, "suppressions/export/")).status_code == 404
    assert api.get(url(other_tenant, "consent-policies/")).status_code == 404
    assert SuppressedAddress.objects.filter(pk=theirs.pk).exists()
