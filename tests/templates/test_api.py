"""The templates REST API: Pinpoint bodies in and out, limits with field-level errors, tenant isolation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engage.tenancy.models import AuditLog, Role
from templates.models import MessageTemplate, TemplateVersion
from tests.templates import pinpoint_bodies as pinpoint

pytestmark = pytest.mark.django_db

READ_ONLY = {"Arn", "CreationDate", "LastModifiedDate", "Version"}


def url(tenant: Any, path: str = "") -> str:
    return f"/api/v1/tenants/{tenant.public_id}/templates/{path}"


def create(api: Any, tenant: Any, body: dict[str, Any]) -> dict[str, Any]:
    r = api.post(url(tenant), body, format="json")
    assert r.status_code == 201, r.content
    return r.json()


@pytest.mark.parametrize(
    "body",
    [pinpoint.EMAIL, pinpoint.SMS, pinpoint.PUSH, pinpoint.VOICE, pinpoint.INAPP],
    ids=["email", "sms", "push", "voice", "inapp"],
)
def test_it_creates_a_template_from_a_pinpoint_get_response_posted_as_is(api: Any, tenant: Any, body: dict) -> None:
    created = create(api, tenant, body)

    assert created["TemplateName"] == body["TemplateName"]
    assert created["TemplateType"] == body["TemplateType"]
    assert created["Version"] == "1"  # Pinpoint's "Version" is read-only: numbering starts afresh
    assert created["ActiveVersion"] == created["LatestVersion"] == "1"
    assert created["Arn"].endswith(f"templates/{body['TemplateName']}/{body['TemplateType']}")
    assert created["CreationDate"] != body["CreationDate"]
    for key, value in body.items():
        if key not in READ_ONLY:
            if key == "DefaultSubstitutions":
                assert json.loads(created[key]) == json.loads(value)
            else:
                assert created[key] == value, key
    again = api.get(url(tenant, f"{created['Id']}/")).json()
    assert {k: v for k, v in again.items() if k != "LastModifiedDate"} == {
        k: v for k, v in created.items() if k != "LastModifiedDate"
    }


def test_it_accepts_a_boto3_response_with_its_wrapper_and_metadata(api: Any, tenant: Any) -> None:
    boto3_result = {"SMSTemplateResponse": pinpoint.SMS, "ResponseMetadata": {"HTTPStatusCode": 200}}
    created = create(api, tenant, boto3_result)
    assert created["TemplateType"] == "SMS"
    assert created["Body"] == pinpoint.SMS["Body"]


def test_it_infers_the_channel_of_a_bare_pinpoint_request(api: Any, tenant: Any) -> None:
    created = create(api, tenant, {"TemplateName": "bare", "Subject": "Hi", "TextPart": "Hello"})
    assert created["TemplateType"] == "EMAIL"
    r = api.post(url(tenant), {"TemplateName": "nothing"}, format="json")
    assert r.status_code == 400
    assert "TemplateType" in r.json()["errors"]


def test_it_stores_default_substitutions_as_an_object_and_returns_pinpoints_json_string(api: Any, tenant: Any) -> None:
    created = create(
        api,
        tenant,
        {
            "TemplateName": "obj",
            "TemplateType": "SMS",
            "Body": "Hi {{User.UserId}}",
            "DefaultSubstitutions": {"User.UserId": "you"},
        },
    )
    version = TemplateVersion.objects.get(template_id=created["Id"])
    assert version.default_substitutions == {"User.UserId": "you"}
    assert created["DefaultSubstitutions"] == '{"User.UserId": "you"}'


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"TemplateType": "SMS", "Body": "x" * 1601}, "SMS.Body", "1,600"),
        ({"TemplateType": "SMS"}, "SMS.Body", "write the message"),
        ({"TemplateType": "EMAIL", "Subject": "s", "HtmlPart": "x" * 500_001}, "Email.HtmlPart", "500,000"),
        (
            {
                "TemplateType": "EMAIL",
                "Subject": "s",
                "TextPart": "t",
                "Headers": [{"Name": f"X-H{i}", "Value": "v"} for i in range(16)],
            },
            "Email.Headers",
            "at most 15",
        ),
        (
            {
                "TemplateType": "EMAIL",
                "Subject": "s",
                "TextPart": "t",
                "Headers": [
                    {"Name": "X-A", "Value": "1"},
                    {"Name": "X-B", "Value": "2"},
                    {"Name": "X-C", "Value": "3"},
                    {"Name": "Bad Name", "Value": "4"},
                ],
            },
            "Email.Headers[3].Name",
            "colon",
        ),
        (
            {"TemplateType": "EMAIL", "Subject": "s", "TextPart": "t", "Headers": [{"Name": "Subject", "Value": "x"}]},
            "Email.Headers[0].Name",
            "remove this header",
        ),
        ({"TemplateType": "VOICE", "Body": "x" * 10_001}, "Voice.Body", "10,000"),
        ({"TemplateType": "VOICE", "Body": "<speak>Hi <break></speak>"}, "Voice.Body", "not well-formed"),
        ({"TemplateType": "VOICE", "Body": "Hi", "LanguageCode": "english"}, "Voice.LanguageCode", "en-US"),
        ({"TemplateType": "PUSH", "Default": {"Title": "t", "Body": "x" * 2001}}, "Push.Default.Body", "2,000"),
        (
            {
                "TemplateType": "PUSH",
                "GCM": {"Title": "t", "Body": "x" * 3100, "RawContent": json.dumps({"a": "b" * 990})},
            },
            "Push.GCM",
            "4,000",
        ),
        ({"TemplateType": "PUSH", "Default": {"Title": "t", "Action": "URL"}}, "Push.Default.Url", "web address"),
        ({"TemplateType": "PUSH", "APNS": {"RawContent": "{not json"}}, "Push.APNS.RawContent", "not valid JSON"),
        ({"TemplateType": "PUSH", "Default": {"Title": "t", "Action": "LAUNCH"}}, "Push.Default.Action", "OPEN_APP"),
        (
            {
                "TemplateType": "INAPP",
                "Layout": "TOP_BANNER",
                "Content": [{"HeaderConfig": {"Header": "x" * 65, "Alignment": "LEFT", "TextColor": "#000"}}],
            },
            "InApp.Content[0].HeaderConfig.Header",
            "64",
        ),
        (
            {
                "TemplateType": "INAPP",
                "Layout": "TOP_BANNER",
                "Content": [{"BodyConfig": {"Body": "x" * 151, "Alignment": "LEFT", "TextColor": "#000"}}],
            },
            "InApp.Content[0].BodyConfig.Body",
            "150",
        ),
        (
            {
                "TemplateType": "INAPP",
                "Layout": "CAROUSEL",
                "Content": [{"BodyConfig": {"Body": "b", "Alignment": "LEFT", "TextColor": "#000"}}] * 6,
            },
            "InApp.Content",
            "at most 5",
        ),
        (
            {
                "TemplateType": "INAPP",
                "Layout": "MODAL",
                "Content": [{"BodyConfig": {"Body": "Hi {{User.UserId}}", "Alignment": "LEFT", "TextColor": "#000"}}],
            },
            "InApp.Content[0].BodyConfig.Body",
            "cannot use message variables",
        ),
        (
            {
                "TemplateType": "INAPP",
                "Layout": "MODAL",
                "Content": [{"BodyConfig": {"Body": "b", "Alignment": "LEFT", "TextColor": "blue-ish"}}],
            },
            "InApp.Content[0].BodyConfig.TextColor",
            "#1A73E8",
        ),
        (
            {
                "TemplateType": "INAPP",
                "Layout": "TOP_BANNER",
                "CustomConfig": {f"k{i}": "v" for i in range(11)},
                "Content": [{"BodyConfig": {"Body": "b", "Alignment": "LEFT", "TextColor": "#000"}}],
            },
            "InApp.CustomConfig",
            "limit is 10",
        ),
        (
            {
                "TemplateType": "INAPP",
                "Layout": "TOP_BANNER",
                "Content": [
                    {
                        "BodyConfig": {"Body": "b", "Alignment": "LEFT", "TextColor": "#000"},
                        "PrimaryBtn": {"DefaultConfig": {"Text": "x" * 65, "ButtonAction": "CLOSE"}},
                    }
                ],
            },
            "InApp.Content[0].PrimaryBtn.DefaultConfig.Text",
            "64",
        ),
        (
            {
                "TemplateType": "ALIMTALK",
                "ALIMTALK": {"SenderKey": "abc123", "TemplateCode": "T1", "Text": "Hi #{name}", "Variables": {}},
            },
            "ALIMTALK.Variables.name",
            "map #{name}",
        ),
        ({"TemplateType": "CUSTOM", "CUSTOM": {"Data": "[1, 2]"}}, "CUSTOM.Data", "JSON object"),
        ({"TemplateType": "SMS", "Body": "b", "tags": {f"t{i}": "v" for i in range(51)}}, "tags", "limit is 50"),
        ({"TemplateType": "SMS", "Body": "b", "TemplateDescription": "d" * 501}, "TemplateDescription", "500"),
        ({"TemplateType": "SMS", "Body": "b", "DefaultSubstitutions": "{oops"}, "DefaultSubstitutions", "JSON"),
        ({"TemplateType": "SMS", "Body": "b", "MissingVariablePolicy": "MAYBE"}, "MissingVariablePolicy", "SKIP"),
    ],
)
def test_it_refuses_what_pinpoint_refuses_naming_the_field(
    api: Any, tenant: Any, body: dict[str, Any], field: str, words: str
) -> None:
    r = api.post(url(tenant), {"TemplateName": "limits", **body}, format="json")

    assert r.status_code == 400, r.content
    errors = r.json()["errors"]
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]
    assert not MessageTemplate.objects.filter(tenant=tenant).exists()


@pytest.mark.parametrize("name", ["-starts-with-dash", "has space", "x" * 129, "émoji", ""])
def test_it_refuses_names_pinpoint_refuses(api: Any, tenant: Any, name: str) -> None:
    r = api.post(url(tenant), {"TemplateName": name, "TemplateType": "SMS", "Body": "b"}, format="json")
    assert r.status_code == 400
    assert "TemplateName" in r.json()["errors"]


def test_it_reports_every_problem_at_once_with_line_and_column_of_syntax_errors(api: Any, tenant: Any) -> None:
    body = {
        "TemplateName": "broken",
        "TemplateType": "EMAIL",
        "Subject": "x" * 999,
        "HtmlPart": "<p>Hello</p>\n<p>{{#if User.UserId}}yes</p>",
    }
    r = api.post(url(tenant), body, format="json")

    assert r.status_code == 400
    data = r.json()
    assert set(data["errors"]) == {"Email.Subject", "Email.HtmlPart"}
    assert data["positions"]["Email.HtmlPart"]["line"] == 2
    assert "line 2" in data["errors"]["Email.HtmlPart"][0]


def test_a_name_is_unique_per_channel_but_may_repeat_across_channels(api: Any, tenant: Any) -> None:
    create(api, tenant, {"TemplateName": "welcome", "TemplateType": "SMS", "Body": "Hi"})
    create(api, tenant, {"TemplateName": "welcome", "TemplateType": "EMAIL", "Subject": "Hi", "TextPart": "Hi"})
    r = api.post(url(tenant), {"TemplateName": "welcome", "TemplateType": "SMS", "Body": "again"}, format="json")
    assert r.status_code == 409
    assert r.json()["errors"] == {"TemplateName": [r.json()["detail"]]}


def test_it_lists_with_channel_prefix_and_sort_and_pages_with_next_token(api: Any, tenant: Any) -> None:
    for name in ["b-news", "a-news", "c-promo"]:
        create(api, tenant, {"TemplateName": name, "TemplateType": "SMS", "Body": name})
    create(api, tenant, {"TemplateName": "a-mail", "Subject": "s", "TextPart": "t"})

    names = lambda r: [i["TemplateName"] for i in r.json()["Item"]]  # noqa: E731
    assert names(api.get(url(tenant), {"channel": "SMS", "sort": "name"})) == ["a-news", "b-news", "c-promo"]
    assert names(api.get(url(tenant), {"q": "a-", "sort": "name"})) == ["a-mail", "a-news"]
    assert names(api.get(url(tenant), {"template-type": "EMAIL"})) == ["a-mail"]
    first = api.get(url(tenant), {"sort": "name", "page-size": 3}).json()
    assert [i["TemplateName"] for i in first["Item"]] == ["a-mail", "a-news", "b-news"]
    second = api.get(url(tenant), {"sort": "name", "page-size": 3, "next-token": first["NextToken"]}).json()
    assert [i["TemplateName"] for i in second["Item"]] == ["c-promo"] and second["NextToken"] is None
    item = first["Item"][0]
    assert {"TemplateName", "TemplateType", "CreationDate", "LastModifiedDate", "Arn", "Version", "tags"} <= set(item)
    for bad in ({"channel": "FAX"}, {"sort": "random"}, {"page-size": "0"}, {"next-token": "x"}):
        assert api.get(url(tenant), bad).status_code == 400, bad


def test_get_returns_the_active_version_unless_another_is_asked_for(api: Any, tenant: Any) -> None:
    created = create(api, tenant, {"TemplateName": "t", "TemplateType": "SMS", "Body": "one"})
    api.put(url(tenant, f"{created['Id']}/"), {"Body": "two"}, format="json")

    assert api.get(url(tenant, f"{created['Id']}/")).json()["Body"] == "one"
    assert api.get(url(tenant, f"{created['Id']}/"), {"version": "latest"}).json()["Body"] == "two"
    assert api.get(url(tenant, f"{created['Id']}/"), {"version": "2"}).json()["Version"] == "2"
    assert api.get(url(tenant, f"{created['Id']}/"), {"version": "9"}).status_code == 404
    assert api.get(url(tenant, f"{created['Id']}/"), {"version": "two"}).status_code == 400


def test_delete_removes_every_version_and_is_audited(api: Any, tenant: Any) -> None:
    created = create(api, tenant, {"TemplateName": "gone", "TemplateType": "SMS", "Body": "one"})
    api.put(url(tenant, f"{created['Id']}/"), {"Body": "two"}, format="json")

    assert api.delete(url(tenant, f"{created['Id']}/?version=1")).status_code == 400
    r = api.delete(url(tenant, f"{created['Id']}/"))
    assert r.status_code == 200 and r.json()["TemplateName"] == "gone"
    assert not TemplateVersion.objects.filter(template_id=created["Id"]).exists()
    entry = AuditLog.objects.get(tenant=tenant, action="template.delete")
    assert entry.data["versions"] == 2


def test_the_sms_encoding_helper_counts_parts(api: Any, tenant: Any) -> None:
    assert api.post(url(tenant, "encoding/"), {"Body": "a" * 161}, format="json").json() == {
        "Encoding": "GSM-7",
        "Parts": 2,
        "Characters": 161,
        "Units": 161,
    }
    assert api.post(url(tenant, "encoding/"), {"Body": "안녕하세요"}, format="json").json()["Encoding"] == "UCS-2"
    assert api.post(url(tenant, "encoding/"), {"Body": 5}, format="json").status_code == 400


def test_it_hides_another_tenants_templates(api: Any, tenant: Any, other_tenant: Any, member_factory: Any) -> None:
    from rest_framework.test import APIClient

    theirs_client = APIClient()
    theirs_client.force_authenticate(member_factory(other_tenant, Role.OWNER).user)
    theirs = create(theirs_client, other_tenant, {"TemplateName": "secret", "TemplateType": "SMS", "Body": "psst"})

    for method, path in [
        ("get", ""),
        ("put", ""),
        ("patch", ""),
        ("delete", ""),
        ("get", "versions/"),
        ("post", "activate/"),
        ("post", "restore/"),
        ("post", "render/"),
    ]:
        r = getattr(api, method)(url(tenant, f"{theirs['Id']}/{path}"), {"Version": "1"}, format="json")
        assert r.status_code == 404, (method, path)
    assert api.get(url(other_tenant, f"{theirs['Id']}/")).status_code == 404
    assert api.get(url(tenant)).json()["Item"] == []
    assert MessageTemplate.objects.get(pk=theirs["Id"]).latest_version.content == {"Body": "psst"}


def test_a_viewer_reads_and_previews_but_cannot_write(
    tenant: Any, member_factory: Any, client_for: Any, api: Any
) -> None:
    created = create(api, tenant, {"TemplateName": "t", "TemplateType": "SMS", "Body": "Hi {{User.UserId}}"})
    viewer = client_for(member_factory(tenant, Role.VIEWER))
    detail = url(tenant, f"{created['Id']}/")

    assert viewer.get(url(tenant)).status_code == 200
    assert viewer.get(detail).status_code == 200
    assert viewer.post(url(tenant, f"{created['Id']}/render/"), {}, format="json").status_code == 200
    assert viewer.post(url(tenant, "encoding/"), {"Body": "x"}, format="json").status_code == 200
    assert (
        viewer.post(url(tenant), {"TemplateName": "x", "TemplateType": "SMS", "Body": "b"}, format="json").status_code
        == 403
    )
    assert viewer.put(detail, {"Body": "changed"}, format="json").status_code == 403
    assert viewer.patch(detail, {"Body": "changed"}, format="json").status_code == 403
    assert viewer.delete(detail).status_code == 403
    assert viewer.post(url(tenant, f"{created['Id']}/activate/"), {"Version": "1"}, format="json").status_code == 403
    assert viewer.post(url(tenant, f"{created['Id']}/restore/"), {"Version": "1"}, format="json").status_code == 403
    assert TemplateVersion.objects.filter(template_id=created["Id"]).count() == 1


def test_bad_bodies_are_400s_never_500s(api: Any, tenant: Any) -> None:
    created = create(api, tenant, {"TemplateName": "t", "TemplateType": "SMS", "Body": "b"})
    detail = url(tenant, f"{created['Id']}/")
    for body in ([1, 2], "text", {"Body": {"nested": True}}, {"Body": None}, {"TemplateType": 5}):
        assert api.post(url(tenant), body, format="json").status_code == 400, body
        assert api.put(detail, body, format="json").status_code == 400, body
    assert api.post(url(tenant), "{not json", content_type="application/json").status_code == 400
    deep = '{"a": ' * 5000 + "1" + "}" * 5000
    assert api.post(url(tenant), deep, content_type="application/json").status_code == 400
    nested = {"TemplateName": "n", "TemplateType": "CUSTOM", "CUSTOM": {"Data": '{"a": ' * 900 + "1" + "}" * 900}}
    assert api.post(url(tenant), nested, format="json").status_code == 400
    assert api.post(url(tenant), {**nested, "CUSTOM": {"Data": '{"a": ' * 21 + "1" + "}" * 21}}, format="json").json()[
        "errors"
    ]["CUSTOM.Data"] == ["nests more than 20 levels deep; flatten it"]
    assert api.put(detail + "?create-new-version=perhaps", {"Body": "b2"}, format="json").status_code == 400
    assert api.post(url(tenant, f"{created['Id']}/activate/"), {"Version": "x"}, format="json").status_code == 400
    assert api.post(url(tenant, f"{created['Id']}/activate/"), {}, format="json").status_code == 400
    assert api.post(url(tenant, f"{created['Id']}/render/"), {"Context": [1]}, format="json").status_code == 400
    assert api.post(url(tenant, f"{created['Id']}/render/"), {"EndpointId": "nobody"}, format="json").status_code == 400
