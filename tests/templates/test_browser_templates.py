"""The template editors through a real browser: live preview while typing, the SMS counter, the attribute
finder, a real endpoint as the recipient, syntax errors with line and column, history with a diff.

Each page is saved as a screenshot in var/screenshots/ (templates-*.png) so its layout can be looked at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from engage.tenancy.models import Role, Tenant
from segments.services.endpoints import endpoints_upsert
from templates.codec import template_request_parse
from templates.models import MessageTemplate
from templates.services.templates import template_create, template_update
from tests.factories import PASSWORD, MembershipFactory, TenantFactory, UserFactory
from tests.templates import pinpoint_bodies as pinpoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"
VIEWPORT = {"width": 1440, "height": 900}
UNSTICK = ".save-bar, .preview-col { position: static !important; max-height: none !important; }"


@pytest.fixture
def shot(page: Page) -> Callable[..., None]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(VIEWPORT)

    def save(name: str, full_page: bool = True) -> None:
        # A full-page capture keeps the viewport's height for sticky bars: lay them out in flow for the picture.
        style = page.add_style_tag(content=UNSTICK) if full_page else None
        page.screenshot(path=str(SCREENSHOTS / f"templates-{name}.png"), full_page=full_page)
        if style is not None:
            style.evaluate("element => element.remove()")

    return save


@pytest.fixture
def acme(db: Any) -> Tenant:
    tenant = TenantFactory(name="Acme", timezone="Asia/Seoul")
    endpoints_upsert(
        tenant=tenant,
        items=[
            (
                "jane-phone",
                {
                    "ChannelType": "SMS",
                    "Address": "+821012345678",
                    "User": {"UserId": "jane", "UserAttributes": {"FirstName": ["Jane"]}},
                    "Attributes": {"Plan": ["pro"]},
                },
            ),
            (
                "jane-mail",
                {
                    "ChannelType": "EMAIL",
                    "Address": "jane@example.com",
                    "User": {"UserId": "jane", "UserAttributes": {"FirstName": ["Jane"]}},
                },
            ),
        ],
    )
    return tenant


@pytest.fixture
def login(page: Page, live_server: Any) -> Callable[[Tenant, str], str]:
    def log_in(tenant: Tenant, role: str) -> str:
        email = f"{role}@acme.test"
        MembershipFactory(tenant=tenant, user=UserFactory(email=email), role=role)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        # Wait for the next page to load (deferred scripts included) before touching its controls.
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("link", name="Templates")).to_be_visible()
        return f"{live_server.url}/t/{tenant.public_id}/templates/"

    return log_in


def make(tenant: Tenant, body: dict[str, Any]) -> MessageTemplate:
    return template_create(tenant=tenant, data=template_request_parse(body), by="tests")


def test_an_sms_is_written_with_live_preview_counter_and_finder(
    page: Page, acme: Tenant, login: Callable[..., str], shot: Callable[..., None]
) -> None:
    base = login(acme, Role.MARKETER)
    page.get_by_role("link", name="Templates").click()
    expect(page.get_by_role("heading", name="No templates yet")).to_be_visible()
    shot("empty")

    page.locator("#templates-empty").get_by_role("link", name=re.compile("SMS")).click()
    expect(page.get_by_role("heading", name="New SMS template")).to_be_visible()
    page.get_by_label("Template name").fill("otp-code")
    body = page.locator("#f-Body")
    body.fill("Hi ")
    page.get_by_role("button", name="User.UserAttributes.FirstName").click()
    body.press("End")
    body.type(", your code is 123456.")
    expect(body).to_have_value("Hi {{User.UserAttributes.FirstName}}, your code is 123456.")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Hi Jane, your code is 123456.")
    expect(page.locator("#sms-counter")).to_contain_text("GSM-7")
    expect(page.locator("#sms-counter")).to_contain_text("1 part")

    body.press("End")
    body.type(" 감사합니다")
    expect(page.locator("#sms-counter")).to_contain_text("UCS-2")
    expect(preview).to_contain_text("감사합니다")

    page.get_by_label("A real endpoint").check()
    page.get_by_label("Endpoint id").fill("jane-phone")
    expect(preview).to_contain_text("Rendered for jane-phone")
    shot("sms-editor")

    page.locator(".save-bar").get_by_role("button", name="Create template").click()
    expect(page.get_by_text("Template “otp-code” created. Version 1 is the active version.")).to_be_visible()
    template = MessageTemplate.objects.get(tenant=acme, name="otp-code")
    assert template.active_version.content["Body"].endswith("감사합니다")
    assert page.url == f"{base}{template.pk}/"


def test_an_email_shows_its_html_and_points_at_syntax_errors(
    page: Page, acme: Tenant, login: Callable[..., str], shot: Callable[..., None]
) -> None:
    template = make(acme, pinpoint.EMAIL)
    base = login(acme, Role.MARKETER)
    page.goto(f"{base}{template.pk}/")
    frame = page.frame_locator("iframe.mail-html")
    expect(frame.locator("h1")).to_have_text("Hi Jane")
    expect(page.locator("#preview")).to_contain_text("Your order has shipped, Jane")
    shot("email-editor")

    html = page.get_by_label("HTML body")
    html.fill("<h1>Hi {{User.UserAttributes.FirstName}}</h1>\n<p>{{#if Attributes.OrderId}}Order ready</p>")
    problems = page.locator(".problems")
    expect(problems).to_contain_text("Email.HtmlPart")
    expect(problems).to_contain_text("line 2")
    shot("email-error", full_page=False)

    html.fill("<h1>Hi {{User.UserAttributes.FirstName}}</h1>\n<p>Order {{Attributes.OrderId.[0]}} ready</p>")
    expect(frame.locator("p")).to_have_text("Order  ready")
    expect(page.locator(".missing")).to_contain_text("Attributes.OrderId")
    page.locator(".save-bar").get_by_role("button", name="Save as version 2").click()
    expect(page.get_by_text("Saved as version 2. Version 1 stays active")).to_be_visible()

    page.get_by_role("link", name="Version history").click()
    expect(page.locator("#versions tbody tr")).to_have_count(2)
    expect(page.locator(".diff-summary")).to_contain_text("v1 → v2")
    expect(page.locator("table.diff mark").first).to_be_visible()
    shot("history")
    page.get_by_label("Unified").check()
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("table.diff.unified tr.added").first).to_be_visible()
    shot("history-unified")

    page.locator("tr[data-version='2']").get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Version 2 is now the active version")).to_be_visible()
    page.locator("tr[data-version='1']").get_by_role("button", name="Restore").click()
    expect(page.get_by_text("Version 1 restored as version 3")).to_be_visible()
    template.refresh_from_db()
    assert (template.active_version.number, template.latest_version.number) == (2, 3)


def test_the_library_and_the_other_editors(
    page: Page, acme: Tenant, login: Callable[..., str], shot: Callable[..., None]
) -> None:
    for body in (pinpoint.EMAIL, pinpoint.SMS, pinpoint.PUSH, pinpoint.VOICE, pinpoint.INAPP):
        make(acme, body)
    carousel = make(
        acme,
        {**pinpoint.INAPP, "TemplateName": "tour", "Layout": "CAROUSEL", "Content": [pinpoint.INAPP["Content"][0]] * 3},
    )
    kakao = make(
        acme,
        {
            "TemplateName": "shipped-kakao",
            "TemplateType": "ALIMTALK",
            "TemplateDescription": "배송 알림",
            "ALIMTALK": {
                "SenderKey": "a1b2c3d4e5",
                "TemplateCode": "SHIP_01",
                "Text": "#{name}님, 주문하신 상품이 발송되었습니다.\n운송장 번호: #{tracking}",
                "Variables": {"name": "{{User.UserAttributes.FirstName}}", "tracking": "{{Attributes.Plan}}"},
                "Buttons": [{"Name": "배송 조회", "Type": "WL", "UrlMobile": "https://x.test/t"}],
            },
        },
    )
    custom = make(
        acme,
        {
            "TemplateName": "slack-hook",
            "TemplateType": "CUSTOM",
            "CUSTOM": {"Data": {"text": "New signup: {{User.UserId}}", "channel": "#growth"}},
        },
    )
    sms = MessageTemplate.objects.get(tenant=acme, name="otp_code")
    template_update(
        template=sms,
        data=template_request_parse({"Body": "v2 {{User.UserId}}"}, channel="SMS", name="otp_code"),
        by="tests",
    )
    base = login(acme, Role.MARKETER)

    page.goto(base)
    expect(page.locator("#templates tbody tr")).to_have_count(8)
    shot("library")
    page.get_by_role("link", name=re.compile(r"^Push notification")).click()
    expect(page.locator("#templates tbody tr")).to_have_count(1)
    page.get_by_role("button", name="New template").click()
    expect(page.locator("#new-template")).to_be_visible()
    shot("new-dialog", full_page=False)

    for name, template, check in [
        ("push", MessageTemplate.objects.get(name="flash_sale"), ".notification"),
        ("inapp", MessageTemplate.objects.get(name="welcome_banner"), ".device .inapp-msg"),
        ("carousel", carousel, ".device .inapp-msg >> nth=2"),
        ("alimtalk", kakao, ".kakao-text"),
        ("custom", custom, "pre[data-part=Data]"),
        ("voice", MessageTemplate.objects.get(name="appointment"), "pre[data-part=Body]"),
    ]:
        page.goto(f"{base}{template.pk}/")
        expect(page.locator("#preview " + check).first).to_be_visible()
        shot(f"{name}-editor")
    page.goto(f"{base}{kakao.pk}/")
    expect(page.locator(".kakao-text")).to_contain_text("Jane님, 주문하신 상품이 발송되었습니다.")


def test_a_viewer_previews_without_editing(
    page: Page, acme: Tenant, login: Callable[..., str], shot: Callable[..., None]
) -> None:
    template = make(acme, pinpoint.SMS)
    base = login(acme, Role.VIEWER)
    page.goto(f"{base}{template.pk}/")
    expect(page.locator("#preview")).to_contain_text("Rendered for sample JSON")
    expect(page.locator("#preview")).to_contain_text("Hi Jane, your code is .")
    expect(page.get_by_role("button", name=re.compile("Save as version"))).to_have_count(0)
    expect(page.locator("#f-Body")).to_have_attribute("readonly", "")
    page.get_by_label("A real endpoint").check()
    page.get_by_label("Endpoint id").fill("jane-phone")
    expect(page.locator("#preview")).to_contain_text("Rendered for jane-phone")
    shot("viewer")
