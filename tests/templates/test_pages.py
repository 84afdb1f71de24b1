"""The template console through Django's test client: library, editors, live preview, history, roles."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from engage.tenancy.models import AuditLog, Tenant
from templates.codec import template_request_parse
from templates.models import Channel, MessageTemplate
from templates.services.templates import template_update
from tests.templates.pages import make, page, text

pytestmark = pytest.mark.django_db


def test_the_empty_library_offers_every_channel(marketer: Client, viewer: Client, tenant: Tenant) -> None:
    body = text(marketer.get(page(tenant)))
    assert "No templates yet" in body
    for channel in Channel.values:
        assert f"?channel={channel}" in body
    assert "?channel=EMAIL" not in text(viewer.get(page(tenant)))


def test_the_library_filters_by_channel_searches_and_sorts(marketer: Client, tenant: Tenant) -> None:
    make(tenant, {"TemplateName": "order-shipped", "TemplateType": "SMS", "Body": "x"})
    make(tenant, {"TemplateName": "welcome-mail", "Subject": "s", "TextPart": "t"})
    make(tenant, {"TemplateName": "order-receipt", "Subject": "s", "TextPart": "t"})
    names = lambda r: re.findall(r'data-template="([^"]+)"', text(r))  # noqa: E731

    assert names(marketer.get(page(tenant), {"sort": "name"})) == ["order-receipt", "order-shipped", "welcome-mail"]
    assert names(marketer.get(page(tenant), {"channel": "EMAIL", "sort": "-name"})) == ["welcome-mail", "order-receipt"]
    assert names(marketer.get(page(tenant), {"q": "order", "sort": "name"})) == ["order-receipt", "order-shipped"]
    assert names(marketer.get(page(tenant), {"channel": "FAX", "sort": "??", "page": "x"})) != []
    assert "No template named like “zzz”" in text(marketer.get(page(tenant), {"q": "zzz"}))


@pytest.mark.parametrize("channel", Channel.values)
def test_every_channel_has_an_editor(marketer: Client, tenant: Tenant, channel: str) -> None:
    r = marketer.get(page(tenant, "new/"), {"channel": channel})
    assert r.status_code == 200
    assert f"New {Channel(channel).label} template" in text(r)


def test_creating_from_the_editor_saves_version_1_as_active(marketer: Client, tenant: Tenant) -> None:
    r = marketer.post(
        page(tenant, "new/?channel=EMAIL"),
        {
            "TemplateName": "order-shipped",
            "Subject": "Shipped, {{User.UserAttributes.FirstName}}",
            "HtmlPart": "<p>On its way</p>",
            "TextPart": "",
            "Headers.0.Name": "X-Campaign",
            "Headers.0.Value": "ship",
            "Headers.1.Name": "",
            "Headers.1.Value": "",
            "DefaultSubstitutions.0.key": "User.UserAttributes.FirstName",
            "DefaultSubstitutions.0.value": "friend",
            "tags.0.key": "team",
            "tags.0.value": "ops",
            "MissingVariablePolicy": "SKIP",
            "TemplateDescription": "launch",
        },
    )
    template = MessageTemplate.objects.get(tenant=tenant, name="order-shipped")
    assert r.status_code == 302 and r["Location"] == page(tenant, f"{template.pk}/")
    version = template.active_version
    assert version.number == 1 and version.description == "launch"
    assert version.content == {
        "Subject": "Shipped, {{User.UserAttributes.FirstName}}",
        "HtmlPart": "<p>On its way</p>",
        "Headers": [{"Name": "X-Campaign", "Value": "ship"}],
    }
    assert version.default_substitutions == {"User.UserAttributes.FirstName": "friend"}
    assert template.tags == {"team": "ops"} and template.missing_variable_policy == "SKIP"


def test_errors_show_on_the_field_that_has_them(marketer: Client, tenant: Tenant) -> None:
    r = marketer.post(
        page(tenant, "new/?channel=EMAIL"),
        {
            "TemplateName": "bad name",
            "Subject": "",
            "HtmlPart": "{{#if x}}open",
            "Headers.0.Name": "Bad Header",
            "Headers.0.Value": "v",
        },
    )
    body = text(r)
    assert r.status_code == 400
    assert "Nothing was saved" in body
    for message in [
        "Start with a letter or digit",
        "write a subject line",
        "never closed",
        "(line 1, column 1)",
        "use printable ASCII without spaces",
    ]:
        assert message in body, message
    assert 'value="Bad Header"' in body  # what was typed stays
    assert not MessageTemplate.objects.exists()


def test_saving_adds_a_version_or_updates_the_latest(
    marketer: Client, tenant: Tenant, welcome: MessageTemplate
) -> None:
    form = {"Subject": "Hi again", "HtmlPart": "<p>v2</p>", "MissingVariablePolicy": "DEFAULT"}
    r = marketer.post(page(tenant, f"{welcome.pk}/"), {**form, "save": "new"}, follow=True)
    assert "Saved as version 2. Version 1 stays active" in text(r)
    r = marketer.post(
        page(tenant, f"{welcome.pk}/"),
        {**form, "HtmlPart": "<p>v2!</p>", "save": "latest", "latest": "2", "activate": "1"},
        follow=True,
    )
    assert "Version 2 updated. It is the active version." in text(r)
    welcome.refresh_from_db()
    assert welcome.versions.count() == 2 and welcome.active_version.content["HtmlPart"] == "<p>v2!</p>"
    stale = marketer.post(page(tenant, f"{welcome.pk}/"), {**form, "save": "latest", "latest": "1"})
    assert stale.status_code == 400 and "only the latest version can be updated" in text(stale)


def test_clearing_every_tag_in_the_editor_removes_the_tags(
    marketer: Client, tenant: Tenant, welcome: MessageTemplate
) -> None:
    MessageTemplate.objects.filter(pk=welcome.pk).update(tags={"team": "ops"})
    form = {"Subject": "Hi", "HtmlPart": "<p>x</p>", "tags.0.key": "", "tags.0.value": "", "save": "new"}
    assert marketer.post(page(tenant, f"{welcome.pk}/"), form).status_code == 302
    welcome.refresh_from_db()
    assert welcome.tags == {}


def test_an_old_version_opens_read_for_restoring(marketer: Client, tenant: Tenant, welcome: MessageTemplate) -> None:
    template_update(
        template=welcome,
        data=template_request_parse({"Subject": "v2", "TextPart": "t"}, channel="EMAIL", name="welcome"),
        by="tests",
    )
    body = text(marketer.get(page(tenant, f"{welcome.pk}/"), {"version": "1"}))
    assert "You are looking at <strong>version 1</strong>" in body
    assert "Update version" not in body and "Save as version 3" in body
    assert marketer.get(page(tenant, f"{welcome.pk}/"), {"version": "99"}).status_code == 302


def test_in_app_and_alimtalk_editors_round_trip(marketer: Client, tenant: Tenant) -> None:
    r = marketer.post(
        page(tenant, "new/?channel=INAPP"),
        {
            "TemplateName": "tour",
            "Layout": "CAROUSEL",
            "Content.0.HeaderConfig.Header": "One",
            "Content.0.HeaderConfig.TextColor": "#111827",
            "Content.0.HeaderConfig.Alignment": "LEFT",
            "Content.0.BodyConfig.Body": "",
            "Content.0.BodyConfig.TextColor": "#374151",
            "Content.0.BackgroundColor": "#ffffff",
            "Content.0.PrimaryBtn.DefaultConfig.Text": "",
            "Content.0.PrimaryBtn.DefaultConfig.ButtonAction": "CLOSE",
            "Content.1.BodyConfig.Body": "Two",
            "Content.1.BodyConfig.TextColor": "#374151",
            "Content.1.BodyConfig.Alignment": "CENTER",
            "Content.1.PrimaryBtn.DefaultConfig.Text": "Go",
            "Content.1.PrimaryBtn.DefaultConfig.ButtonAction": "LINK",
            "Content.1.PrimaryBtn.DefaultConfig.Link": "https://x.test",
            "Content.1.PrimaryBtn.DefaultConfig.BorderRadius": "8",
            "Content.2.BackgroundColor": "#ffffff",
            "CustomConfig.0.key": "k",
            "CustomConfig.0.value": "v",
        },
    )
    assert r.status_code == 302, text(r)
    content = MessageTemplate.objects.get(name="tour").active_version.content
    assert [m.get("HeaderConfig", {}).get("Header") for m in content["Content"]] == ["One", None]
    assert content["Content"][1]["PrimaryBtn"]["DefaultConfig"]["BorderRadius"] == 8
    assert content["CustomConfig"] == {"k": "v"}

    r = marketer.post(
        page(tenant, "new/?channel=ALIMTALK"),
        {
            "TemplateName": "ship",
            "ALIMTALK.SenderKey": "abc123",
            "ALIMTALK.TemplateCode": "SHIP",
            "ALIMTALK.Text": "#{name}님 안녕하세요",
            "ALIMTALK.Variables.0.key": "name",
            "ALIMTALK.Variables.0.value": "{{User.UserAttributes.FirstName}}",
        },
    )
    assert r.status_code == 302, text(r)
    preview = text(
        marketer.post(
            page(tenant, f"{MessageTemplate.objects.get(name='ship').pk}/preview/"),
            {
                "ALIMTALK.SenderKey": "abc123",
                "ALIMTALK.TemplateCode": "SHIP",
                "ALIMTALK.Text": "#{name}님 안녕하세요",
                "ALIMTALK.Variables.0.key": "name",
                "ALIMTALK.Variables.0.value": "{{User.UserAttributes.FirstName}}",
            },
        )
    )
    assert "Jane님 안녕하세요" in preview


def test_history_diffs_two_versions_and_activates_and_restores(
    marketer: Client, tenant: Tenant, welcome: MessageTemplate
) -> None:
    template_update(
        template=welcome,
        data=template_request_parse(
            {
                "Subject": "Hi {{User.UserId}}!",
                "HtmlPart": "<p>Hello {{User.UserAttributes.FirstName}}</p>\n<p>new</p>",
            },
            channel="EMAIL",
            name="welcome",
        ),
        by="tests",
    )
    split = text(marketer.get(page(tenant, f"{welcome.pk}/versions/")))
    assert "v1 → v2" in split and "<mark>!</mark>" in split and "HtmlPart" in split
    unified = text(marketer.get(page(tenant, f"{welcome.pk}/versions/"), {"a": "1", "b": "2", "mode": "unified"}))
    assert 'class="added"' in unified and "+&lt;p&gt;new&lt;/p&gt;" in unified

    marketer.post(page(tenant, f"{welcome.pk}/activate/"), {"version": "2"})
    welcome.refresh_from_db()
    assert welcome.active_version.number == 2
    r = marketer.post(page(tenant, f"{welcome.pk}/restore/"), {"version": "1"}, follow=True)
    assert "Version 1 restored as version 3" in text(r)
    welcome.refresh_from_db()
    assert welcome.latest_version.number == 3 and welcome.latest_version.content["Subject"] == "Hi {{User.UserId}}"
    assert "has no version 9" in text(
        marketer.post(page(tenant, f"{welcome.pk}/activate/"), {"version": "9"}, follow=True)
    )


def test_delete_asks_first_and_removes_all_versions(marketer: Client, tenant: Tenant, welcome: MessageTemplate) -> None:
    assert 'id="delete-template"' in text(marketer.get(page(tenant, f"{welcome.pk}/")))
    r = marketer.post(page(tenant, f"{welcome.pk}/delete/"), follow=True)
    assert "were deleted" in text(r)
    assert not MessageTemplate.objects.filter(pk=welcome.pk).exists()
    assert AuditLog.objects.filter(tenant=tenant, action="template.delete").exists()


def test_a_viewer_reads_and_previews_but_cannot_change_anything(
    viewer: Client, tenant: Tenant, welcome: MessageTemplate
) -> None:
    body = text(viewer.get(page(tenant, f"{welcome.pk}/")))
    assert "Save as version" not in body and "readonly" in body and 'id="preview-form"' in body
    assert "Hi jane" in text(viewer.get(page(tenant, f"{welcome.pk}/preview/"), {"version": "1"}))
    assert viewer.get(page(tenant, f"{welcome.pk}/preview/"), {"version": "7"}).status_code == 404
    assert viewer.get(page(tenant, f"{welcome.pk}/versions/")).status_code == 200
    assert viewer.get(page(tenant, "new/"), {"channel": "SMS"}).status_code == 403
    for path, data in [
        (f"{welcome.pk}/", {"Subject": "x"}),
        (f"{welcome.pk}/preview/", {}),
        (f"{welcome.pk}/activate/", {"version": "1"}),
        (f"{welcome.pk}/restore/", {"version": "1"}),
        (f"{welcome.pk}/delete/", {}),
        ("new/?channel=SMS", {"TemplateName": "x", "Body": "b"}),
    ]:
        assert viewer.post(page(tenant, path), data).status_code == 403, path
    assert MessageTemplate.objects.filter(tenant=tenant).count() == 1 and welcome.versions.count() == 1


def test_another_tenants_template_is_not_found(marketer: Client, tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = make(other_tenant, {"TemplateName": "secret", "TemplateType": "SMS", "Body": "psst"})
    for path in ["", "preview/", "versions/", "activate/", "restore/", "delete/"]:
        assert marketer.get(page(tenant, f"{theirs.pk}/{path}")).status_code == 404, path
        expected = 405 if path == "versions/" else 404  # a page without POST says so before looking anything up
        assert marketer.post(page(tenant, f"{theirs.pk}/{path}"), {"version": "1"}).status_code == expected, path
    assert marketer.get(page(other_tenant, f"{theirs.pk}/")).status_code == 404
    assert theirs.versions.count() == 1


def test_staff_see_templates_and_versions_read_only_in_the_admin(
    tenant: Tenant, other_tenant: Tenant, welcome: MessageTemplate, settings: Any
) -> None:
    from engage.accounts.models import User

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make(other_tenant, {"TemplateName": "globex-news", "TemplateType": "SMS", "Body": "news"})
    operator = User.objects.create_superuser(email="ops@engage.test", password="correct-horse-battery-staple")
    client = Client()
    client.force_login(operator)

    listing = text(client.get("/admin/templates/messagetemplate/"))
    assert "welcome" in listing and "globex-news" in listing
    assert "welcome" in text(client.get("/admin/templates/messagetemplate/", {"q": "welc"}))
    filtered = text(client.get("/admin/templates/messagetemplate/", {"tenant__id__exact": other_tenant.pk}))
    assert "globex-news" in filtered and "welcome" not in filtered
    assert client.get(f"/admin/templates/messagetemplate/{welcome.pk}/change/").status_code == 200
    versions = text(client.get("/admin/templates/templateversion/", {"q": "welcome"}))
    assert "welcome" in versions and "globex-news" not in versions
    assert client.get("/admin/templates/messagetemplate/add/").status_code == 403
    assert client.post(f"/admin/templates/messagetemplate/{welcome.pk}/delete/", {"post": "yes"}).status_code == 403
    assert MessageTemplate.objects.filter(pk=welcome.pk).exists()
