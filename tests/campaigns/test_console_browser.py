"""The campaign console in Chromium with a real Celery worker: the wizard creates and launches an email campaign,
the worker sends it to the sandbox Outbox, k opens arrive through the real pixel URLs and the page reads k/N."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from campaigns.models import Campaign
from campaigns.tasks import tick
from channels.models import Delivery
from channels.models.ledger import PENDING_STATUSES
from channels.selectors import outbox
from engage.tenancy.models import Role, Tenant
from tests.campaigns.support import endpoints, segment_all
from tests.factories import PASSWORD, MembershipFactory, TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"
N, K = 5, 2


@pytest.fixture
def shot(page: Page) -> Callable[[str], None]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    return lambda name: page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True) and None


def log_in(page: Page, live_server: Any, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def settle(tenant: Tenant, total: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = Delivery.objects.filter(tenant=tenant)
        if rows.count() >= total and not rows.filter(status__in=PENDING_STATUSES).exists():
            return
        time.sleep(0.3)
    raise AssertionError("the campaign's messages were not all sent")


def test_it_creates_launches_and_reports_opens_of_an_email_campaign(
    celery_worker: Any, page: Page, live_server: Any, shot: Callable[[str], None]
) -> None:
    acme = TenantFactory(name="Acme")
    MembershipFactory(tenant=acme, user=UserFactory(email="marketer@acme.test"), role=Role.MARKETER)
    endpoints(acme, N, channel="EMAIL")
    endpoints(acme, 3, prefix="push")  # in the segment, not on email
    segment = segment_all(acme)
    log_in(page, live_server, "marketer@acme.test")

    page.get_by_role("button", name="Create your first campaign").click()
    dialog = page.get_by_role("dialog", name="New campaign")
    dialog.get_by_label("Name").fill("Spring sale")
    dialog.get_by_label("Description").fill("Twenty percent off the spring collection.")
    with page.expect_navigation():
        dialog.get_by_role("button", name="Continue setup →").click()

    page.get_by_label("Segment").select_option(segment.public_id)
    expect(page.locator("#eligible [data-count=eligible]")).to_have_text(str(N + 3))
    expect(page.locator("#eligible .channel-bars")).to_contain_text("Email")
    shot("campaign-wizard-segment")
    page.get_by_role("button", name="Save & continue →").click()

    page.locator("label.choice-card", has_text="Email").click()
    page.get_by_label("Subject").fill("Spring is here, {{User.UserId}}")
    page.get_by_label("HTML body").fill("<html><body><h1>20% off</h1><p>Hello {{User.UserId}}</p></body></html>")
    page.locator("#preview_endpoint").fill("ep1")
    expect(page.locator("#preview")).to_contain_text("Spring is here, u1")
    shot("campaign-wizard-message")
    page.get_by_role("button", name="Save & continue →").click()

    expect(page.get_by_role("heading", name="A/B test and holdout")).to_be_visible()
    shot("campaign-wizard-treatments")
    page.get_by_role("button", name="Save & continue →").click()
    expect(page.get_by_role("heading", name="When it sends")).to_be_visible()
    shot("campaign-wizard-schedule")
    page.get_by_role("button", name="Save & continue →").click()

    expect(page.locator(".launch-panel [data-count=eligible]")).to_have_text(str(N))
    shot("campaign-wizard-review")
    page.get_by_role("button", name="Launch campaign…").click()
    confirm = page.get_by_role("dialog", name=re.compile("Launch “Spring sale”"))
    expect(confirm).to_contain_text(f"Email messages to {N} eligible endpoints")
    shot("campaign-launch-confirm")
    with page.expect_navigation():
        confirm.get_by_role("button", name="Launch now").click()
    expect(page.locator(".messages")).to_contain_text("“Spring sale” launched.")
    shot("campaign-detail-running")

    settle(acme, N)
    tick()
    pixels = [re.search(r'<img src="([^"]+)"', m.payload["HtmlPart"]).group(1) for m in outbox(tenant=acme)]  # type: ignore[union-attr]
    assert len(pixels) == N
    opener = Client()
    for url in pixels[:K]:
        parts = urlsplit(url)
        assert opener.get(f"{parts.path}?{parts.query}" if parts.query else parts.path).status_code == 200
    page.reload()
    expect(page.locator("[data-kpi=sent] [data-value]")).to_have_text(str(N))
    expect(page.locator("[data-kpi=opens]")).to_contain_text(f"{K} / {N}")
    expect(page.locator("[data-kpi=opens] .kpi-rate")).to_have_text(f"{100 * K // N}%")
    expect(page.locator("#runs tbody tr")).to_have_count(1)
    assert Campaign.objects.get(tenant=acme).status == Campaign.Status.COMPLETED
    shot("campaign-detail")

    page.get_by_role("link", name="Campaigns").first.click()
    row = page.locator("#campaigns tbody tr", has_text="Spring sale")
    expect(row.locator("[data-metric=sent]")).to_have_text(str(N))
    expect(row.locator("[data-metric=opens]")).to_have_text(f"{100 * K // N}%")
    expect(row.locator("svg.spark")).to_be_visible()
    shot("campaigns-list")


def test_the_schedule_step_shows_the_event_fields_for_an_event_campaign(
    page: Page, live_server: Any, shot: Callable[[str], None]
) -> None:
    acme = TenantFactory(name="Acme")
    MembershipFactory(tenant=acme, user=UserFactory(email="marketer@acme.test"), role=Role.MARKETER)
    campaign = Campaign.objects.create(tenant=acme, name="Cart reminder")
    log_in(page, live_server, "marketer@acme.test")
    page.goto(f"{live_server.url}/t/{acme.public_id}/campaigns/{campaign.pk}/setup/schedule/")
    expect(page.get_by_label("Event", exact=True)).to_be_hidden()
    page.get_by_text("When an event occurs").click()
    expect(page.get_by_label("Start", exact=True)).to_be_hidden()
    page.get_by_label("Event", exact=True).fill("cart.abandoned")
    page.get_by_label("Attribute (optional)").fill("plan")
    shot("campaign-wizard-event")
    page.get_by_role("button", name="Save & continue →").click()
    expect(page.locator(".field.has-error")).to_contain_text("Give at least one value of the attribute.")
    page.get_by_label("is one of").fill("gold, silver")
    with page.expect_navigation():
        page.get_by_role("button", name="Save & continue →").click()
    campaign.refresh_from_db()
    assert campaign.frequency == Campaign.Frequency.EVENT
    assert campaign.event_filter["Dimensions"]["Attributes"]["plan"]["Values"] == ["gold", "silver"]
