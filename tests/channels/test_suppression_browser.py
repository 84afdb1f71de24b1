"""The suppression page through a real browser: add, search, remove (confirmed), import with a bad line, export.

Screenshots land in var/screenshots/suppression-*.png so the layout can be looked at.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from engage.tenancy.models import Role, Tenant
from segments.models import SuppressedAddress
from segments.services.endpoints import endpoints_upsert
from segments.services.suppression import bounce_record, opt_out_record
from tests.factories import PASSWORD, MembershipFactory, TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


@pytest.fixture
def shot(page: Page) -> Callable[..., None]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    def save(name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"suppression-{name}.png"), full_page=True)

    return save


@pytest.fixture
def acme(db: Any) -> Tenant:
    return TenantFactory(name="Acme", timezone="Asia/Seoul")


def log_in(page: Page, live_server: Any, tenant: Tenant, role: str) -> None:
    email = f"{role}@acme.test"
    MembershipFactory(tenant=tenant, user=UserFactory(email=email), role=role)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/t/{tenant.public_id}/channels/suppression/")


def seed(tenant: Tenant) -> None:
    bounce_record(tenant=tenant, address="bounced@example.com", kind="hard", source="ses-feedback")
    bounce_record(tenant=tenant, address="angry@example.org", kind="complaint", source="ses-feedback")
    endpoints_upsert(tenant=tenant, items=[("phone", {"ChannelType": "SMS", "Address": "+821012345678"})])
    opt_out_record(tenant=tenant, address="+821012345678", channel="SMS", source="sms-inbound")


def test_it_adds_searches_and_removes_an_address(
    page: Page, live_server: Any, acme: Tenant, shot: Callable[..., None]
) -> None:
    seed(acme)
    log_in(page, live_server, acme, Role.ADMIN)
    expect(page.get_by_role("heading", name="Suppression and consent")).to_be_visible()
    expect(page.locator("#suppression-count")).to_contain_text("3 addresses on the list")
    shot("list")

    add = page.locator("#add-card")
    add.get_by_label("Address").fill("Jane.Doe@Example.COM")
    add.get_by_label("Note").fill("asked us on the phone")
    add.get_by_role("button", name="Suppress").click()
    expect(page.locator(".messages")).to_contain_text("jane.doe@example.com is suppressed")
    expect(page.locator('#suppressions tr[data-address="jane.doe@example.com"]')).to_contain_text("Added manually")

    add.get_by_label("Address").fill("555-0100")
    add.get_by_label("Channel", exact=True).select_option("SMS")
    add.get_by_role("button", name="Suppress").click()
    expect(page.locator("#add-card .errorlist")).to_contain_text("no country code")
    shot("add-error")

    page.get_by_label("Search addresses").fill("JANE")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#suppressions tbody tr")).to_have_count(1)
    expect(page.locator("#suppression-count")).to_contain_text("1 address matches")
    shot("search")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove jane.doe@example.com").click()
    expect(page.locator(".messages")).to_contain_text("jane.doe@example.com is off the list")
    assert not SuppressedAddress.objects.filter(tenant=acme, address="jane.doe@example.com").exists()


def test_it_imports_a_file_with_a_bad_line_and_exports_the_list(
    page: Page, live_server: Any, acme: Tenant, shot: Callable[..., None], tmp_path: Path
) -> None:
    log_in(page, live_server, acme, Role.ADMIN)
    csv = tmp_path / "old-tool.csv"
    csv.write_text("address,reason,channel,note\nann@example.com,UNSUBSCRIBE,EMAIL,\n+1 206 555 0100,,SMS,\noops,,,\n")
    page.locator("#import-card").get_by_label("CSV file").set_input_files(str(csv))
    page.locator("#import-card").get_by_role("button", name="Import").click()
    report = page.locator("#import-report")
    expect(report).to_contain_text("2 added")
    expect(report).to_contain_text("1 line refused")
    expect(page.locator("#import-errors tbody tr")).to_have_count(1)
    expect(page.locator("#import-errors tbody tr")).to_contain_text("4")
    expect(page.locator("#import-errors")).to_contain_text("neither an email address nor an E.164 phone number")
    shot("import-report")

    with page.expect_download() as caught:
        page.get_by_role("link", name="Export CSV").click()
    text = Path(caught.value.path()).read_text()
    assert text.splitlines()[0] == "address,reason,channel,source,note,created_by,created_at"
    assert {line.split(",")[0] for line in text.splitlines()[1:]} == {"ann@example.com", "+12065550100"}


def test_an_admin_sets_the_soft_bounce_rule_and_a_consent_policy(
    page: Page, live_server: Any, acme: Tenant, shot: Callable[..., None]
) -> None:
    log_in(page, live_server, acme, Role.ADMIN)
    bounces = page.locator("#bounce-card")
    bounces.get_by_label("Soft bounces").fill("5")
    bounces.get_by_label("Within (days)").fill("14")
    bounces.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("5 soft bounces in 14 days")

    row = page.locator('#consent-policies tr[data-channel="SMS"]')
    row.get_by_role("checkbox").check()
    row.get_by_role("combobox").select_option("ALL")
    page.get_by_role("button", name="Save consent policy").click()
    expect(page.locator(".messages")).to_contain_text("Consent policy saved for SMS")
    expect(page.locator('#consent-policies tr[data-channel="SMS"]').get_by_role("checkbox")).to_be_checked()
    shot("policies")


def test_the_endpoint_page_shows_its_opt_in(
    page: Page, live_server: Any, acme: Tenant, shot: Callable[..., None]
) -> None:
    body = {
        "ChannelType": "SMS",
        "Address": "+821012345678",
        "EngageOptIn": {"Date": "2026-10-01T08:00:00Z", "Source": "kiosk"},
    }
    endpoints_upsert(tenant=acme, items=[("phone", body)])
    opt_out_record(tenant=acme, address="+821012345678", channel="SMS", source="sms-inbound")
    log_in(page, live_server, acme, Role.VIEWER)
    page.goto(f"{live_server.url}/t/{acme.public_id}/audience/endpoints/phone/")
    expect(page.locator("#opt-in")).to_contain_text("Oct 1, 2026 17:00:00")  # Asia/Seoul
    expect(page.locator("#opt-in")).to_contain_text("via kiosk")
    expect(page.locator("#suppressed")).to_contain_text("SMS STOP")
    shot("endpoint")
