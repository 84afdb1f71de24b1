"""Message templates through boto3 (/v1/templates, scoped to the signing key's tenant): every channel's
create/get/update/delete, versions, the active version and ListTemplates."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from engage.tenancy.models import Tenant
from templates.codec import template_request_parse
from templates.models import MessageTemplate
from templates.services.templates import template_create, template_update
from tests.pinpoint.conftest import Client, ClientMaker, KeyMaker, error_of

EMAIL = {
    "Subject": "Hi {{User.UserAttributes.FirstName}}",
    "HtmlPart": "<p>Hello {{User.UserAttributes.FirstName}}</p>",
    "TextPart": "Hello {{User.UserAttributes.FirstName}}",
    "DefaultSubstitutions": json.dumps({"User.UserAttributes.FirstName": "there"}),
    "TemplateDescription": "welcome mail",
    "tags": {"team": "growth"},
}
BODIES: dict[str, dict[str, Any]] = {
    "email": EMAIL,
    "sms": {"Body": "Code {{Attributes.Code}}", "TemplateDescription": "otp"},
    "push": {
        "Default": {"Title": "Sale", "Body": "Hi {{User.UserId}}", "Action": "OPEN_APP"},
        "APNS": {"Title": "Sale (iOS)", "Body": "Hi", "Sound": "default", "Action": "URL", "Url": "https://x.test"},
    },
    "voice": {"Body": "Your code is {{Attributes.Code}}", "LanguageCode": "en-US", "VoiceId": "Joanna"},
    "in_app": {
        "Layout": "TOP_BANNER",
        "Content": [{"BodyConfig": {"Body": "Spring sale", "TextColor": "#000000", "Alignment": "LEFT"}}],
        "CustomConfig": {"screen": "home"},
    },
}
REQUESTS = {
    "email": "EmailTemplateRequest",
    "sms": "SMSTemplateRequest",
    "push": "PushNotificationTemplateRequest",
    "voice": "VoiceTemplateRequest",
    "in_app": "InAppTemplateRequest",
}
RESPONSES = {
    "email": "EmailTemplateResponse",
    "sms": "SMSTemplateResponse",
    "push": "PushNotificationTemplateResponse",
    "voice": "VoiceTemplateResponse",
    "in_app": "InAppTemplateResponse",
}
TYPES = {"email": "EMAIL", "sms": "SMS", "push": "PUSH", "voice": "VOICE", "in_app": "INAPP"}


def op(client: Client, action: str, kind: str) -> Callable[..., Any]:
    method: Callable[..., Any] = getattr(client, f"{action}_{kind}_template")
    return method


@pytest.mark.parametrize("kind", list(BODIES))
def test_it_creates_reads_updates_and_deletes_each_kind(pinpoint: Client, acme: Tenant, kind: str) -> None:
    body = BODIES[kind]
    created = op(pinpoint, "create", kind)(TemplateName="welcome", **{REQUESTS[kind]: body})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    wrapper = "TemplateCreateMessageBody" if kind == "in_app" else "CreateTemplateMessageBody"
    assert created[wrapper]["Message"] == "Created" and created[wrapper]["Arn"].endswith(
        f"templates/welcome/{TYPES[kind]}"
    )
    got = op(pinpoint, "get", kind)(TemplateName="welcome")[RESPONSES[kind]]
    assert (got["TemplateName"], got["TemplateType"], got["Version"]) == ("welcome", TYPES[kind], "1")
    for member, value in body.items():
        if member not in ("tags",):
            assert got[member] == value, member
    # Update overwrites the latest version unless create-new-version is true (Pinpoint's default).
    changed = {**body, "TemplateDescription": "changed"}
    answer = op(pinpoint, "update", kind)(TemplateName="welcome", **{REQUESTS[kind]: changed})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202 and answer["MessageBody"]["Message"] == "Accepted"
    template = MessageTemplate.objects.get(tenant=acme, name="welcome")
    assert template.last_version_number == 1 and template.latest_version.description == "changed"
    op(pinpoint, "update", kind)(TemplateName="welcome", CreateNewVersion=True, **{REQUESTS[kind]: body})
    assert MessageTemplate.objects.get(pk=template.pk).last_version_number == 2
    deleted = op(pinpoint, "delete", kind)(TemplateName="welcome")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    code, message, status = error_of(lambda: op(pinpoint, "get", kind)(TemplateName="welcome"))
    assert (code, message, status) == ("NotFoundException", f"Template welcome ({TYPES[kind]}) not found", 404)


def test_it_keeps_versions_and_the_active_one(pinpoint: Client, acme: Tenant) -> None:
    pinpoint.create_email_template(TemplateName="news", EmailTemplateRequest=EMAIL)
    for subject in ("Second", "Third"):
        pinpoint.update_email_template(
            TemplateName="news", CreateNewVersion=True, EmailTemplateRequest={**EMAIL, "Subject": subject}
        )
    versions = pinpoint.list_template_versions(TemplateName="news", TemplateType="EMAIL")["TemplateVersionsResponse"]
    assert [v["Version"] for v in versions["Item"]] == ["3", "2", "1"]
    assert versions["RequestID"] == versions["RequestID"] and versions["Item"][0]["TemplateType"] == "EMAIL"
    page = pinpoint.list_template_versions(TemplateName="news", TemplateType="email", PageSize="2")
    assert len(page["TemplateVersionsResponse"]["Item"]) == 2 and page["TemplateVersionsResponse"]["NextToken"]
    # The active version stays 1 until made otherwise; Get answers the active version by default.
    assert pinpoint.get_email_template(TemplateName="news")["EmailTemplateResponse"]["Subject"] == EMAIL["Subject"]
    latest = pinpoint.get_email_template(TemplateName="news", Version="3")["EmailTemplateResponse"]
    assert latest["Subject"] == "Third"
    answer = pinpoint.update_template_active_version(
        TemplateName="news", TemplateType="EMAIL", TemplateActiveVersionRequest={"Version": "2"}
    )
    assert answer["MessageBody"]["Message"] == "Accepted"
    assert pinpoint.get_email_template(TemplateName="news")["EmailTemplateResponse"]["Subject"] == "Second"
    missing = error_of(
        lambda: pinpoint.update_template_active_version(
            TemplateName="news", TemplateType="EMAIL", TemplateActiveVersionRequest={"Version": "7"}
        )
    )
    assert missing[::2] == ("NotFoundException", 404)
    stale = error_of(
        lambda: pinpoint.update_email_template(TemplateName="news", Version="2", EmailTemplateRequest=EMAIL)
    )
    assert stale[::2] == ("ConflictException", 409) and "latest" in stale[1]
    one_version = error_of(lambda: pinpoint.delete_email_template(TemplateName="news", Version="2"))
    assert one_version[0] == "BadRequestException"


def test_it_lists_templates_by_prefix_and_type(pinpoint: Client, acme: Tenant, globex: Tenant) -> None:
    pinpoint.create_email_template(TemplateName="order-shipped", EmailTemplateRequest=EMAIL)
    pinpoint.create_sms_template(TemplateName="order-code", SMSTemplateRequest={"Body": "Code"})
    pinpoint.create_email_template(TemplateName="welcome", EmailTemplateRequest=EMAIL)
    template_create(
        tenant=globex, data=template_request_parse({"TemplateName": "order-theirs", "Body": "x"}, channel="SMS"), by="t"
    )
    listed = pinpoint.list_templates()["TemplatesResponse"]["Item"]
    assert sorted((t["TemplateName"], t["TemplateType"]) for t in listed) == [
        ("order-code", "SMS"),
        ("order-shipped", "EMAIL"),
        ("welcome", "EMAIL"),
    ]
    orders = pinpoint.list_templates(Prefix="order")["TemplatesResponse"]["Item"]
    assert sorted(t["TemplateName"] for t in orders) == ["order-code", "order-shipped"]
    emails = pinpoint.list_templates(TemplateType="EMAIL", PageSize="1")["TemplatesResponse"]
    assert len(emails["Item"]) == 1 and emails["NextToken"]
    rest = pinpoint.list_templates(TemplateType="EMAIL", PageSize="1", NextToken=emails["NextToken"])
    assert {emails["Item"][0]["TemplateName"], rest["TemplatesResponse"]["Item"][0]["TemplateName"]} == {
        "order-shipped",
        "welcome",
    }
    assert "NextToken" not in rest["TemplatesResponse"]
    assert error_of(lambda: pinpoint.list_templates(TemplateType="FAX"))[0] == "BadRequestException"
    # Templates belong to the key's tenant: another tenant's name is simply not there.
    assert error_of(lambda: pinpoint.get_sms_template(TemplateName="order-theirs"))[::2] == ("NotFoundException", 404)


def test_it_shows_console_edits_and_refuses_bad_requests(
    pinpoint: Client, acme: Tenant, client_for: ClientMaker, make_key: KeyMaker, globex: Tenant
) -> None:
    pinpoint.create_sms_template(TemplateName="otp", SMSTemplateRequest={"Body": "Code {{Attributes.Code}}"})
    template = MessageTemplate.objects.get(tenant=acme, name="otp")
    data = template_request_parse({"Body": "Console code {{Attributes.Code}}"}, channel="SMS", name="otp")
    template_update(template=template, data=data, by="console", create_new_version=False)
    assert pinpoint.get_sms_template(TemplateName="otp")["SMSTemplateResponse"]["Body"].startswith("Console code")
    duplicate = error_of(lambda: pinpoint.create_sms_template(TemplateName="otp", SMSTemplateRequest={"Body": "x"}))
    assert duplicate[::2] == ("ConflictException", 409)
    bad_name = error_of(
        lambda: pinpoint.create_sms_template(TemplateName="no spaces", SMSTemplateRequest={"Body": "x"})
    )
    assert bad_name[0] == "BadRequestException" and bad_name[1].startswith("TemplateName: ")
    too_long = error_of(
        lambda: pinpoint.create_sms_template(TemplateName="long", SMSTemplateRequest={"Body": "x" * 1601})
    )
    assert too_long[0] == "BadRequestException" and "SMS.Body" in too_long[1]
    bad_syntax = error_of(
        lambda: pinpoint.create_email_template(TemplateName="broken", EmailTemplateRequest={"Subject": "{{#if}}"})
    )
    assert bad_syntax[0] == "BadRequestException" and "Subject" in bad_syntax[1]
    theirs = client_for(make_key(globex))
    assert error_of(lambda: theirs.get_sms_template(TemplateName="otp"))[::2] == ("NotFoundException", 404)
    assert error_of(lambda: theirs.delete_sms_template(TemplateName="otp"))[::2] == ("NotFoundException", 404)
    assert MessageTemplate.objects.filter(pk=template.pk).exists()
