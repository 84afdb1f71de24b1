"""The journey builder in Chromium: a 6-activity re-engagement journey built by clicking (segment entry → push →
wait 1 day → yes/no "opened?" → No: email → end), each activity configured in the side panel, undo/redo, zoom,
the review pane showing errors and then none, publish; screenshots in the test's tmp dir."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from campaigns.journeys.services.writes import journey_create
from campaigns.models import ActivityCount, Journey
from engage.tenancy.models import Role, Tenant
from tests.journeys.bodies import Audience, audience, simple

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def snap(page: Page, tmp_path: Path) -> Callable[[str], Path]:
    page.set_viewport_size({"width": 1440, "height": 900})

    def save(name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


def saved(page: Page) -> None:
    expect(page.locator("[data-status]")).to_have_text("All changes saved")


def add(page: Page, plus: int, kind: str) -> None:
    """Click the `plus`-th insertion point of the canvas and pick `kind` from the menu."""
    page.locator(".jb-plus").nth(plus).click()
    page.get_by_role("menuitem", name=kind, exact=True).click()
    expect(page.locator(".jb-panel")).to_be_visible()


def node(page: Page, activity_id: str) -> Any:
    return page.locator(f'[data-node="{activity_id}"]')


@pytest.fixture
def aud(tenant: Tenant, member_factory: Callable[..., Any]) -> Audience:
    member_factory(tenant, Role.MARKETER, "marketer@acme.test")
    return audience(tenant)


def test_it_builds_a_six_activity_journey_by_clicking_and_publishes_it(
    page: Page,
    live_server: Any,
    login: Callable[[str], None],
    snap: Callable[[str], Path],
    tenant: Tenant,
    aud: Audience,
) -> None:
    login("marketer@acme.test")
    page.goto(f"{live_server.url}/t/{tenant.public_id}/journeys/")
    page.get_by_role("button", name="Create your first journey").click()
    page.get_by_role("dialog", name="Create journey").get_by_label("Name").fill("Win back")
    with page.expect_navigation():
        page.get_by_role("button", name="Create and open builder").click()
    journey = Journey.objects.get(tenant=tenant)
    expect(page.locator("[data-review-count]")).to_contain_text("error")

    node(page, "__entry__").click()
    panel = page.locator(".jb-panel")
    panel.get_by_label("Segment", exact=True).select_option(aud.everyone.public_id)
    saved(page)
    panel.get_by_label("Re-read the segment").select_option("hours")
    panel.get_by_label("Every (hours)").fill("12")
    panel.get_by_label("Every (hours)").press("Tab")
    saved(page)

    add(page, 0, "Send push")
    panel.get_by_label("Template", exact=True).select_option("Offer")
    panel.get_by_label("Time to live (seconds)").fill("3600")
    panel.get_by_label("Description").fill("Come back offer")
    panel.get_by_label("Description").press("Tab")
    saved(page)
    expect(node(page, "push1")).to_contain_text("Come back offer")

    add(page, 1, "Wait")
    expect(panel.get_by_label("Wait for", exact=True)).to_have_value("1")
    expect(panel.get_by_label("Wait for unit")).to_have_value("D")

    add(page, 2, "Yes/no split")
    panel.get_by_role("button", name="+ Add condition").click()
    expect(panel.get_by_label("Message activity")).to_have_value("push1")
    panel.get_by_label("Event", exact=True).select_option("_push.opened_notification")
    panel.get_by_label("Evaluate", exact=True).select_option("for")
    panel.get_by_label("Evaluate after", exact=True).fill("2")
    panel.get_by_label("Evaluate after unit").select_option("H")
    saved(page)
    expect(page.locator(".jb-label", has_text="Yes")).to_be_visible()
    expect(page.locator(".jb-label", has_text="No")).to_be_visible()

    no_path = page.locator('.jb-plus[data-from="yesno1"][data-key="FalseActivity"]')
    no_path.click()
    page.get_by_role("menuitem", name="Send email", exact=True).click()
    panel.get_by_label("Sender address").fill("not an address")
    panel.get_by_label("Sender address").press("Tab")
    expect(panel.locator(".field.has-error .errorlist")).to_contain_text("Must be an email address")
    expect(page.locator("[data-status]")).to_contain_text("Not saved")
    panel.get_by_label("Sender address").fill("Shop <news@example.com>")
    panel.get_by_label("Sender address").press("Tab")
    saved(page)
    expect(panel.locator(".errorlist")).to_have_count(0)

    page.locator(".jb-plus").last.click()
    page.get_by_role("menuitem", name="End", exact=True).click()
    expect(page.locator("[data-status]")).to_have_text("This path already ends here.")
    expect(page.locator(".jb-end")).to_have_count(2)

    # Undo and redo, with the toolbar and the keyboard.
    node(page, "email1").click()
    panel.get_by_role("button", name="Delete activity").click()
    expect(node(page, "email1")).to_have_count(0)
    page.get_by_role("button", name="Undo").click()
    expect(node(page, "email1")).to_be_visible()
    page.get_by_role("button", name="Redo").click()
    expect(node(page, "email1")).to_have_count(0)
    page.locator(".jb-canvas").click(position={"x": 20, "y": 20})
    page.keyboard.press("Control+z")
    expect(node(page, "email1")).to_be_visible()
    saved(page)

    # Zoom and center.
    page.get_by_role("button", name="Zoom in").click()
    expect(page.locator("[data-zoom-level]")).to_have_text("110%")
    page.get_by_role("button", name="Zoom out").click()
    page.get_by_role("button", name="Zoom out").click()
    expect(page.locator("[data-zoom-level]")).to_have_text("90%")
    expect(page.locator(".jb-stage")).to_have_attribute("style", re.compile(r"scale\(0\.9\)"))
    page.get_by_role("button", name="Center").click()
    expect(page.locator("[data-zoom-level]")).to_have_text("100%")

    # The review: the email has no template yet (a badge on its card); "Go to activity" opens it.
    expect(node(page, "email1").locator("[data-badge]")).to_have_text("1")
    page.get_by_role("toolbar").get_by_role("button", name="Review").click()
    errors = panel.locator("[data-errors] li")
    expect(errors).to_have_count(1)
    expect(panel.get_by_role("button", name="Publish")).to_be_disabled()
    snap("builder-review-errors")
    errors.first.get_by_role("button", name="Go to activity").click()
    expect(panel.locator(".field.has-error")).to_contain_text("Template")
    panel.get_by_label("Template", exact=True).select_option("Welcome")
    saved(page)
    expect(node(page, "email1").locator("[data-badge]")).to_have_count(0)
    page.get_by_role("toolbar").get_by_role("button", name="Review").click()
    expect(panel.locator("[data-errors]")).to_have_text("No errors: the journey can run.")
    marks = panel.get_by_role("button", name="Mark as reviewed")
    for left in range(marks.count(), 0, -1):
        marks.first.click()
        expect(marks).to_have_count(left - 1)  # each mark is kept by the server before the pane redraws
    snap("builder-review-clean")
    with page.expect_navigation():
        panel.get_by_role("button", name="Publish").click()
    expect(page.locator("#journey-state")).to_have_text("Active")
    journey.refresh_from_db()
    assert journey.state == Journey.State.ACTIVE and journey.version == 1
    d = journey.definition
    assert d["StartActivity"] == "push1" and d["RefreshFrequency"] == "PT12H"
    assert d["StartCondition"] == {"SegmentStartCondition": {"SegmentId": aud.everyone.public_id}}
    assert d["Activities"]["push1"]["PUSH"] == {
        "NextActivity": "wait1", "TemplateName": "Offer", "MessageConfig": {"TimeToLive": "3600"}
    }  # fmt: skip
    assert d["Activities"]["wait1"]["Wait"] == {"NextActivity": "yesno1", "WaitTime": {"WaitFor": "P1D"}}
    split = d["Activities"]["yesno1"]["ConditionalSplit"]
    assert split["FalseActivity"] == "email1" and "TrueActivity" not in split
    assert split["EvaluationWaitTime"] == {"WaitFor": "PT2H"}
    condition = split["Condition"]["Conditions"][0]["EventCondition"]
    assert condition["MessageActivity"] == "push1"
    assert condition["Dimensions"]["EventType"]["Values"] == ["_push.opened_notification"]
    assert d["Activities"]["email1"]["EMAIL"]["TemplateName"] == "Welcome" and len(d["Activities"]) == 4

    # Live counts: HTMX re-reads them every few seconds while the journey runs.
    ActivityCount.objects.create(tenant=tenant, journey=journey, activity="push1", metric="entered", count=5)
    ActivityCount.objects.create(tenant=tenant, journey=journey, activity="push1", metric="sent", count=4)
    ActivityCount.objects.create(tenant=tenant, journey=journey, activity="yesno1", metric="branch:email1", count=3)
    expect(node(page, "push1").locator(".jb-counts")).to_contain_text("Sent 4", timeout=15_000)
    expect(node(page, "push1").locator(".jb-counts")).to_contain_text("In 5")
    expect(page.locator(".jb-label", has_text="No")).to_have_text("No · 3")
    page.get_by_role("button", name="Zoom out").click()
    page.get_by_role("button", name="Zoom out").click()
    page.get_by_role("button", name="Zoom out").click()
    assert snap("builder-published").stat().st_size > 10_000
    page.get_by_role("link", name="Journeys").first.click()
    expect(page.locator(f'tr[data-journey="{journey.pk}"]')).to_contain_text("Active")
    snap("journeys-list")


def test_it_configures_settings_entry_and_every_split_kind_in_the_panels(
    page: Page,
    live_server: Any,
    login: Callable[[str], None],
    snap: Callable[[str], Path],
    tenant: Tenant,
    aud: Audience,
) -> None:
    journey = journey_create(tenant=tenant, body={"Name": "Panels"}, by="tests")
    login("marketer@acme.test")
    page.goto(f"{live_server.url}/t/{tenant.public_id}/journeys/{journey.pk}/")
    panel = page.locator(".jb-panel")

    page.get_by_role("button", name="Settings").click()
    panel.get_by_label("Time zone of these dates").select_option("Europe/Paris")
    panel.get_by_label("Start", exact=True).fill("2030-01-02T09:30")
    panel.get_by_label("Start", exact=True).press("Tab")
    panel.get_by_label("Quiet time from").fill("21:00")
    panel.get_by_label("to", exact=True).fill("08:00")
    panel.get_by_label("to", exact=True).press("Tab")
    panel.get_by_label("Resume sending after quiet time").check()
    panel.get_by_label("Send only in weekday windows").check()
    panel.get_by_role("button", name="Add a time range on monday").click()
    panel.get_by_label("Messages per second").fill("10")
    panel.get_by_label("Messages per second").press("Tab")
    expect(panel.locator(".field.has-error")).to_contain_text("Messages per second")
    panel.get_by_label("Messages per second").fill("100")
    panel.get_by_label("Re-entry interval", exact=True).fill("2")
    panel.get_by_label("Re-entry interval unit").select_option("D")
    panel.get_by_label("Daily messages per endpoint (all journeys)").fill("5")
    panel.get_by_label("Daily messages per endpoint (all journeys)").press("Tab")
    saved(page)
    journey.refresh_from_db()
    d = journey.definition
    assert d["Schedule"] == {"StartTime": "2030-01-02T08:30:00Z", "Timezone": "Europe/Paris"}
    assert d["QuietTime"] == {"Start": "21:00", "End": "08:00"} and d["WaitForQuietTime"] is True
    assert d["SendingSchedule"] is True and set(d["OpenHours"]) == {"EMAIL", "SMS", "PUSH", "VOICE", "CUSTOM"}
    assert d["OpenHours"]["SMS"] == {"MONDAY": [{"StartTime": "09:00", "EndTime": "17:00"}]}
    assert d["Limits"] == {"DailyCap": 5, "MessagesPerSecond": 100, "EndpointReentryInterval": "P2D"}

    node(page, "__entry__").click()
    panel.get_by_label("When an event happens").check()
    panel.get_by_label("Event type").fill("signed_up")
    panel.get_by_label("Event type").press("Tab")
    panel.get_by_role("button", name="+ Metric").click()
    saved(page)
    journey.refresh_from_db()
    dims = journey.definition["StartCondition"]["EventStartCondition"]["EventFilter"]["Dimensions"]
    assert dims["EventType"]["Values"] == ["signed_up"] and dims["Metrics"]["metric1"]["ComparisonOperator"]

    add(page, 0, "Random split")
    panel.get_by_label("Branch 1 (%)").fill("60")
    panel.get_by_label("Branch 1 (%)").press("Tab")
    expect(panel.locator(".has-error")).to_contain_text("add up to 110")
    panel.get_by_label("Branch 2 (%)").fill("40")
    panel.get_by_label("Branch 2 (%)").press("Tab")
    saved(page)
    expect(page.locator(".jb-label", has_text="Branch 1 · 60%")).to_be_visible()
    page.locator('.jb-plus[data-from="random1"][data-key="Branches.1.NextActivity"]').click()
    page.get_by_role("menuitem", name="Holdout", exact=True).click()
    expect(page.locator(".jb-holdout")).to_contain_text("Held out")
    page.locator('.jb-plus[data-from="random1"][data-key="Branches.0.NextActivity"]').click()
    page.get_by_role("menuitem", name="Multivariate split", exact=True).click()
    panel.get_by_role("button", name="+ Add branch").click()
    expect(page.locator(".jb-label", has_text="Branch 3")).to_be_visible()
    expect(page.locator(".jb-label", has_text="Else")).to_be_visible()
    panel.get_by_role("button", name="+ Set condition").first.click()
    expect(panel.get_by_role("button", name="+ Set condition")).to_have_count(2)
    panel.get_by_label("Segment", exact=True).select_option(aud.vip.public_id)
    saved(page)
    journey.refresh_from_db()
    multi = journey.definition["Activities"]["multi1"]["MultiCondition"]
    assert multi["Branches"][0]["Condition"] == {"SegmentCondition": {"SegmentId": aud.vip.public_id}}
    assert len(multi["Branches"]) == 3 and journey.definition["StartActivity"] == "random1"
    snap("builder-splits")


def test_it_asks_to_mark_recommendations_as_reviewed_before_publishing(
    page: Page, live_server: Any, login: Callable[[str], None], tenant: Tenant, aud: Audience
) -> None:
    body = simple(aud, Name="Two emails")
    body["Activities"]["email1"]["EMAIL"]["NextActivity"] = "email2"
    body["Activities"]["email2"] = {"EMAIL": {"TemplateName": "Welcome", "NextActivity": "wait1"}}
    journey = journey_create(tenant=tenant, body=body, by="tests")
    login("marketer@acme.test")
    page.goto(f"{live_server.url}/t/{tenant.public_id}/journeys/{journey.pk}/?review=1")
    panel = page.locator(".jb-panel")
    expect(panel.locator("[data-errors]")).to_have_text("No errors: the journey can run.")
    recommendation = panel.locator("li", has_text="back to back")
    expect(recommendation).to_be_visible()
    expect(panel.get_by_role("button", name="Publish")).to_be_disabled()
    recommendation.get_by_role("button", name="Mark as reviewed").click()
    expect(panel.locator("li", has_text="back to back")).to_contain_text("Reviewed")
    with page.expect_navigation():
        panel.get_by_role("button", name="Publish").click()
    journey.refresh_from_db()
    assert journey.state == Journey.State.ACTIVE
