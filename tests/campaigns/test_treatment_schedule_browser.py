"""In Chromium: the A/B step takes a start time for a treatment, and the settings page a default campaign hook."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from campaigns.models import Campaign
from campaigns.services import campaign_create
from engage.tenancy.models import Role, Tenant
from tests.campaigns.support import push_body, segment_all
from tests.factories import MembershipFactory, TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def owner_of_acme(login: Callable[[str], None]) -> Tenant:
    acme = TenantFactory(name="Acme", timezone="Europe/Paris")
    MembershipFactory(tenant=acme, user=UserFactory(email="owner@acme.test"), role=Role.OWNER)
    login("owner@acme.test")
    return acme


def test_the_ab_step_sets_a_treatments_own_start(
    page: Page, live_server: Any, login: Callable[[str], None], shot: Callable[[str], None]
) -> None:
    acme = owner_of_acme(login)
    campaign = campaign_create(tenant=acme, by="tests", body=push_body(segment_all(acme)))
    page.goto(f"{live_server.url}/t/{acme.public_id}/campaigns/{campaign.pk}/setup/treatments/")
    page.locator("details.treatment summary").first.click()
    page.get_by_label("Name").first.fill("Evening")
    page.get_by_label("Share %").first.fill("30")
    page.locator("#id_t1_push_title").fill("Tonight only")
    page.locator("#id_t1_push_body").fill("See you at 7")
    page.locator("#id_t1_start_at").fill("2030-03-01T19:00")
    shot("campaign-ab-treatment-start")
    with page.expect_navigation():
        page.get_by_role("button", name="Save & continue →").click()
    stored = Campaign.objects.get(pk=campaign.pk).additional_treatments[0]
    assert stored["Schedule"] == {"StartTime": "2030-03-01T19:00:00+01:00"} and stored["SizePercent"] == 30
    page.goto(f"{live_server.url}/t/{acme.public_id}/campaigns/{campaign.pk}/setup/treatments/")
    expect(page.locator("#id_t1_start_at")).to_have_value("2030-03-01T19:00")


def test_the_settings_page_takes_a_default_campaign_hook(
    page: Page, live_server: Any, login: Callable[[str], None], shot: Callable[[str], None]
) -> None:
    acme = owner_of_acme(login)
    page.goto(f"{live_server.url}/t/{acme.public_id}/settings/")
    page.get_by_label("Default campaign hook URL").fill("ftp://hooks.example.com/filter")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".has-error")).to_contain_text("https://")
    page.get_by_label("Default campaign hook URL").fill("https://hooks.example.com/filter")
    shot("settings-campaign-hook")
    with page.expect_navigation():
        page.get_by_role("button", name="Save settings").click()
    acme.refresh_from_db()
    assert acme.campaign_hook_url == "https://hooks.example.com/filter"
