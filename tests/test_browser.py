"""The console through a real browser: login, the campaign screen, tenant settings and account security.

Each main page is saved as a screenshot in var/screenshots/ so its layout can be looked at.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from campaigns.models import Campaign
from engage.tenancy.models import ApiKey, AuditLog, Membership, Role, Tenant
from tests.factories import PASSWORD, CampaignFactory, MembershipFactory, TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def member(tenant: Tenant, role: str, email: str) -> Membership:
    return MembershipFactory(tenant=tenant, user=UserFactory(email=email), role=role)


def campaigns_url(live_server: Any, tenant: Tenant) -> str:
    return f"{live_server.url}/t/{tenant.public_id}/campaigns/"


def settings_url(live_server: Any, tenant: Tenant, page: str = "") -> str:
    return f"{live_server.url}/t/{tenant.public_id}/settings/{page}"


def test_it_shows_a_login_page_without_a_sign_up_link(
    page: Page, live_server: Any, shot: Callable[[str], None]
) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next=/t/{'0' * 32}/campaigns/")

    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_text("Ask an admin of your team to invite you")).to_be_visible()
    expect(page.get_by_text(re.compile("sign up", re.I))).to_have_count(0)
    expect(page.get_by_role("button", name="Log in")).to_have_class(re.compile(r"\bbtn\b.*\bprimary\b"))
    expect(page.locator("input[name=next]")).to_have_value(f"/t/{'0' * 32}/campaigns/")
    expect(page.get_by_role("link", name="Forgot your password?")).to_be_visible()
    shot("login")

    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    shot("password-reset")
    page.get_by_label("Email").fill("nobody@example.test")
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(f"{live_server.url}/accounts/signup/")
    expect(page.get_by_role("heading", name="Invitation needed")).to_be_visible()


def test_it_links_to_sign_up_only_when_sign_up_is_open(page: Page, live_server: Any, settings: Any) -> None:
    settings.ACCOUNT_ALLOW_SIGNUP = True

    page.goto(f"{live_server.url}/accounts/login/?next=/t/{'0' * 32}/campaigns/")

    link = page.get_by_role("link", name="Create an account")
    expect(link).to_have_attribute("href", f"/accounts/signup/?next=%2Ft%2F{'0' * 32}%2Fcampaigns%2F")
    expect(page.get_by_text("Ask an admin of your team to invite you")).to_have_count(0)


def test_it_refuses_a_wrong_password_with_a_message(
    page: Page, login: Callable[..., None], shot: Callable[[str], None]
) -> None:
    member(TenantFactory(name="Acme"), Role.OWNER, "owner@acme.test")

    login("owner@acme.test", "not-the-password")

    expect(page.locator(".form-errors")).to_contain_text("not correct")
    expect(page.get_by_label("Email")).to_have_value("owner@acme.test")
    shot("login-error")


def test_it_explains_a_login_form_left_open_past_its_session(
    page: Page, live_server: Any, shot: Callable[[str], None]
) -> None:
    member(TenantFactory(name="Acme"), Role.OWNER, "owner@acme.test")
    page.goto(f"{live_server.url}/accounts/login/")
    page.context.clear_cookies()  # as after the CSRF cookie expired or was cleared

    page.get_by_label("Email").fill("owner@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    # Wait for the next page to load (deferred scripts included) before touching its controls.
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Page expired")).to_be_visible()
    expect(page.get_by_text("Go back, reload the page and try again.")).to_be_visible()
    expect(page.get_by_text("CSRF")).to_have_count(0)
    shot("error-csrf")


def test_it_lands_on_the_empty_campaign_screen_after_login(
    page: Page, live_server: Any, login: Callable[..., None], shot: Callable[[str], None]
) -> None:
    acme = TenantFactory(name="Acme")
    member(acme, Role.MARKETER, "marketer@acme.test")

    login("marketer@acme.test")

    expect(page).to_have_url(campaigns_url(live_server, acme))
    expect(page.locator("#campaigns-empty")).to_contain_text("No campaigns yet")
    expect(page.get_by_role("button", name="Create your first campaign")).to_be_visible()
    shot("campaigns-empty")


def test_it_creates_a_campaign_through_the_dialog(
    page: Page, live_server: Any, login: Callable[..., None], shot: Callable[[str], None]
) -> None:
    acme = TenantFactory(name="Acme")
    member(acme, Role.MARKETER, "marketer@acme.test")
    login("marketer@acme.test")

    page.get_by_role("button", name="+ New campaign").click()
    dialog = page.get_by_role("dialog", name="New campaign")
    expect(dialog).to_be_visible()
    shot("campaign-dialog")
    dialog.get_by_label("Name").fill("Spring sale")
    dialog.get_by_label("Description").fill("Twenty percent off everything in the spring collection.")
    dialog.get_by_role("button", name="Save draft").click()

    expect(page.locator(".messages")).to_contain_text("Draft “Spring sale” saved.")
    row = page.locator("#campaigns tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Spring sale")
    expect(row).to_contain_text("Draft")
    assert list(Campaign.objects.filter(tenant=acme).values_list("name", flat=True)) == ["Spring sale"]
    for n in range(3):
        CampaignFactory(tenant=acme, name=f"Newsletter {n + 1}", description="Monthly product news.")
    page.reload()
    shot("campaigns")


def test_it_shows_a_form_error_in_the_dialog_for_an_empty_name(
    page: Page, live_server: Any, login: Callable[..., None], shot: Callable[[str], None]
) -> None:
    acme = TenantFactory(name="Acme")
    member(acme, Role.MARKETER, "marketer@acme.test")
    login("marketer@acme.test")

    page.get_by_role("button", name="+ New campaign").click()
    page.get_by_role("dialog", name="New campaign").get_by_role("button", name="Save draft").click()

    dialog = page.get_by_role("dialog", name="New campaign")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".field.has-error")).to_contain_text("This field is required.")
    shot("campaign-dialog-error")
    assert not Campaign.objects.exists()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()


def test_it_switches_tenants_and_lands_on_the_last_used_one(
    page: Page, live_server: Any, login: Callable[..., None], shot: Callable[[str], None]
) -> None:
    acme, globex = TenantFactory(name="Acme"), TenantFactory(name="Globex")
    user = UserFactory(email="both@example.test")
    MembershipFactory(tenant=acme, user=user, role=Role.MARKETER)
    MembershipFactory(tenant=globex, user=user, role=Role.VIEWER)

    login("both@example.test")
    expect(page.get_by_role("heading", name="Choose a tenant")).to_be_visible()
    shot("tenant-picker")
    page.get_by_role("link", name=re.compile("Acme")).click()
    expect(page).to_have_url(campaigns_url(live_server, acme))

    for tenant in (globex, acme, globex):
        page.locator(".switcher summary").click()
        expect(page.get_by_role("menu")).to_be_visible()
        if tenant is globex:
            shot("tenant-switcher")
        page.get_by_role("menuitem", name=re.compile(tenant.name)).click()
        expect(page).to_have_url(campaigns_url(live_server, tenant))
        expect(page.locator(".switcher summary")).to_contain_text(tenant.name)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(campaigns_url(live_server, globex))


def test_it_hides_editing_from_a_viewer_and_refuses_their_post(
    page: Page, live_server: Any, login: Callable[..., None], shot: Callable[[str], None]
) -> None:
    acme = TenantFactory(name="Acme")
    CampaignFactory(tenant=acme, name="Welcome series")
    member(acme, Role.VIEWER, "viewer@acme.test")
    login("viewer@acme.test")

    expect(page.locator("#campaigns")).to_contain_text("Welcome series")
    expect(page.get_by_role("button", name=re.compile("New campaign"))).to_have_count(0)
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)
    shot("campaigns-viewer")

    # A hand-made form with a valid CSRF token: the server, not the missing button, must refuse it.
    page.evaluate(
        """() => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = location.pathname;
            form.innerHTML = '<input name="name" value="Sneaky">';
            form.append(document.querySelector("input[name=csrfmiddlewaretoken]").cloneNode());
            document.body.append(form);
            form.submit();
        }"""
    )
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_text("Your role (viewer) cannot do this in Acme.")).to_be_visible()
    expect(page.get_by_text("Traceback")).to_have_count(0)
    shot("error-403")
    assert Campaign.objects.filter(tenant=acme).count() == 1


def test_it_saves_valid_settings_and_rejects_invalid_ones(
    page: Page, live_server: Any, login: Callable[..., None], shot: Callable[[str], None]
) -> None:
    acme = TenantFactory(name="Acme")
    member(acme, Role.ADMIN, "admin@acme.test")
    login("admin@acme.test")
    page.get_by_role("link", name="Settings").click()
    expect(page).to_have_url(settings_url(live_server, acme))
    shot("settings")

    page.get_by_label("Messages per second").fill("200")
    page.get_by_label("Daily messages per endpoint (campaigns)").fill("3")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".messages")).to_contain_text("Settings saved.")
    acme.refresh_from_db()
    assert (acme.messages_per_second, acme.campaign_daily_cap) == (200, 3)

    page.get_by_label("Messages per second").fill("5")
    page.get_by_role("button", name="Save settings").click()
    field = page.locator(".field.has-error")
    expect(field).to_have_count(1)
    expect(field).to_contain_text("Messages per second")
    expect(field.locator(".errorlist")).to_contain_text("greater than or equal to 50")
    shot("settings-error")
    acme.refresh_from_db()
    assert acme.messages_per_second == 200


def test_it_invites_a_member(
    page: Page, live_server: Any, login: Callable[..., None], shot: Callable[[str], None]
) -> None:
    acme = TenantFactory(name="Acme")
    member(acme, Role.OWNER, "owner@acme.test")
    login("owner@acme.test")
    page.goto(settings_url(live_server, acme, "members/"))

    page.get_by_label("Email").fill("new.person@acme.test")
    page.get_by_label("Role", exact=True).select_option("analyst")
    page.get_by_role("button", name="Add member").click()

    expect(page.locator(".messages")).to_contain_text("new.person@acme.test added as Analyst.")
    row = page.locator("#members tbody tr", has_text="new.person@acme.test")
    expect(row.get_by_label("Role of new.person@acme.test")).to_have_value("analyst")
    assert Membership.objects.get(tenant=acme, user__email="new.person@acme.test").role == Role.ANALYST
    shot("members")


def test_it_shows_a_new_api_key_secret_only_once(
    page: Page, live_server: Any, login: Callable[..., None], shot: Callable[[str], None]
) -> None:
    acme = TenantFactory(name="Acme")
    member(acme, Role.OWNER, "owner@acme.test")
    login("owner@acme.test")
    page.goto(settings_url(live_server, acme, "api-keys/"))

    page.get_by_label("Name").fill("Backend")
    page.get_by_role("button", name="Create key").click()

    key = ApiKey.objects.get(tenant=acme)
    expect(page.locator("#new-key-id")).to_have_text(key.key_id)
    expect(page.locator("#new-key-secret")).to_have_text(key.secret)
    expect(page.locator("#keys tbody")).to_contain_text("Backend")
    shot("api-keys-created")

    page.reload()
    expect(page.locator("#keys tbody")).to_contain_text(key.key_id)
    expect(page.locator("#new-key")).to_have_count(0)
    assert key.secret not in page.content()
    assert ApiKey.objects.filter(tenant=acme).count() == 1
    shot("api-keys")


def test_it_lists_admin_actions_in_the_audit_log(
    page: Page, live_server: Any, login: Callable[..., None], shot: Callable[[str], None]
) -> None:
    acme = TenantFactory(name="Acme")
    member(acme, Role.OWNER, "owner@acme.test")
    login("owner@acme.test")
    page.goto(settings_url(live_server, acme))
    page.get_by_label("Messages per second").fill("100")
    page.get_by_role("button", name="Save settings").click()
    page.get_by_role("link", name="Members").click()
    page.get_by_label("Email").fill("new.person@acme.test")
    page.get_by_role("button", name="Add member").click()
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("Backend")
    page.get_by_role("button", name="Create key").click()
    expect(page.locator("#new-key")).to_be_visible()

    page.get_by_role("link", name="Audit log").click()

    rows = page.locator("#audit tbody tr")
    expect(rows).to_have_count(AuditLog.objects.filter(tenant=acme).count())
    for action in ("tenant.settings", "member.add", "apikey.create"):
        expect(page.locator("#audit")).to_contain_text(action)
    expect(rows.first).to_contain_text("owner@acme.test")
    shot("audit-log")


def test_it_shows_a_readable_404_for_an_unknown_or_foreign_tenant(
    page: Page, live_server: Any, login: Callable[..., None], shot: Callable[[str], None]
) -> None:
    acme, globex = TenantFactory(name="Acme"), TenantFactory(name="Globex")
    member(acme, Role.OWNER, "owner@acme.test")
    login("owner@acme.test")

    for tenant_id in (uuid.uuid4().hex, globex.public_id):
        response = page.goto(f"{live_server.url}/t/{tenant_id}/campaigns/")
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        expect(page.get_by_text("There is nothing here, or you do not have access to it.")).to_be_visible()
        expect(page.get_by_text("Globex")).to_have_count(0)
    shot("error-404")
    page.get_by_role("link", name="Back to Engage").click()
    expect(page).to_have_url(campaigns_url(live_server, acme))
