"""The Deliveries pages in a real browser: counts, the unknown callout, live refresh, the ledger filters
(screenshots in var/screenshots/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from channels.services.ledger import deliveries_claim, deliveries_mark_attempted
from channels.services.send import deliveries_send, lease
from channels.services.sweep import deliveries_sweep
from engage import clock
from engage.tenancy.models import Role
from tests.channels.support import make_endpoints, plan
from tests.factories import PASSWORD, MembershipFactory, TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def test_the_deliveries_pages_show_the_counts_and_refresh_until_done(page: Page, live_server: Any) -> None:
    tenant = TenantFactory(name="Acme Deliveries")
    MembershipFactory(tenant=tenant, user=UserFactory(email="viewer@deliveries.test"), role=Role.VIEWER)
    dispatch, _ = plan(tenant, make_endpoints(tenant, 150), chunk_size=50, campaign_id="spring-sale")
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    # A worker claims chunk 1, hands 30 rows to the provider and dies; the sweeper resolves them once the lease ends.
    now = clock.now()
    claimed = deliveries_claim(
        tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=1, limit=50, now=now, lease_until=now + lease()
    )
    deliveries_mark_attempted(ids=[c.id for c in claimed[:30]], now=now)
    clock.advance(seconds=lease().total_seconds() + 1)
    deliveries_sweep(now=clock.now(), enqueue=lambda *a: None, is_enqueued=lambda *a: True)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("viewer@deliveries.test")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/t/{tenant.public_id}/channels/deliveries/")
    row = page.locator(f'#dispatches tr[data-dispatch="{dispatch.pk}"]')
    expect(row).to_have_attribute("data-unknown", "30")
    expect(row).to_contain_text("50 sent")
    expect(row).to_contain_text("30 unknown")
    expect(row).to_contain_text("70 pending")
    expect(page.locator("#unknown-note")).to_contain_text("30 messages with an unknown outcome")
    page.screenshot(path=str(SCREENSHOTS / "channels-deliveries-pending.png"), full_page=True)

    # The rest goes out while the page is open: it refreshes itself and stops once nothing is pending.
    for chunk in (1, 2):
        deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=chunk)
    expect(row).to_contain_text("120 sent", timeout=10_000)
    expect(row).to_contain_text("done")
    expect(page.locator("#dispatches-card")).to_have_attribute("data-pending", "0")
    page.screenshot(path=str(SCREENSHOTS / "channels-deliveries.png"), full_page=True)

    row.get_by_role("link").first.click()
    summary = page.locator("#dispatch-summary")
    expect(summary).to_have_attribute("data-unknown", "30")
    expect(page.locator('#status-counts [data-status="sent"]')).to_contain_text("120")
    expect(page.locator('#reasons tr[data-reason="worker_lost"]')).to_contain_text("30")
    page.screenshot(path=str(SCREENSHOTS / "channels-dispatch.png"))

    page.get_by_label("Status").select_option("unknown")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#ledger tr[data-delivery]")).to_have_count(30)
    expect(page.locator("#ledger")).to_contain_text("The worker stopped while the provider had the message")
    page.screenshot(path=str(SCREENSHOTS / "channels-dispatch-unknown.png"), full_page=True)
