"""The builder in Chromium: an in-app activity added from the menu and configured in its panel (template, priority,
display caps, the app event that shows it), and review marks that survive a reload; screenshots in tmp."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from campaigns.journeys.services.writes import journey_create
from campaigns.models import Journey
from engage.tenancy.models import Role, Tenant
from tests.journeys.bodies import audience, simple
from tests.journeys.test_inapp import banner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_adds_an_inapp_activity_and_keeps_review_marks_across_reloads(
    page: Page, live_server: Any, login: Callable[[str], None], tenant: Tenant, tmp_path: Path,
    member_factory: Callable[..., Any],
) -> None:  # fmt: skip
    member_factory(tenant, Role.MARKETER, "marketer@acme.test")
    banner(tenant)
    body = simple(audience(tenant), Name="Two emails")
    body["Activities"]["email1"]["EMAIL"]["NextActivity"] = "email2"
    body["Activities"]["email2"] = {"EMAIL": {"TemplateName": "Welcome", "NextActivity": "wait1"}}
    journey = journey_create(tenant=tenant, body=body, by="tests")
    page.set_viewport_size({"width": 1440, "height": 900})
    login("marketer@acme.test")
    page.goto(f"{live_server.url}/t/{tenant.public_id}/journeys/{journey.pk}/")

    page.locator('.jb-plus[data-from="sms1"]').click()
    page.get_by_role("menuitem", name="Show in-app message", exact=True).click()
    panel = page.locator(".jb-panel")
    panel.get_by_label("Template", exact=True).select_option("Banner")
    panel.get_by_label("Priority").select_option("1")
    panel.get_by_label("Per session").fill("1")
    panel.get_by_label("In total").fill("3")
    panel.get_by_label("Show when the app records").fill("level_up")
    panel.get_by_label("Show when the app records").press("Tab")
    expect(page.locator("[data-status]")).to_have_text("All changes saved")
    expect(page.locator('[data-node="inapp1"]')).to_contain_text("Banner")
    page.screenshot(path=str(tmp_path / "builder-inapp.png"), full_page=True)
    journey.refresh_from_db()
    assert journey.definition["Activities"]["inapp1"]["INAPP"] == {
        "TemplateName": "Banner",
        "MessageConfig": {
            "Priority": 1, "SessionCap": 1, "TotalCap": 3,
            "EventFilter": {"FilterType": "SYSTEM", "Dimensions": {
                "EventType": {"DimensionType": "INCLUSIVE", "Values": ["level_up"]}}},
        },
    }  # fmt: skip

    page.get_by_role("toolbar").get_by_role("button", name="Review").click()
    recommendation = panel.locator("li", has_text="back to back")
    recommendation.get_by_role("button", name="Mark as reviewed").click()
    expect(recommendation).to_contain_text("Reviewed")
    page.reload()
    page.get_by_role("toolbar").get_by_role("button", name="Review").click()
    expect(panel.locator("li", has_text="back to back")).to_contain_text("Reviewed")
    page.screenshot(path=str(tmp_path / "builder-reviewed.png"), full_page=True)
    assert Journey.objects.get(pk=journey.pk).reviewed
