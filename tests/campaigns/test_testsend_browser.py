"""The "Send test" dialog of the campaign page in Chromium: open it, type two addresses, send, read the outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from campaigns.services import campaign_create
from channels.models import Delivery, Source
from engage.tenancy.models import Role
from tests.campaigns.support import segment_all
from tests.campaigns.test_console_browser import SCREENSHOTS, log_in
from tests.factories import MembershipFactory, TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shot(page: Page) -> Callable[[str], None]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    return lambda name: page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True) and None


def test_it_sends_a_test_from_the_campaign_page(page: Page, live_server: Any, shot: Callable[[str], None]) -> None:
    acme = TenantFactory(name="Acme")
    user = UserFactory(email="owner@acme.test")
    MembershipFactory(tenant=acme, user=user, role=Role.OWNER)
    body = {
        "Name": "Spring sale",
        "SegmentId": segment_all(acme).public_id,
        "MessageConfiguration": {"EmailMessage": {"Title": "Sale", "HtmlBody": "<p>Hi</p>"}},
        "Schedule": {"StartTime": "IMMEDIATE", "Frequency": "ONCE"},
    }
    campaign = campaign_create(tenant=acme, by="tests", body=body)
    log_in(page, live_server, "owner@acme.test")
    page.goto(f"{live_server.url}/t/{acme.public_id}/campaigns/{campaign.pk}/")
    page.get_by_role("button", name="Send test…").click()
    page.get_by_label("Test addresses").fill("ana@example.com, ben@example.com")
    shot("campaign-test-send-dialog")
    with page.expect_navigation():
        page.get_by_role("button", name="Send test", exact=True).click()
    expect(page.get_by_text("Test sent: 2 messages")).to_be_visible()
    shot("campaign-test-send-done")
    assert Delivery.objects.filter(dispatch__source=Source.TEST, status="sent").count() == 2
