"""The audience pages through a real browser: find an endpoint, edit it, erase a user, watch events arrive live.

Each page is saved as a screenshot in var/screenshots/ (audience-*.png) so its layout can be looked at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from engage.events.models import Event
from engage.tenancy.models import AuditLog, Role, Tenant
from segments.models import Endpoint
from segments.services.endpoints import endpoints_upsert
from segments.services.ingest import events_ingest
from tests.factories import PASSWORD, MembershipFactory, TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture
def shot(page: Page) -> Callable[..., None]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(VIEWPORT)

    def save(name: str, full_page: bool = True) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"audience-{name}.png"), full_page=full_page)

    return save


@pytest.fixture
def acme(db: Any) -> Tenant:
    return TenantFactory(name="Acme", timezone="Asia/Seoul")


@pytest.fixture
def login(page: Page, live_server: Any) -> Callable[[Tenant, str], None]:
    def log_in(tenant: Tenant, role: str) -> None:
        email = f"{role}@acme.test"
        MembershipFactory(tenant=tenant, user=UserFactory(email=email), role=role)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        # Wait for the next page to load (deferred scripts included) before touching its controls.
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("link", name="Endpoints")).to_be_visible()

    return log_in


def seed(tenant: Tenant) -> None:
    jane = {"UserId": "jane.doe", "UserAttributes": {"FirstName": ["Jane"], "Interests": ["hiking", "jazz"]}}
    items: list[tuple[str, dict[str, Any]]] = [
        (
            "jane-mail",
            {
                "ChannelType": "EMAIL",
                "Address": "jane@example.com",
                "User": jane,
                "Attributes": {"Plan": ["pro"], "Teams": ["red", "blue"]},
                "Metrics": {"visits": 12},
                "Demographic": {"Platform": "ios", "Locale": "en_US", "Timezone": "Asia/Seoul"},
                "Location": {"Country": "KR", "City": "Seoul", "Latitude": 37.56, "Longitude": 126.97},
            },
        ),
        ("jane-phone", {"ChannelType": "SMS", "Address": "+821012345678", "User": {"UserId": "jane.doe"}}),
        ("jane-iphone", {"ChannelType": "APNS", "Address": "a1b2c3d4e5f6a1b2c3d4e5f6", "User": {"UserId": "jane.doe"}}),
        (
            "bob-mail",
            {"ChannelType": "EMAIL", "Address": "bob@example.org", "OptOut": "ALL", "User": {"UserId": "bob"}},
        ),
        ("kiosk-7", {"ChannelType": "CUSTOM", "Address": "https://hooks.example.com/kiosk/7"}),
        ("old-phone", {"ChannelType": "SMS", "Address": "+15555550100", "EndpointStatus": "INACTIVE"}),
        ("web-42", {"ChannelType": "IN_APP", "Address": "web-42", "User": {"UserId": "min.ji"}}),
    ]
    endpoints_upsert(tenant=tenant, items=items)


def put_event(tenant: Tenant, endpoint_id: str, event_type: str, key: str, **attributes: str) -> None:
    body = {
        "EventType": event_type,
        "Timestamp": "2026-11-23T09:30:00Z",
        "Attributes": attributes,
        "Metrics": {"amount": 19.99} if event_type == "purchase" else {},
        "Session": {"Id": "s-1", "StartTimestamp": "2026-11-23T09:29:00Z"},
    }
    events_ingest(tenant=tenant, batch={"BatchItem": {endpoint_id: {"Endpoint": {}, "Events": {key: body}}}})


def audience_url(live_server: Any, tenant: Tenant, path: str = "") -> str:
    return f"{live_server.url}/t/{tenant.public_id}/audience/{path}"


def test_it_explains_how_endpoints_arrive_when_there_are_none(
    page: Page, acme: Tenant, login: Callable[..., None], shot: Callable[..., None]
) -> None:
    login(acme, Role.VIEWER)
    page.get_by_role("link", name="Endpoints").click()
    empty = page.locator("#endpoints-empty")
    expect(empty).to_contain_text("No endpoints yet")
    expect(empty).to_contain_text(f"PUT /api/v1/tenants/{acme.public_id}/endpoints/")
    shot("endpoints-empty")


def test_it_finds_opens_and_edits_an_endpoint(
    page: Page, live_server: Any, acme: Tenant, login: Callable[..., None], shot: Callable[..., None]
) -> None:
    seed(acme)
    put_event(acme, "jane-mail", "purchase", "e1", item="socks")
    put_event(acme, "jane-mail", "_session.start", "e2")
    login(acme, Role.MARKETER)
    page.get_by_role("link", name="Endpoints").click()
    expect(page.locator("#endpoint-count")).to_contain_text("7 endpoints")
    shot("endpoints")

    page.get_by_label("Search endpoints").fill("jane")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#endpoints tbody tr")
    expect(rows).to_have_count(3)
    page.get_by_role("link", name="jane-mail").click()

    expect(page.get_by_role("heading", name="jane-mail")).to_be_visible()
    expect(page.locator("#event-rows")).to_contain_text("purchase")
    page.locator("#raw-json summary").click()
    expect(page.locator("#raw-json-text")).to_contain_text('"ApplicationId"')
    shot("endpoint")

    page.get_by_role("link", name="Edit endpoint").click()
    page.get_by_label("Address").fill("jane@@example")
    page.get_by_role("button", name="Save endpoint").click()
    expect(page.locator(".field.has-error")).to_contain_text("not a valid email address")
    page.evaluate("window.scrollTo(0, 0)")
    shot("endpoint-edit-error", full_page=False)  # the save bar is sticky: show it where the user sees it
    assert Endpoint.objects.get(tenant=acme, endpoint_id="jane-mail").address == "jane@example.com"

    page.get_by_label("Address").fill("jane@example.com")
    page.get_by_label("Attributes", exact=True).fill("Plan = enterprise\nTeams = red, blue")
    page.get_by_role("button", name="Save endpoint").click()
    expect(page.locator(".messages")).to_contain_text("Endpoint jane-mail saved.")
    attributes = page.locator("section", has=page.get_by_role("heading", name="Attributes", exact=True))
    expect(attributes).to_contain_text("enterprise")
    expect(attributes).not_to_contain_text("pro")
    assert Endpoint.objects.get(tenant=acme, endpoint_id="jane-mail").attributes["Plan"] == ["enterprise"]
    shot("endpoint-saved")


def test_it_shows_a_user_across_channels_and_erases_them_after_typed_confirmation(
    page: Page, live_server: Any, acme: Tenant, login: Callable[..., None], shot: Callable[..., None]
) -> None:
    seed(acme)
    put_event(acme, "jane-phone", "sms.reply", "e1", keyword="YES")
    login(acme, Role.MARKETER)
    page.goto(audience_url(live_server, acme, "endpoints/jane-mail/"))
    page.get_by_role("link", name="All endpoints of this user →").click()

    expect(page.locator("#user-endpoints tbody tr")).to_have_count(3)
    expect(page.locator("#event-rows")).to_contain_text("sms.reply")
    shot("user")

    page.get_by_role("button", name="Erase this user").click()
    dialog = page.get_by_role("dialog", name="Erase user jane.doe?")
    submit = dialog.get_by_role("button", name="Erase user")
    expect(submit).to_be_disabled()
    dialog.get_by_label("Type the user id to confirm").fill("jane.do")
    expect(submit).to_be_disabled()
    shot("user-erase")
    dialog.get_by_label("Type the user id to confirm").fill("jane.doe")
    submit.click()

    expect(page.locator(".messages")).to_contain_text("User jane.doe erased: 3 endpoints")
    assert not Endpoint.objects.filter(tenant=acme, user_id="jane.doe").exists()
    assert not Event.objects.filter(tenant=acme, endpoint_id="jane-phone").exists()
    assert AuditLog.objects.filter(tenant=acme, action="user.erase").count() == 1


def test_the_event_stream_receives_new_events_without_reloading(
    page: Page, live_server: Any, acme: Tenant, login: Callable[..., None], shot: Callable[..., None]
) -> None:
    seed(acme)
    for n, (endpoint_id, kind) in enumerate(
        [
            ("jane-mail", "_session.start"),
            ("bob-mail", "page.view"),
            ("jane-iphone", "level.up"),
            ("web-42", "purchase"),
        ]
    ):
        put_event(acme, endpoint_id, kind, f"e{n}", page="/pricing", level=str(n))
    login(acme, Role.VIEWER)
    page.goto(audience_url(live_server, acme))
    page.get_by_role("link", name="Events", exact=True).click()
    stream = page.locator("#event-rows")
    expect(stream.locator("details.event")).to_have_count(4)
    page.evaluate("window.stillTheSamePage = true")

    put_event(acme, "jane-phone", "checkout.completed", "live-1", cart="3 items")
    fresh = stream.locator("details.event").first
    expect(fresh).to_contain_text("checkout.completed", timeout=15_000)
    expect(stream.locator("details.event")).to_have_count(5)
    assert page.evaluate("window.stillTheSamePage") is True
    fresh.locator("summary").click()
    expect(fresh.locator(".event-body")).to_contain_text('"cart": "3 items"')
    expect(fresh.locator(".event-body")).to_contain_text('"Id": "s-1"')
    shot("events")

    page.evaluate(
        """() => {
            window.cancelledPolls = 0;
            window.polls = 0;
            window.addEventListener("htmx:beforeRequest", (e) => {
                if (e.defaultPrevented) window.cancelledPolls += 1;
            });
            window.addEventListener("htmx:afterRequest", () => { window.polls += 1; });
        }"""
    )
    page.get_by_role("button", name="Pause").click()
    expect(page.locator(".live-state")).to_have_text(re.compile("Paused"))
    put_event(acme, "bob-mail", "while.paused", "live-2")
    page.wait_for_function("window.cancelledPolls >= 1", timeout=15_000)
    expect(stream).not_to_contain_text("while.paused")
    shot("events-paused")
    page.get_by_role("button", name="Resume").click()
    expect(stream.locator("details.event").first).to_contain_text("while.paused", timeout=15_000)
    # One more poll after that: the cursor moved on, so nothing is shown twice.
    polls = page.evaluate("window.polls")
    page.wait_for_function(f"window.polls > {polls}", timeout=15_000)
    expect(stream.locator("details.event")).to_have_count(6)
    assert page.evaluate("window.stillTheSamePage") is True


def test_the_event_stream_filters_by_type(
    page: Page, live_server: Any, acme: Tenant, login: Callable[..., None]
) -> None:
    seed(acme)
    put_event(acme, "jane-mail", "purchase", "e1")
    put_event(acme, "bob-mail", "page.view", "e2")
    login(acme, Role.VIEWER)
    page.goto(audience_url(live_server, acme, "events/"))
    page.get_by_label("Event type").fill("purchase")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#event-rows details.event")).to_have_count(1)
    expect(page.locator("#event-rows")).to_contain_text("purchase")
    put_event(acme, "bob-mail", "page.view", "e3")
    put_event(acme, "web-42", "purchase", "e4")
    expect(page.locator("#event-rows details.event")).to_have_count(2, timeout=15_000)
    expect(page.locator("#event-rows")).not_to_contain_text("page.view")
