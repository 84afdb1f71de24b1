"""The template console's live preview, SMS counter, skip policy and attribute finder (Django's test client)."""

from __future__ import annotations

import pytest
from django.test import Client

from engage.tenancy.models import Tenant
from segments.models import AttributeName
from segments.services.endpoints import endpoint_upsert
from templates.models import MessageTemplate
from tests.templates.pages import page, text

pytestmark = pytest.mark.django_db


def test_the_live_preview_renders_the_draft_for_sample_json_or_an_endpoint(
    marketer: Client, tenant: Tenant, welcome: MessageTemplate
) -> None:
    endpoint_upsert(
        tenant=tenant,
        endpoint_id="jane-mail",
        data={
            "ChannelType": "EMAIL",
            "Address": "jane@x.test",
            "User": {"UserId": "jane", "UserAttributes": {"FirstName": ["<Jane>"]}},
        },
    )
    draft = {"Subject": "Hello {{User.UserId}}", "HtmlPart": "<b>{{User.UserAttributes.FirstName}}</b>"}

    sample = text(marketer.post(page(tenant, f"{welcome.pk}/preview/"), {**draft, "preview_source": "sample"}))
    assert "Hello jane" in sample and "Rendered for <strong>sample JSON</strong>" in sample
    real = text(
        marketer.post(
            page(tenant, f"{welcome.pk}/preview/"),
            {**draft, "preview_source": "endpoint", "preview_endpoint": "jane-mail"},
        )
    )
    assert "Rendered for <strong>jane-mail</strong>" in real
    assert "&lt;b&gt;&amp;lt;Jane&amp;gt;&lt;/b&gt;" in real  # escaped in the HTML, then in the srcdoc attribute
    missing = text(
        marketer.post(
            page(tenant, f"{welcome.pk}/preview/"),
            {**draft, "preview_source": "endpoint", "preview_endpoint": "nobody"},
        )
    )
    assert "No endpoint “nobody”" in missing
    broken = text(
        marketer.post(
            page(tenant, f"{welcome.pk}/preview/"), {**draft, "preview_context": "{oops", "preview_source": "sample"}
        )
    )
    assert "The sample JSON is not valid" in broken
    options = text(marketer.get(page(tenant, "endpoints/"), {"preview_endpoint": "jane"}))
    assert '<option value="jane-mail">' in options


def test_the_preview_shows_syntax_errors_with_line_and_column(marketer: Client, tenant: Tenant) -> None:
    body = text(
        marketer.post(page(tenant, "new/preview/"), {"TemplateType": "SMS", "Body": "Hi\n{{#if User.UserId}}there"})
    )
    assert "Fix 1 problem to see the preview" in body
    assert "SMS.Body" in body and "line 2" in body


def test_the_sms_counter_comes_with_every_preview(marketer: Client, tenant: Tenant) -> None:
    body = text(marketer.post(page(tenant, "new/preview/"), {"TemplateType": "SMS", "Body": "안녕 " * 30}))
    assert 'id="sms-counter"' in body and 'hx-swap-oob="true"' in body
    assert "UCS-2" in body and "<strong>2</strong> parts" in body


def test_skip_policy_shows_who_would_be_skipped(marketer: Client, tenant: Tenant) -> None:
    body = text(
        marketer.post(
            page(tenant, "new/preview/"),
            {
                "TemplateType": "SMS",
                "Body": "Code {{Attributes.Code}}",
                "MissingVariablePolicy": "SKIP",
                "preview_context": "{}",
            },
        )
    )
    assert "This recipient would be skipped" in body and "Attributes.Code" in body


def test_the_attribute_finder_lists_standard_and_custom_attributes(
    marketer: Client, viewer: Client, tenant: Tenant, welcome: MessageTemplate
) -> None:
    AttributeName.objects.create(tenant=tenant, kind="attribute", name="Plan")
    AttributeName.objects.create(tenant=tenant, kind="user_attribute", name="Last Name")
    AttributeName.objects.create(tenant=tenant, kind="metric", name="points")
    body = text(marketer.get(page(tenant, f"{welcome.pk}/")))
    for path in [
        "User.UserId",
        "Location.City",
        "Pinpoint.CampaignId",
        "Attributes.Plan",
        "User.UserAttributes.[Last Name]",
        "Metrics.points",
    ]:
        assert f'data-insert="{path}"' in body, path
    assert "data-insert" not in text(viewer.get(page(tenant, f"{welcome.pk}/")))
