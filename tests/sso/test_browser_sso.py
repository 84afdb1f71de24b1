"""Single sign-on in Chromium against the real IdPs: Google-style OIDC and SAML, landing on the campaign screen.

Screenshots go to var/screenshots/sso-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from engage.accounts.models import User
from engage.tenancy.models import Membership, Role, Tenant
from tests.factories import PASSWORD, MembershipFactory, TenantFactory, UserFactory
from tests.sso.conftest import KeyPair, configure_sso, saml_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


@pytest.fixture
def shot(page: Page) -> Callable[[str], None]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    return lambda name: page.screenshot(path=str(SCREENSHOTS / f"sso-{name}.png"), full_page=True)


def campaigns_path(tenant: Tenant) -> re.Pattern[str]:
    return re.compile(re.escape(f"/t/{tenant.public_id}/campaigns/") + "$")


def idp_oidc_login(page: Page, login: str) -> None:
    """The oidc-provider's own login page, then its consent page when it asks."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()
    consent = page.get_by_role("button", name="Continue")
    if page.url.startswith("http://127.0.0.1") and consent.count():
        consent.click()


def test_a_workspace_user_logs_in_with_google_and_lands_on_their_campaign_screen(
    page: Page, live_server: Any, oidc: str, shot: Callable[[str], None]
) -> None:
    acme = TenantFactory(name="Acme")
    configure_sso(acme, oidc_enabled=True)
    page.goto(f"{live_server.url}/accounts/login/")
    shot("login")

    page.get_by_role("button", name="Continue with Google Workspace").click()
    expect(page.locator("input[name=login]")).to_be_visible()
    with page.expect_navigation(url=campaigns_path(acme)):
        idp_oidc_login(page, "alice@acme.test")

    expect(page.get_by_role("heading", name="Campaigns", exact=True)).to_be_visible()
    expect(page.get_by_text("Your role: Viewer")).to_be_visible()
    shot("oidc-landed")
    assert Membership.objects.get(tenant=acme, user__email="alice@acme.test").role == Role.VIEWER


def test_a_user_from_another_domain_is_refused_with_a_clear_page(
    page: Page, live_server: Any, oidc: str, shot: Callable[[str], None]
) -> None:
    configure_sso(TenantFactory(name="Acme"), oidc_enabled=True)
    page.goto(f"{live_server.url}/accounts/login/")

    page.get_by_role("button", name="Continue with Google Workspace").click()
    idp_oidc_login(page, "mallory@evil.test")

    expect(page.get_by_role("heading", name="Your company is not set up yet")).to_be_visible()
    expect(page.get_by_text("No team in Engage logs in with evil.test accounts")).to_be_visible()
    shot("refused")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert not User.objects.filter(email="mallory@evil.test").exists()


def test_a_user_logs_in_through_saml_from_the_sso_form(
    page: Page, live_server: Any, saml_idp: str, idp_keys: KeyPair, shot: Callable[[str], None]
) -> None:
    acme = TenantFactory(name="Acme")
    configure_sso(acme, **saml_settings(saml_idp, idp_keys.cert_pem, default_role=Role.MARKETER))
    page.goto(f"{live_server.url}/accounts/login/")

    page.get_by_role("link", name="Log in with single sign-on").click()
    page.get_by_label("Work email").fill("sam@acme.test")
    shot("sso-form")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Email").fill("sam@acme.test")
    with page.expect_navigation(url=campaigns_path(acme)):
        page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Campaigns", exact=True)).to_be_visible()
    expect(page.get_by_text("Your role: Marketer")).to_be_visible()
    shot("saml-landed")


def test_an_admin_configures_saml_and_runs_a_test_login(
    page: Page, live_server: Any, saml_idp: str, idp_keys: KeyPair, shot: Callable[[str], None]
) -> None:
    acme = TenantFactory(name="Acme")
    configure_sso(acme)
    MembershipFactory(tenant=acme, user=UserFactory(email="admin@acme.test"), role=Role.ADMIN)
    page.goto(f"{live_server.url}/accounts/login/?next=/t/{acme.public_id}/settings/sso/")
    page.get_by_label("Email").fill("admin@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("link", name="Single sign-on")).to_have_class(re.compile("active"))
    shot("settings-empty")

    page.get_by_label("IdP metadata URL").fill(f"{saml_idp}/metadata")
    page.get_by_label("Role of new members").select_option("marketer")
    page.get_by_role("button", name="Save single sign-on settings").click()
    expect(page.get_by_text("Single sign-on settings saved.")).to_be_visible()
    expect(page.get_by_label("IdP entity ID")).to_have_value(f"{saml_idp}/metadata")
    page.get_by_role("button", name="Test SAML login").click()
    page.get_by_label("Email").fill("newbie@acme.test")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name=re.compile("Test login .*Login works"))).to_be_visible()
    expect(page.get_by_text("would join Acme as marketer")).to_be_visible()
    shot("settings-tested")
    assert not User.objects.filter(email="newbie@acme.test").exists()


def test_the_idps_app_launcher_start_url_asks_once_then_logs_in(
    page: Page, live_server: Any, saml_idp: str, idp_keys: KeyPair, shot: Callable[[str], None]
) -> None:
    acme = TenantFactory(name="Acme")
    configure_sso(acme, **saml_settings(saml_idp, idp_keys.cert_pem))

    page.goto(f"{live_server.url}/accounts/saml/{acme.public_id}/login/")
    shot("start-url")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Email").fill("lee@acme.test")
    with page.expect_navigation(url=campaigns_path(acme)):
        page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Campaigns", exact=True)).to_be_visible()
