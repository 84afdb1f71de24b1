"""Test messages, the Outbox and the template editor's "Send a test" through a real browser (screenshots in
var/screenshots/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from channels.models import Delivery, Source
from channels.services.transactional import messages_send
from engage.events.models import Event
from engage.tenancy.models import Role, Tenant
from tests.channels.messaging_support import email_template, simple_email
from tests.factories import PASSWORD, MembershipFactory, TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def _log_in(page: Page, live_server: Any, email: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    # Wait for the next page to load (deferred scripts included) before touching its controls.
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def _tenant(email: str) -> Tenant:
    tenant = TenantFactory(name="Acme Messaging")
    MembershipFactory(tenant=tenant, user=UserFactory(email=email), role=Role.MARKETER)
    return tenant


def test_a_marketer_sends_test_emails_and_reads_them_in_the_outbox(page: Page, live_server: Any) -> None:
    tenant = _tenant("marketer@messaging.test")
    email_template(
        tenant,
        "welcome",
        {"Subject": "Welcome (v1)", "TextPart": "one"},
        {"Subject": "Welcome aboard", "HtmlPart": "<h1>Hello from v2</h1>", "TextPart": "two"},
    )
    _log_in(page, live_server, "marketer@messaging.test")
    page.goto(f"{live_server.url}/t/{tenant.public_id}/channels/test/")
    page.get_by_label("Email addresses").fill("ann@example.com\nbob@example.com")
    page.get_by_label("Subject").fill("Hello {{Attributes.Missing}}there")
    page.get_by_label("HTML body").fill(
        "<h1 style='color:#4f46e5'>Big news</h1><p>Our <b>spring sale</b> starts today.</p>"
    )
    page.get_by_label("Text body").fill("Big news: our spring sale starts today.")
    page.get_by_role("button", name="Send test message").click()
    rows = page.locator("#result-rows tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("SUCCESSFUL")
    expect(rows.nth(1)).to_contain_text("SUCCESSFUL")
    page.screenshot(path=str(SCREENSHOTS / "test-messages-adhoc.png"), full_page=True)

    page.get_by_label("Use a template").check()
    _settled(page)
    page.get_by_label("Template", exact=True).select_option(label="welcome")
    _settled(page)
    expect(page.get_by_label("Version")).to_contain_text("Version 2")
    page.get_by_label("Version").select_option("2")
    expect(page.get_by_label("Email addresses")).to_have_value("ann@example.com\nbob@example.com")
    page.get_by_role("button", name="Send test message").click()
    expect(page.locator("#result-rows tbody tr")).to_have_count(2)
    expect(page.locator("#result-rows")).not_to_contain_text("FAILURE")
    page.screenshot(path=str(SCREENSHOTS / "test-messages-template.png"), full_page=True)

    sent = Delivery.objects.filter(tenant=tenant).order_by("pk")
    assert [d.payload["Subject"] for d in sent] == ["Hello there"] * 2 + ["Welcome aboard"] * 2
    assert {d.dispatch.source for d in sent} == {Source.TEST}
    assert not Event.objects.filter(tenant=tenant).exists()

    page.get_by_role("link", name="Open the Outbox").click()
    messages = page.locator("details.msg")
    expect(messages).to_have_count(4)
    expect(messages.first).to_contain_text("Welcome aboard")
    expect(messages.first).to_contain_text("Test message")
    messages.nth(2).locator("summary").click()
    frame = messages.nth(2).locator("iframe.msg-html")
    expect(frame).to_have_attribute("sandbox", "")
    expect(page.frame_locator("details.msg >> nth=2 >> iframe.msg-html").locator("h1")).to_have_text("Big news")
    expect(messages.nth(2)).to_contain_text("Big news: our spring sale starts today.")
    page.screenshot(path=str(SCREENSHOTS / "outbox.png"), full_page=True)

    # Live: a message sent while the page is open appears at the top without a reload.
    messages_send(
        tenant=tenant,
        request={"Addresses": {"live@example.com": {"ChannelType": "EMAIL"}}, "MessageConfiguration": simple_email()},
        by="tests",
    )
    expect(messages).to_have_count(5, timeout=10_000)
    expect(messages.first).to_contain_text("live@example.com")
    expect(messages.first).to_contain_text("Transactional")
    expect(messages.nth(3)).to_have_attribute("open", "")  # what was open stays open

    page.get_by_role("link", name="SMS").click()
    expect(page.locator(".outbox-empty")).to_be_visible()


def test_more_than_15_recipients_is_a_form_error(page: Page, live_server: Any) -> None:
    tenant = _tenant("limits@messaging.test")
    _log_in(page, live_server, "limits@messaging.test")
    page.goto(f"{live_server.url}/t/{tenant.public_id}/channels/test/")
    page.get_by_label("Email addresses").fill("\n".join(f"user{i}@example.com" for i in range(16)))
    page.get_by_label("Subject").fill("Too many")
    page.get_by_label("Text body").fill("Hi")
    page.get_by_role("button", name="Send test message").click()
    expect(page.locator(".form-errors")).to_contain_text("Nothing was sent")
    expect(page.locator(".field.has-error")).to_contain_text("You entered 16 recipients")
    page.get_by_label("Email addresses").fill("ok@example.com\nnot-an-address")
    page.get_by_role("button", name="Send test message").click()
    expect(page.locator(".field.has-error")).to_contain_text("Line 2")
    page.screenshot(path=str(SCREENSHOTS / "test-messages-errors.png"), full_page=True)
    assert not Delivery.objects.filter(tenant=tenant).exists()

    page.get_by_label("Channel", exact=True).select_option("SMS")
    _settled(page)
    phones = page.get_by_label("Phone numbers (E.164)")
    expect(phones).to_be_visible()
    phones.fill("+15555550100")
    page.get_by_label("Message", exact=True).fill("Your code is 424242")
    page.get_by_role("button", name="Send test message").click()
    expect(page.locator("#result-rows")).to_contain_text("SUCCESSFUL")
    page.screenshot(path=str(SCREENSHOTS / "test-messages-sms.png"), full_page=True)
    assert Delivery.objects.get(tenant=tenant).payload["Body"] == "Your code is 424242"


def test_the_template_editor_sends_the_version_on_screen_as_a_test(page: Page, live_server: Any) -> None:
    tenant = _tenant("editor@messaging.test")
    template = email_template(
        tenant, "receipt", {"Subject": "Receipt v1", "TextPart": "one"}, {"Subject": "Receipt v2", "TextPart": "two"}
    )
    _log_in(page, live_server, "editor@messaging.test")
    page.goto(f"{live_server.url}/t/{tenant.public_id}/templates/{template.pk}/?version=1")
    page.get_by_role("button", name="Send a test").click()
    panel = page.locator("dialog#test-send")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("version 1 (active)")
    panel.get_by_label("Test recipients, one per line").fill("qa@example.com")
    panel.get_by_role("button", name="Send test", exact=True).click()
    expect(panel.locator("#result-rows")).to_contain_text("SUCCESSFUL")
    page.screenshot(path=str(SCREENSHOTS / "template-editor-test-send.png"))
    assert Delivery.objects.get(tenant=tenant).payload["Subject"] == "Receipt v1"
    panel.get_by_label("Test recipients, one per line").fill("\n".join(f"u{i}@example.com" for i in range(16)))
    panel.get_by_role("button", name="Send test", exact=True).click()
    expect(panel.locator(".form-errors")).to_contain_text("at most 15")


def _settled(page: Page) -> None:
    """Wait until htmx has swapped the re-rendered form in and bound its new fields: a change made before the
    new elements are processed would not trigger their request (no person is that fast; a test is)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )
