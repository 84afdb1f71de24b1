"""The unsubscribe confirmation page in a real browser: open the link from a sent email, confirm, see the result.

Screenshots go to var/screenshots/ (unsubscribe-confirm.png, unsubscribe-done.png)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from channels.models import Delivery
from channels.services.send import deliveries_send
from engage.events.models import Event
from segments.models import Endpoint, SuppressedAddress
from tests.channels.support import email_message, make_endpoints, plan
from tests.factories import TenantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def test_it_unsubscribes_from_the_confirmation_page(page: Page, live_server: Any, settings: Any) -> None:
    settings.ENGAGE_PUBLIC_URL = live_server.url
    tenant = TenantFactory(name="Acme Outdoor")
    ids = make_endpoints(tenant, 1)
    message = email_message()
    message["content"]["HtmlPart"] = '<p>Hello</p><p><a href="#unsubscribe">Unsubscribe</a></p>'
    dispatch, _ = plan(tenant, ids, message=message)
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    html = Delivery.objects.get(dispatch=dispatch).payload["HtmlPart"]
    [link] = re.findall(r'href="([^"]*/t/u/[^"]+)"', html)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(link)
    expect(page.get_by_role("heading", name="Unsubscribe")).to_be_visible()
    expect(page.get_by_text("Stop email from Acme Outdoor to user0@example.com?")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "unsubscribe-confirm.png"), full_page=True)
    assert Endpoint.objects.get(tenant=tenant, endpoint_id="ep0").opt_out == "NONE"

    with page.expect_navigation():
        page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You're unsubscribed")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("user0@example.com will no longer get email from Acme Outdoor")
    page.screenshot(path=str(SCREENSHOTS / "unsubscribe-done.png"), full_page=True)
    assert Endpoint.objects.get(tenant=tenant, endpoint_id="ep0").opt_out == "ALL"
    assert SuppressedAddress.objects.filter(tenant=tenant, address="user0@example.com", channel="EMAIL").exists()
    assert Event.objects.filter(tenant=tenant, event_type="_email.unsubscribe").count() == 1

    page.goto(link)  # the link again: already unsubscribed, no button
    expect(page.get_by_role("heading", name="You're unsubscribed")).to_be_visible()
    expect(page.get_by_role("button", name="Unsubscribe")).to_have_count(0)
