"""The suppression page through Django's test client: add, search, remove, import, export, policies, roles."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from engage.tenancy.models import AuditLog, Membership, Role, Tenant
from segments.models import ConsentPolicy, DeliverabilityPolicy, SuppressedAddress
from segments.services.endpoints import endpoints_upsert
from segments.services.suppression import suppression_add

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]


@pytest.fixture
def login(tenant: Tenant, member_factory: Callable[..., Membership]) -> Login:
    def log_in(role: str) -> Client:
        client = Client()
        client.force_login(member_factory(tenant, role).user)
        return client

    return log_in


def page_url(tenant: Tenant, path: str = "") -> str:
    return f"/t/{tenant.public_id}/channels/suppression/{path}"


def test_a_marketer_adds_searches_and_removes_an_address(tenant: Tenant, login: Login) -> None:
    client = login(Role.MARKETER)
    r = client.post(page_url(tenant), {"address": "Jane@Example.com", "channel": "", "reason": "MANUAL", "note": "VIP"})
    assert r.status_code == 302
    r = client.get(page_url(tenant), follow=True)
    assert "jane@example.com is suppressed" in r.content.decode()
    suppression_add(tenant=tenant, address="bob@example.com", reason="HARD_BOUNCE", by="tests")
    found = client.get(page_url(tenant) + "?q=JANE").content.decode()
    assert 'data-address="jane@example.com"' in found and 'data-address="bob@example.com"' not in found
    bounced = client.get(page_url(tenant) + "?reason=HARD_BOUNCE").content.decode()
    assert 'data-address="bob@example.com"' in bounced and 'data-address="jane@example.com"' not in bounced
    row = SuppressedAddress.objects.get(tenant=tenant, address="jane@example.com")
    assert client.post(page_url(tenant, f"{row.pk}/remove/")).status_code == 302
    assert not SuppressedAddress.objects.filter(pk=row.pk).exists()
    assert [a for (a,) in AuditLog.objects.filter(tenant=tenant).order_by("id").values_list("action")] == [
        "suppression.add",
        "suppression.add",
        "suppression.remove",
    ]


def test_a_bad_address_shows_on_the_form_field(tenant: Tenant, login: Login) -> None:
    r = login(Role.MARKETER).post(page_url(tenant), {"address": "206 555 0100", "channel": "SMS", "reason": "MANUAL"})
    assert r.status_code == 400
    assert "no country code" in r.content.decode()
    assert not SuppressedAddress.objects.exists()


def test_an_import_shows_each_refused_line(tenant: Tenant, login: Login) -> None:
    upload = SimpleUploadedFile("list.csv", b"a@x.test\nb@x.test,LOST\n+12065550100,SMS_STOP,SMS\n", "text/csv")
    r = login(Role.MARKETER).post(page_url(tenant, "import/"), {"file": upload})
    assert r.status_code == 200
    text = r.content.decode()
    assert "<strong>2</strong> added" in text and "1</strong> line refused" in text
    assert '<td class="num">2</td><td>&#x27;LOST&#x27; is not a reason' in text
    empty = login(Role.MARKETER).post(page_url(tenant, "import/"), {"file": SimpleUploadedFile("e.csv", b"\n\n")})
    assert empty.status_code == 400 and "the file is empty" in empty.content.decode()


def test_the_export_link_downloads_the_filtered_list(tenant: Tenant, login: Login) -> None:
    suppression_add(tenant=tenant, address="a@x.test", reason="COMPLAINT", by="tests")
    suppression_add(tenant=tenant, address="b@x.test", by="tests")
    r = login(Role.ANALYST).get(page_url(tenant, "export.csv") + "?reason=COMPLAINT")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    lines = b"".join(r.streaming_content).decode().splitlines()
    assert len(lines) == 2 and lines[1].startswith("a@x.test,COMPLAINT")
    assert login(Role.VIEWER).get(page_url(tenant, "export.csv")).status_code == 403


def test_an_admin_sets_the_soft_bounce_rule_and_consent_policies(tenant: Tenant, login: Login) -> None:
    admin = login(Role.ADMIN)
    r = admin.post(page_url(tenant, "soft-bounces/"), {"soft_bounce_threshold": "5", "soft_bounce_window_days": "10"})
    assert r.status_code == 302
    policy = DeliverabilityPolicy.objects.get(tenant=tenant)
    assert (policy.soft_bounce_threshold, policy.soft_bounce_window_days) == (5, 10)
    bad = admin.post(page_url(tenant, "soft-bounces/"), {"soft_bounce_threshold": "0", "soft_bounce_window_days": "10"})
    assert bad.status_code == 400
    form = {f"applies_{c}": "PROMOTIONAL" for c in ("EMAIL", "SMS", "VOICE", "PUSH", "INAPP", "ALIMTALK", "CUSTOM")}
    r = admin.post(page_url(tenant, "consent/"), {**form, "require_SMS": "on", "applies_SMS": "ALL"})
    assert r.status_code == 302
    assert list(ConsentPolicy.objects.filter(tenant=tenant).values_list("channel", "require_opt_in", "applies_to")) == [
        ("SMS", True, "ALL")
    ]
    page = admin.get(page_url(tenant)).content.decode()
    assert 'name="require_SMS" id="id_require_SMS" checked' in page
    assert login(Role.MARKETER).post(page_url(tenant, "consent/"), form).status_code == 403


def test_a_viewer_sees_the_list_but_changes_nothing(tenant: Tenant, login: Login) -> None:
    row, _ = suppression_add(tenant=tenant, address="a@x.test", by="tests")
    viewer = login(Role.VIEWER)
    page = viewer.get(page_url(tenant))
    assert page.status_code == 200 and "a@x.test" in page.content.decode()
    assert "Suppress an address" not in page.content.decode()
    assert viewer.post(page_url(tenant), {"address": "b@x.test", "reason": "MANUAL"}).status_code == 403
    assert viewer.post(page_url(tenant, f"{row.pk}/remove/")).status_code == 403
    assert viewer.post(page_url(tenant, "import/")).status_code == 403
    assert SuppressedAddress.objects.filter(tenant=tenant).count() == 1


def test_another_tenants_page_and_rows_are_not_found(tenant: Tenant, other_tenant: Tenant, login: Login) -> None:
    theirs, _ = suppression_add(tenant=other_tenant, address="secret@globex.test", by="tests")
    client = login(Role.OWNER)
    assert client.get(page_url(other_tenant)).status_code == 404
    assert client.post(page_url(tenant, f"{theirs.pk}/remove/")).status_code == 404
    assert SuppressedAddress.objects.filter(pk=theirs.pk).exists()


def test_the_endpoint_page_shows_the_opt_in_and_the_suppression(tenant: Tenant, login: Login) -> None:
    endpoints_upsert(
        tenant=tenant,
        items=[
            (
                "phone",
                {
                    "ChannelType": "SMS",
                    "Address": "+12065550100",
                    "EngageOptIn": {"Date": "2026-10-01T08:00:00Z", "Source": "paper form"},
                },
            )
        ],
    )
    suppression_add(tenant=tenant, address="+12065550100", reason="SMS_STOP", channel="SMS", by="tests")
    text = login(Role.VIEWER).get(f"/t/{tenant.public_id}/audience/endpoints/phone/").content.decode()
    assert "Oct 1, 2026 08:00:00" in text and "via paper form" in text
    assert "SMS STOP" in text and "On the suppression list" in text
