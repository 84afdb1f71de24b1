"""The journey metrics and participants pages in Chromium: the charts, the activity table, the tabs and a lookup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from campaigns.journeys.metrics_period import metrics_zone
from engage import clock
from engage.tenancy.models import Membership, Tenant
from tests.journeys.metrics_support import journey_seed, ledger_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_metrics_page_draws_and_links_to_the_lookup(
    page: Page, live_server: Any, tenant: Tenant, owner: Membership, login: Callable[[str], None],
    shot: Callable[[str], None],
) -> None:  # fmt: skip
    journey = journey_seed(tenant)
    ledger_seed(journey)
    login(owner.user.email)
    page.goto(f"{live_server.url}/t/{tenant.public_id}/journeys/{journey.pk}/metrics/")
    expect(page.locator(".ring")).to_be_visible()
    expect(page.locator("#journey-kpis [data-kpi=entries] .kpi-value")).to_have_text("10")
    expect(page.locator("#not-sent svg")).to_contain_text("Quiet time")
    expect(page.locator("tr[data-activity=opened] .jm-branches li")).to_have_count(2)
    expect(page.locator("tr[data-activity=sms] .jm-eng")).to_contain_text("0.0129")
    shot("journey-metrics")
    today = clock.now().astimezone(metrics_zone(journey)).date().isoformat()
    page.locator("#period input[name=start]").fill(today)
    page.locator("#period input[name=end]").fill("2020-01-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    expect(page.locator("#period .errorlist")).to_have_text("The To date is before the From date.")
    page.locator("#period input[name=end]").fill(today)
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    expect(page.locator("#period-note")).to_contain_text(f"from {today}")
    expect(page.locator("tr[data-activity=mail] .jm-eng")).to_contain_text("Sent3")
    shot("journey-metrics-range")
    page.get_by_role("link", name="Participants").click()
    page.get_by_label("Value").fill("ep-w1")
    with page.expect_navigation():
        page.get_by_role("button", name="Look up").click()
    expect(page.locator("[data-participant] [data-field=activity]")).to_have_text("wait")
    shot("journey-participants")
