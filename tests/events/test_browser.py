"""Settings → Event streams through a real browser (screenshots in var/screenshots/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from engage.events.models import EventStream
from engage.events.streams.export import stream_export
from engage.tenancy.models import Role
from tests.events.conftest import Receiver, put_events
from tests.factories import PASSWORD, MembershipFactory, TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def test_an_admin_adds_a_webhook_sends_a_test_record_and_watches_the_lag(
    page: Page, live_server: Any, receiver: Receiver
) -> None:
    tenant = TenantFactory(name="Acme Streams")
    MembershipFactory(tenant=tenant, user=UserFactory(email="admin@streams.test"), role=Role.ADMIN)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("admin@streams.test")
    page.get_by_label("Password").fill(PASSWORD)
    # Wait for the next page to load (deferred scripts included) before touching its controls.
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/t/{tenant.public_id}/settings/")
    page.get_by_role("link", name="Event streams").click()
    expect(page.locator("#streams-empty")).to_be_visible()
    page.get_by_role("link", name="Add a destination").click()
    page.get_by_role("link", name="Signed webhook").click()
    page.get_by_label("Name").fill("Warehouse")
    page.get_by_label("Webhook URL").fill(receiver.url)
    secret = page.get_by_label("Signing secret").input_value()
    assert len(secret) >= 32
    page.screenshot(path=str(SCREENSHOTS / "event-streams-new-webhook.png"), full_page=True)
    page.get_by_role("button", name="Create destination").click()

    expect(page.locator(".messages")).to_contain_text("Warehouse created")
    assert EventStream.objects.get(tenant=tenant).webhook_secret == secret
    page.get_by_role("button", name="Send test record").click()
    expect(page.locator(".messages")).to_contain_text("Test record sent to Warehouse: HTTP 200")
    assert receiver.requests[0].records[0]["event_type"] == "_engage.test"

    put_events(tenant, 12)
    receiver.fail_next = 1
    stream_export(tenant_id=tenant.pk, stream_id=EventStream.objects.get(tenant=tenant).pk)
    page.reload()
    row = page.locator("#streams tr[data-stream]")
    expect(row).to_contain_text("Failing")
    expect(row).to_contain_text("12 events")
    expect(row).to_contain_text("HTTP 503")
    page.screenshot(path=str(SCREENSHOTS / "event-streams-list.png"), full_page=True)
