"""Rendering: the parts of each channel, default substitutions and the missing-variable policies, previews
for real endpoints or sample JSON, and precise template errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from segments.codec import endpoint_to_pinpoint
from segments.services.endpoints import endpoint_upsert
from templates.codec import template_request_parse
from templates.services.rendering import RenderingSkipped, template_render
from templates.services.templates import template_create
from tests.templates import pinpoint_bodies as pinpoint

pytestmark = pytest.mark.django_db

JANE = {"User": {"UserId": "jane", "UserAttributes": {"FirstName": ["Jane"]}}, "Attributes": {"OrderId": ["A-7"]}}
NOBODY: dict[str, Any] = {"User": {"UserId": "anon"}}


def url(tenant: Any, path: str = "") -> str:
    return f"/api/v1/tenants/{tenant.public_id}/templates/{path}"


def make(tenant: Any, body: dict[str, Any]) -> Any:
    return template_create(tenant=tenant, data=template_request_parse(body), by="tests")


def render(template: Any, endpoint: dict[str, Any], **kwargs: Any) -> Any:
    return template_render(
        template_version=template.active_version,
        endpoint_json=endpoint,
        application_id=template.tenant.public_id,
        **kwargs,
    )


def test_email_renders_every_part_and_escapes_only_the_html(tenant: Any) -> None:
    template = make(tenant, {**pinpoint.EMAIL, "Headers": [{"Name": "X-Order", "Value": "{{Attributes.OrderId.[0]}}"}]})
    rendered = render(template, {**JANE, "User": {"UserAttributes": {"FirstName": ["<Jane & Co>"]}}})

    assert rendered.parts["Subject"] == "Your order has shipped, <Jane & Co>"
    assert "<h1>Hi &lt;Jane &amp; Co&gt;</h1>" in rendered.parts["HtmlPart"]
    assert rendered.parts["TextPart"].startswith("Hi <Jane & Co>, order A-7")
    assert rendered.parts["Headers"] == [{"Name": "X-Order", "Value": "A-7"}]


def test_sms_push_voice_alimtalk_and_custom_render_their_parts(tenant: Any) -> None:
    sms = render(make(tenant, pinpoint.SMS), {**JANE, "Attributes": {"Code": ["123456"]}})
    assert sms.parts["Body"] == "Hi Jane, your code is 123456."
    assert (sms.sms.encoding, sms.sms.parts) == ("GSM-7", 1)

    push = render(make(tenant, pinpoint.PUSH), JANE)
    assert push.parts["Default"]["Body"] == "Jane, 40% off today"
    assert json.loads(push.parts["GCM"]["RawContent"]) == {"notification": {"title": "Sale for Jane"}}

    voice = render(make(tenant, pinpoint.VOICE), JANE)
    assert voice.parts["Body"].startswith("<speak>Hello Jane,")

    kakao = make(
        tenant,
        {
            "TemplateName": "shipped",
            "TemplateType": "ALIMTALK",
            "ALIMTALK": {
                "SenderKey": "abc123",
                "TemplateCode": "SHIP_01",
                "Text": "#{name}님, 주문 #{order}이 발송되었습니다.",
                "Variables": {"name": "{{User.UserAttributes.FirstName}}", "order": "{{Attributes.OrderId.[0]}}"},
                "Buttons": [{"Name": "배송 조회", "Type": "WL", "UrlMobile": "https://x.test/t/#{order}"}],
            },
        },
    )
    parts = render(kakao, JANE).parts
    assert parts["Text"] == "Jane님, 주문 A-7이 발송되었습니다."
    assert parts["Buttons"][0]["UrlMobile"] == "https://x.test/t/A-7"

    custom = make(
        tenant,
        {
            "TemplateName": "hook",
            "TemplateType": "CUSTOM",
            "CUSTOM": {"Data": {"text": 'Hi "{{User.UserAttributes.FirstName}}"', "n": 3, "tags": ["{{User.UserId}}"]}},
        },
    )
    assert render(custom, JANE).parts["Data"] == {"text": 'Hi "Jane"', "n": 3, "tags": ["jane"]}


def test_pinpoint_ids_reach_the_template(tenant: Any) -> None:
    template = make(
        tenant,
        {
            "TemplateName": "ids",
            "TemplateType": "SMS",
            "Body": "{{Pinpoint.ApplicationId}}/{{Pinpoint.CampaignId}}/{{Pinpoint.JourneyId}}",
        },
    )
    rendered = render(template, JANE, campaign_id="c1", journey_id="j1")
    assert rendered.parts["Body"] == f"{tenant.public_id}/c1/j1"


@pytest.mark.parametrize(
    ("policy", "body"),
    [("EMPTY", "Hi , code ."), ("DEFAULT", "Hi friend, code .")],
)
def test_missing_variables_render_empty_or_default(tenant: Any, policy: str, body: str) -> None:
    template = make(
        tenant,
        {
            "TemplateName": f"p-{policy}",
            "TemplateType": "SMS",
            "Body": "Hi {{User.UserAttributes.FirstName}}, code {{Attributes.Code}}.",
            "DefaultSubstitutions": {"User.UserAttributes.FirstName": "friend"},
            "MissingVariablePolicy": policy,
        },
    )
    rendered = render(template, NOBODY)
    assert rendered.parts["Body"] == body
    assert "Attributes.Code" in rendered.missing
    assert render(template, JANE).parts["Body"].startswith("Hi Jane,")


def test_skip_policy_skips_a_recipient_missing_a_variable_without_default(tenant: Any) -> None:
    template = make(
        tenant,
        {
            "TemplateName": "strict",
            "TemplateType": "SMS",
            "Body": "Hi {{User.UserAttributes.FirstName}}, code {{Attributes.Code}}.",
            "DefaultSubstitutions": {"User.UserAttributes.FirstName": "friend"},
            "MissingVariablePolicy": "SKIP",
        },
    )
    with pytest.raises(RenderingSkipped) as skipped:
        render(template, NOBODY)
    assert skipped.value.variables == ["Attributes.Code"]
    assert render(template, {"Attributes": {"Code": ["9"]}}).parts["Body"] == "Hi friend, code 9."


def test_render_api_previews_a_real_endpoint_sample_json_or_a_chosen_version(api: Any, tenant: Any) -> None:
    created = api.post(url(tenant), pinpoint.SMS, format="json").json()
    api.put(url(tenant, f"{created['Id']}/"), {"Body": "v2 for {{User.UserId}}"}, format="json")
    endpoint = endpoint_upsert(
        tenant=tenant,
        endpoint_id="jane-phone",
        data={
            "ChannelType": "SMS",
            "Address": "+15555550100",
            "User": {"UserId": "jane", "UserAttributes": {"FirstName": ["Jane"]}},
            "Attributes": {"Code": ["777"]},
        },
    )
    render_url = url(tenant, f"{created['Id']}/render/")

    by_endpoint = api.post(render_url, {"EndpointId": "jane-phone"}, format="json").json()
    assert by_endpoint["Message"]["Body"] == "Hi Jane, your code is 777."
    assert by_endpoint["Sms"] == {"Encoding": "GSM-7", "Parts": 1, "Characters": 26, "Units": 26}
    by_sample = api.post(render_url, {"Context": endpoint_to_pinpoint(endpoint, application_id="x")}, format="json")
    assert by_sample.json()["Message"]["Body"] == "Hi Jane, your code is 777."
    latest = api.post(render_url, {"Version": "2", "EndpointId": "jane-phone"}, format="json").json()
    assert latest["Message"]["Body"] == "v2 for jane"
    empty = api.post(render_url, {}, format="json").json()
    assert empty["Message"]["Body"] == "Hi friend, your code is ." and empty["MissingVariables"] == ["Attributes.Code"]


def test_render_api_reports_a_skip_without_failing(api: Any, tenant: Any) -> None:
    created = api.post(url(tenant), {**pinpoint.SMS, "MissingVariablePolicy": "SKIP"}, format="json").json()
    r = api.post(url(tenant, f"{created['Id']}/render/"), {"Context": {}}, format="json")
    assert r.status_code == 200
    assert r.json() == {"Skipped": True, "MissingVariables": ["Attributes.Code"], "Message": None}


def test_draft_render_gives_the_precise_error_with_line_and_column(api: Any, tenant: Any) -> None:
    r = api.post(
        url(tenant, "render/"),
        {"TemplateType": "EMAIL", "Subject": "Hi", "HtmlPart": "<p>\n  {{#each Items}}\n  {{name}}\n</p>"},
        format="json",
    )
    assert r.status_code == 400
    data = r.json()
    assert list(data["errors"]) == ["Email.HtmlPart"]
    assert data["positions"]["Email.HtmlPart"]["line"] == 2
    assert data["positions"]["Email.HtmlPart"]["column"] >= 1

    ok = api.post(
        url(tenant, "render/"),
        {"TemplateType": "SMS", "Body": "Hi {{User.UserId}}", "Context": {"User": {"UserId": "u1"}}},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["Message"]["Body"] == "Hi u1"
