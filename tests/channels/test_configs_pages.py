"""Channels pages through a real browser (screenshots in var/screenshots/): an SES config from creation to
a verified domain and a connection check, SMS settings with the spend bar, deleting with confirmation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from channels.models import ChannelConfig
from channels.services.spend import sms_spend_reserve
from engage import clock
from engage.tenancy.models import Role, Tenant
from tests.channels.ses_fake import SesServer, ses_server_fixture, ses_verifies  # noqa: F401 (a fixture)
from tests.factories import PASSWORD, MembershipFactory, TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"
KEY_ID, SECRET = "AKIAPAGETESTKEY12345", "page-secret/ABCDEF+0123456789"


def log_in(page: Page, live_server: Any, name: str) -> Tenant:
    tenant = TenantFactory(name=name)
    email = f"admin@{name.split()[0].lower()}.test"
    MembershipFactory(tenant=tenant, user=UserFactory(email=email), role=Role.ADMIN)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    return tenant


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"channels-{name}.png"), full_page=True)


def test_an_admin_sets_up_ses_verifies_a_domain_and_checks_the_connection(
    page: Page, live_server: Any, ses_server: SesServer
) -> None:
    ses_server.account["SendQuota"]["MaxSendRate"] = 14.0
    tenant = log_in(page, live_server, "Acme Channels")
    page.goto(f"{live_server.url}/t/{tenant.public_id}/channels/")
    expect(page.locator("#channel-routes tr[data-channel=EMAIL]")).to_contain_text(
        "Sandbox — messages go to the Outbox"
    )
    shot(page, "list-empty")

    page.get_by_role("link", name="+ Add configuration").click()
    page.locator("#provider-picker").get_by_role("link", name=re.compile("Amazon SES")).click()
    page.get_by_label("Provider").select_option("smtp")
    expect(page.get_by_label("SMTP host")).to_be_visible()
    expect(page.get_by_label("AWS region")).to_have_count(0)
    page.get_by_label("Provider").select_option("ses")
    expect(page.get_by_label("AWS region")).to_be_visible()
    expect(page.get_by_label("Enabled", exact=True)).not_to_be_checked()
    page.get_by_label("Name", exact=True).fill("Acme mail")
    page.get_by_label("From address").fill("news@acme.test")
    page.get_by_label("From name").fill("Acme News")
    page.get_by_label("Access key id").fill(KEY_ID)
    page.get_by_label("Secret access key").fill(SECRET)
    page.get_by_label("Endpoint URL").fill(ses_server.url)
    shot(page, "new-ses")
    page.get_by_role("button", name="Create configuration").click()

    expect(page.locator(".messages")).to_contain_text("Add and verify its From address")
    expect(page.locator("#from-status")).to_contain_text("is not verified yet")
    page.get_by_label("Email address or domain").fill("acme.test")
    page.get_by_role("button", name="Add and verify").click()
    expect(page.locator("[data-dkim='acme.test'] .dkim-records tbody tr")).to_have_count(3)
    expect(page.locator("[data-dkim='acme.test']")).to_contain_text("._domainkey.acme.test")
    expect(page.locator("[data-dkim='acme.test']")).to_contain_text(".dkim.amazonses.com")
    shot(page, "identities-pending")
    ses_verifies("acme.test")
    page.locator("tr[data-identity='acme.test']").get_by_role("button", name="Refresh").click()
    expect(page.locator("tr[data-identity='acme.test']")).to_contain_text("Verified")
    expect(page.locator("#from-status")).to_contain_text("you can enable the configuration now")
    shot(page, "identities-verified")

    page.get_by_role("link", name="Edit configuration").click()
    expect(page.get_by_label("Secret access key")).to_have_value("")
    assert SECRET not in page.content() and KEY_ID not in page.content()
    expect(page.locator("#config-form")).to_contain_text("Saved — leave blank to keep.")
    page.get_by_label("Enabled", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Acme mail saved.")
    expect(page.locator("#channel-routes tr[data-channel=EMAIL]")).to_contain_text("Acme mail")

    config = ChannelConfig.objects.get(tenant=tenant)
    row = page.locator(f"#configs tr[data-config='{config.pk}']")
    row.get_by_role("button", name="Check connection").click()
    expect(row.locator(".check-cell")).to_contain_text("Connected")
    expect(row.locator(".check-values")).to_contain_text(re.compile(r"Max send rate\s*14\.0"))
    shot(page, "list-checked")
    row.get_by_role("link", name="Edit").click()
    ses_server.account["SendQuota"]["MaxSendRate"] = 20.0
    page.locator("#connection").get_by_role("button", name="Check connection").click()
    expect(page.locator("#connection .check-values")).to_contain_text(re.compile(r"Max send rate\s*20\.0"))
    shot(page, "edit-ses")
    assert ChannelConfig.objects.get(pk=config.pk).provider_max_rate == 20.0
    assert SECRET not in page.content() and KEY_ID not in page.content()


def test_an_admin_configures_sms_and_watches_the_spend(page: Page, live_server: Any) -> None:
    tenant = log_in(page, live_server, "Globex Channels")
    page.goto(f"{live_server.url}/t/{tenant.public_id}/channels/configs/new/?channel=SMS&provider=eum_sms")
    page.get_by_label("Name", exact=True).fill("Texts")
    page.get_by_label("Sender ID").fill("GLOBEX-NEWS-LTD")
    page.get_by_label("Origination identities (tried in this order)").fill(
        "+12065550100, 10dlc, US, transactional\n+18885550111, toll_free, US\nGlobex, sender_id, GB, promotional"
    )
    page.get_by_label("Prices (USD per message part)").fill("+1 0.00581\n+44 0.0392\ndefault 0.05")
    page.get_by_label("Monthly spend limit (USD)").fill("25")
    page.get_by_role("button", name="Create configuration").click()
    expect(page.locator(".field.has-error")).to_contain_text("is not a sender ID")
    shot(page, "sms-error")
    page.get_by_label("Sender ID").fill("Globex")
    page.get_by_role("button", name="Create configuration").click()
    expect(page.locator(".messages")).to_contain_text("Texts saved.")

    config = ChannelConfig.objects.get(tenant=tenant)
    assert [i["identity"] for i in config.settings["origination_identities"]] == [
        "+12065550100",
        "+18885550111",
        "Globex",
    ]
    sms_spend_reserve(tenant_id=tenant.pk, costs=[(1000, 500_000)], limit=None, now=clock.now())
    page.reload()
    bar = page.locator(f"#configs tr[data-config='{config.pk}'] [data-spend]")
    expect(bar).to_contain_text("$5.00 of $25.00 this month")
    expect(bar.locator(".progress > span")).to_have_attribute("style", "width: 20.0%")
    shot(page, "list-sms")
    page.goto(f"{live_server.url}/t/{tenant.public_id}/channels/configs/{config.pk}/")
    expect(page.get_by_label("Origination identities (tried in this order)")).to_have_value(
        "+12065550100, 10dlc, US, transactional\n+18885550111, toll_free, US, transactional\n"
        "Globex, sender_id, GB, promotional"
    )
    shot(page, "edit-sms")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete configuration").click()
    expect(page.locator(".messages")).to_contain_text("Texts deleted.")
    expect(page.locator("#configs-empty")).to_be_visible()
    assert not ChannelConfig.objects.filter(tenant=tenant).exists()
