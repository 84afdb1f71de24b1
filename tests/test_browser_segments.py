"""Segments through a real browser: build a segment by clicking while the estimate follows, save it, explain an
endpoint, round-trip Pinpoint JSON through the visual editor, and set the audience guard.

Each page is saved as a screenshot in var/screenshots/ (segments-*.png) so its layout can be looked at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from engage.tenancy.models import AuditLog, Role, Tenant
from segments.models import AudienceGuard, Endpoint, ImportedMember, Segment
from segments.services.endpoints import endpoints_upsert
from segments.services.segments import segment_create
from tests.factories import PASSWORD, MembershipFactory, TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}

# Every kind of criterion the visual editor shows, in two groups: what a Pinpoint user might paste.
FULL = {
    "SegmentGroups": {
        "Include": "ANY",
        "Groups": [
            {
                "Type": "ANY",
                "SourceType": "ANY",
                "Dimensions": [
                    {
                        "Attributes": {"Plan": {"AttributeType": "INCLUSIVE", "Values": ["pro", "team"]}},
                        "UserAttributes": {
                            "Joined": {"AttributeType": "BETWEEN", "Values": ["2025-01-01", "2025-12-31"]}
                        },
                        "Metrics": {"visits": {"ComparisonOperator": "GREATER_THAN_OR_EQUAL", "Value": 3}},
                    },
                    {
                        "Demographic": {"Platform": {"DimensionType": "EXCLUSIVE", "Values": ["android"]}},
                        "Location": {
                            "Country": {"DimensionType": "INCLUSIVE", "Values": ["KR", "JP"]},
                            "GPSPoint": {
                                "Coordinates": {"Latitude": 37.56, "Longitude": 126.97},
                                "RangeInKilometers": 50,
                            },
                        },
                        "Behavior": {"Recency": {"RecencyType": "ACTIVE", "Duration": "DAY_7"}},
                    },
                ],
            },
            {
                "Type": "ALL",
                "SourceType": "NONE",
                "SourceSegments": [{"Id": "SOURCE"}],
                "Dimensions": [
                    {
                        "Events": [
                            {
                                "EventType": "purchase",
                                "Operator": "AT_LEAST",
                                "Count": 2,
                                "WithinDays": 30,
                                "Attributes": {"sku": ["A1"]},
                                "Metrics": {"price": {"ComparisonOperator": "GREATER_THAN", "Value": 10}},
                            },
                            {"EventType": "app.open", "Operator": "AT_MOST", "Count": 0, "WithinDays": 14},
                        ]
                    }
                ],
            },
        ],
    }
}


KOREA = {"Dimensions": {"Location": {"Country": {"DimensionType": "INCLUSIVE", "Values": ["KR"]}}}}


@pytest.fixture
def shot(page: Page) -> Callable[..., None]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(VIEWPORT)

    def save(name: str) -> None:
        # The whole page at its full height, so the sticky save bar sits where it ends rather than over the content.
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size(ViewportSize(width=VIEWPORT["width"], height=max(VIEWPORT["height"], height)))
        page.screenshot(path=str(SCREENSHOTS / f"segments-{name}.png"), full_page=True, animations="disabled")
        page.set_viewport_size(VIEWPORT)

    return save


@pytest.fixture
def acme(db: Any) -> Tenant:
    return cast(Tenant, TenantFactory(name="Acme", timezone="Asia/Seoul"))


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
        expect(page.locator("nav.nav").get_by_role("link", name="Segments")).to_be_visible()

    return log_in


def seed(tenant: Tenant) -> None:
    def ep(plan: str, platform: str, country: str, **extra: Any) -> dict[str, Any]:
        return {
            "ChannelType": "EMAIL",
            "Attributes": {"Plan": [plan]},
            "Demographic": {"Platform": platform},
            "Location": {"Country": country},
            "User": {"UserAttributes": {"real_user": ["true"]}},
            **extra,
        }

    items = [
        (
            "jane-mail",
            {
                **ep("pro", "ios", "KR"),
                "Address": "jane@example.com",
                "Metrics": {"visits": 12},
                "User": {"UserAttributes": {"real_user": ["true"], "Joined": ["2025-03-14T09:00:00Z"]}},
            },
        ),
        ("min-mail", {**ep("pro", "ios", "KR"), "Address": "min@example.com"}),
        ("bob-mail", {**ep("pro", "android", "US"), "Address": "bob@example.org"}),
        ("ana-mail", {**ep("pro", "ios", "US"), "Address": "ana@example.org", "OptOut": "ALL"}),
        ("kim-mail", {**ep("free", "ios", "KR"), "Address": "kim@example.com"}),
        ("lee-mail", {**ep("free", "android", "KR"), "Address": "lee@example.com"}),
        ("bot-7", {**ep("free", "android", "US"), "Address": "bot7@example.net", "User": {}}),
        ("old-mail", {**ep("team", "ios", "JP"), "Address": "old@example.jp", "EndpointStatus": "INACTIVE"}),
    ]
    endpoints_upsert(tenant=tenant, items=items)


def segments_url(live_server: Any, tenant: Tenant, path: str = "") -> str:
    return f"{live_server.url}/t/{tenant.public_id}/audience/segments/{path}"


def total(page: Page) -> Any:
    return page.locator("#estimate [data-count=total]")


def test_it_builds_a_segment_by_clicking_saves_it_and_explains_an_endpoint(
    page: Page, acme: Tenant, login: Callable[..., None], shot: Callable[..., None]
) -> None:
    seed(acme)
    login(acme, Role.MARKETER)
    page.locator("nav.nav").get_by_role("link", name="Segments").click()
    expect(page.locator("#segments-empty")).to_contain_text("No segments yet")
    shot("list-empty")

    page.get_by_role("link", name="Build a segment").click()
    expect(total(page)).to_have_text("8")
    page.get_by_label("Name", exact=True).fill("Pro users on iOS")

    page.get_by_label("Add a filter").select_option("attribute")
    first = page.locator("[data-filter]").nth(0)
    first.get_by_label("Attribute name").fill("Plan")
    first.get_by_label("Values").fill("pro")
    first.get_by_label("Values").press("Enter")
    expect(first.locator(".token")).to_have_text(re.compile("pro"))
    expect(total(page)).to_have_text("4")

    page.get_by_label("Add a filter").select_option("demographic")
    second = page.locator("[data-filter]").nth(1)
    expect(second.get_by_label("Device field")).to_have_value("Platform")
    second.get_by_label("Values").click()
    expect(second.locator("datalist option[value=ios]")).to_have_count(1)  # suggested from the tenant's data
    second.get_by_label("Values").fill("ios")
    second.get_by_label("Values").press("Enter")
    expect(total(page)).to_have_text("3")
    expect(page.locator("#estimate [data-count=eligible-before-guard]")).to_have_text("2")  # ana opted out
    expect(page.locator("#sample li")).to_have_count(3)
    shot("builder")

    # A criterion the server refuses shows its field-level error on that filter, in place of the counts.
    page.get_by_label("Add a filter").select_option("event")
    event = page.locator("[data-filter]").nth(2)
    event.get_by_label("Event type").fill("purchase")
    event.get_by_label("Days").fill("999")
    expect(page.locator("#estimate .estimate-error")).to_contain_text("WithinDays must be 1–366")
    expect(event.locator("[data-filter-error]")).to_contain_text("WithinDays must be 1–366")
    shot("builder-error")
    event.get_by_role("button", name="Remove filter").click()
    expect(total(page)).to_have_text("3")

    page.get_by_role("button", name="Create segment").click()
    expect(page.get_by_role("heading", name="Pro users on iOS")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("created — version 1")
    expect(page.locator("#summary")).to_contain_text("Attribute Plan is pro")
    expect(page.locator("#summary")).to_contain_text("Platform is ios")
    expect(total(page)).to_have_text("3")
    segment = Segment.objects.get(tenant=acme, name="Pro users on iOS")
    criteria = {
        "Attributes": {"Plan": {"AttributeType": "INCLUSIVE", "Values": ["pro"]}},
        "Demographic": {"Platform": {"DimensionType": "INCLUSIVE", "Values": ["ios"]}},
    }
    group = {"Type": "ALL", "SourceType": "ANY", "Dimensions": [criteria]}
    assert segment.definition == {"SegmentGroups": {"Include": "ALL", "Groups": [group]}}

    page.get_by_label("Endpoint id").fill("kim-mail")
    page.get_by_role("button", name="Explain").click()
    expect(page.locator("#verdict")).to_contain_text("is not in “Pro users on iOS”")
    expect(page.locator("#verdict-criteria li.bad")).to_contain_text("Attributes.Plan is any of [pro]")
    expect(page.locator("#verdict-criteria li.ok")).to_contain_text("Demographic.Platform is any of [ios]")
    shot("detail")

    page.get_by_role("link", name="Open endpoint →").click()
    page.get_by_label("Segment", exact=True).select_option(label="Pro users on iOS")
    page.locator("#segment-check").get_by_role("button", name="Explain").click()
    expect(page.locator("#segment-check-result #verdict")).to_contain_text("kim-mail is not in “Pro users on iOS”")

    imported = Segment.objects.create(
        tenant=acme,
        name="Newsletter list (March)",
        kind=Segment.Kind.IMPORT,
        import_format="CSV",
        import_source="s3://acme-audience/newsletter/march.csv",
        import_size=3,
        channel_counts={"EMAIL": 3},
    )
    for endpoint in Endpoint.objects.filter(tenant=acme, endpoint_id__in=["jane-mail", "kim-mail", "bot-7"]):
        ImportedMember.objects.create(segment=imported, endpoint=endpoint)
    segment_create(tenant=acme, body={"Name": "Everyone in Korea", **KOREA}, by="tests")
    page.locator("nav.nav").get_by_role("link", name="Segments").click()
    expect(page.locator("#segments tbody tr")).to_have_count(3)
    expect(page.locator(f"[data-segment='{segment.public_id}'] .est-cell")).to_contain_text("2 / 3")
    expect(page.locator(f"[data-segment='{imported.public_id}'] .est-cell")).to_contain_text("3 / 3")
    shot("list")

    page.get_by_role("link", name="Newsletter list (March)").click()
    expect(page.locator("#h-import")).to_be_visible()
    expect(page.get_by_text("s3://acme-audience/newsletter/march.csv")).to_be_visible()
    expect(total(page)).to_have_text("3")
    shot("imported")
    page.get_by_role("button", name="Refine with filters").click()
    expect(page.get_by_role("heading", name="Edit segment")).to_be_visible()
    expect(page.locator("[data-group] .token.source")).to_contain_text("Newsletter list (March)")
    expect(total(page)).to_have_text("3")


def test_pinpoint_json_round_trips_through_the_visual_editor(
    page: Page, live_server: Any, acme: Tenant, login: Callable[..., None], shot: Callable[..., None]
) -> None:
    seed(acme)
    churned = {"Dimensions": {"Attributes": {"Plan": {"Values": ["free"]}}}}
    base = segment_create(tenant=acme, body={"Name": "Churned last year", **churned}, by="tests")
    definition = json.loads(json.dumps(FULL).replace("SOURCE", base.public_id))
    login(acme, Role.MARKETER)
    page.goto(segments_url(live_server, acme, "new/"))

    page.get_by_role("button", name="Edit as JSON").click()
    page.get_by_label("Definition (JSON)").fill('{"SegmentGroups": ')
    page.get_by_role("button", name="Visual").click()
    expect(page.locator("[data-json-error]")).to_contain_text("not valid JSON")
    page.get_by_label("Name", exact=True).fill("Broken")
    page.get_by_role("button", name="Create segment").click()  # the server refuses it and keeps the text
    expect(page.locator("#save-error")).to_contain_text("The definition is not valid JSON")
    expect(page.get_by_label("Definition (JSON)")).to_have_value('{"SegmentGroups": ')
    page.get_by_label("Definition (JSON)").fill(json.dumps(definition))
    page.get_by_role("button", name="Visual").click()

    expect(page.locator("[data-group]")).to_have_count(2)
    expect(page.locator("[data-filter]")).to_have_count(9)
    expect(page.get_by_label("How the two segment groups combine")).to_have_value("ANY")
    expect(page.locator("[data-group]").nth(1).locator(".token.source")).to_contain_text("Churned last year")
    page.get_by_label("Name", exact=True).fill("Everything at once")
    expect(total(page)).to_have_text("1")  # jane: a pro who joined in 2025 with 12 visits
    shot("builder-full")

    page.get_by_role("button", name="Edit as JSON").click()
    assert json.loads(page.get_by_label("Definition (JSON)").input_value()) == definition
    shot("builder-json")
    page.get_by_role("button", name="Visual").click()
    page.get_by_role("button", name="Create segment").click()
    expect(page.locator(".messages")).to_contain_text("created")
    assert Segment.objects.get(tenant=acme, name="Everything at once").definition == definition
    expect(page.locator("#summary")).to_contain_text("did not perform app.open in the last 14 days")
    shot("detail-full")


def test_an_admin_sets_the_audience_guard_with_the_builder(
    page: Page, acme: Tenant, login: Callable[..., None], shot: Callable[..., None]
) -> None:
    seed(acme)
    login(acme, Role.ADMIN)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Audience guard").click()
    expect(page.locator("#estimate")).to_contain_text("hold nobody back")

    page.get_by_label("Add a filter").select_option("user_attribute")
    row = page.locator("[data-filter]").nth(0)
    row.get_by_label("Attribute name").fill("real_user")
    row.get_by_label("Values").fill("true")
    row.get_by_label("Values").press("Enter")
    expect(page.locator("#estimate [data-count=excluded]")).to_have_text("1")  # bot-7 has no real_user
    expect(page.locator("#estimate [data-count=eligible]")).to_have_text("5")
    page.locator("label.switch").click()
    shot("guard")
    page.get_by_role("button", name="Save audience guard").click()

    expect(page.locator(".messages")).to_contain_text("Audience guard saved.")
    guard = AudienceGuard.objects.get(tenant=acme)
    assert guard.enabled
    assert guard.definition == {
        "Dimensions": {"UserAttributes": {"real_user": {"AttributeType": "INCLUSIVE", "Values": ["true"]}}}
    }
    assert AuditLog.objects.filter(tenant=acme, action="audience_guard.set").exists()
    expect(page.locator("nav.nav a.active")).to_have_text("Settings")
