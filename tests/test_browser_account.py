"""Account security through a real browser: two-factor authentication and password changes.

Each page is saved as a screenshot in var/screenshots/ so its layout can be looked at.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from engage.tenancy.models import Role
from tests.factories import PASSWORD, TenantFactory
from tests.test_browser import campaigns_url, member


def _totp_code(secret: str) -> str:
    if 30 - time.time() % 30 < 2:  # allauth accepts only the current 30 s window: do not straddle its edge
        time.sleep(2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_it_activates_two_factor_authentication_from_the_security_pages(
    page: Page, live_server: Any, login: Callable[..., None], shot: Callable[[str], None]
) -> None:
    acme = TenantFactory(name="Acme")
    member(acme, Role.MARKETER, "marketer@acme.test")
    login("marketer@acme.test")

    page.get_by_role("link", name="Security").click()
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    expect(page.get_by_text("An authenticator app is not active.")).to_be_visible()
    shot("mfa-index")

    page.get_by_role("link", name="Activate").click()
    expect(page.get_by_role("heading", name="Confirm Access")).to_be_visible()  # allauth asks for the password again
    shot("reauthenticate")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("img.qr")).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value()
    shot("mfa-totp-activate")
    page.get_by_label("Authenticator code").fill("000000" if _totp_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Activate").click()
    expect(page.locator(".field.has-error")).to_contain_text("Incorrect code")
    page.get_by_label("Authenticator code").fill(_totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    codes = page.locator("#recovery_codes")
    expect(codes).to_be_visible()
    recovery_codes = codes.input_value().split()
    assert len(recovery_codes) == 10
    shot("mfa-recovery-codes")
    page.get_by_role("link", name="Two-factor login").click()
    expect(page.get_by_text("Authentication using an authenticator app is active.")).to_be_visible()
    shot("mfa-index-active")

    page.get_by_role("button", name="Log out").click()
    login("marketer@acme.test")
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    shot("mfa-authenticate")
    page.get_by_label("Code").fill(recovery_codes[0])
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(campaigns_url(live_server, acme))


def test_it_changes_the_password_and_logs_out_from_the_account_pages(
    page: Page, live_server: Any, login: Callable[..., None], shot: Callable[[str], None]
) -> None:
    acme = TenantFactory(name="Acme")
    member(acme, Role.MARKETER, "marketer@acme.test")
    login("marketer@acme.test")
    page.get_by_role("link", name="Security").click()

    page.get_by_role("link", name="Password").click()
    page.get_by_label("Current Password").fill(PASSWORD)
    page.get_by_label("New Password", exact=True).fill("short")
    page.get_by_label("New Password (again)").fill("short")
    page.get_by_role("button", name="Change Password").click()
    expect(page.locator(".field.has-error")).to_contain_text("too short")
    shot("password-change-error")
    page.get_by_label("Current Password").fill(PASSWORD)
    page.get_by_label("New Password", exact=True).fill("a-much-longer-passphrase-42")
    page.get_by_label("New Password (again)").fill("a-much-longer-passphrase-42")
    page.get_by_role("button", name="Change Password").click()
    expect(page.locator(".messages")).to_contain_text("Password successfully changed.")

    page.goto(f"{live_server.url}/accounts/logout/")
    expect(page.get_by_role("heading", name="Log out")).to_be_visible()
    shot("logout")
    page.locator("#content").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("You have signed out.")
    login("marketer@acme.test", "a-much-longer-passphrase-42")
    expect(page).to_have_url(campaigns_url(live_server, acme))
