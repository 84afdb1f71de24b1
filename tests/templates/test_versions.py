"""Version rules: numbers never reused, only the latest can be overwritten, the first is active, activate,
restore, the 5,000 cap, and the version a send binds to."""

from __future__ import annotations

from typing import Any

import pytest

from engage import clock
from engage.errors import Conflict, Invalid, NotFound
from engage.tenancy.models import AuditLog
from templates.codec import template_request_parse
from templates.models import MAX_VERSIONS, MessageTemplate, TemplateVersion, VersionBinding
from templates.selectors import template_version_for_send
from templates.services.templates import (
    template_create,
    template_update,
    template_version_activate,
    template_version_restore,
)

pytestmark = pytest.mark.django_db


def sms(body: str, **extra: Any) -> Any:
    return template_request_parse({"TemplateName": "promo", "TemplateType": "SMS", "Body": body, **extra})


def url(tenant: Any, path: str = "") -> str:
    return f"/api/v1/tenants/{tenant.public_id}/templates/{path}"


@pytest.fixture
def template(tenant: Any) -> MessageTemplate:
    return template_create(tenant=tenant, data=sms("v1"), by="tests")


def numbers(template: MessageTemplate) -> list[int]:
    return list(template.versions.order_by("number").values_list("number", flat=True))


def test_the_first_version_is_both_active_and_latest(template: MessageTemplate) -> None:
    assert template.active_version.number == template.latest_version.number == 1
    assert template.active_version.content == {"Body": "v1"}


def test_every_save_is_a_new_version_and_the_active_one_stays(template: MessageTemplate) -> None:
    template_update(template=template, data=sms("v2"), by="tests")
    version = template_update(template=template, data=sms("v3"), by="tests")
    template.refresh_from_db()

    assert version.number == 3 and numbers(template) == [1, 2, 3]
    assert template.latest_version.number == 3
    assert template.active_version.number == 1


def test_an_identical_save_adds_no_version(template: MessageTemplate) -> None:
    version = template_update(template=template, data=sms("v1"), by="tests")
    assert version.number == 1 and numbers(template) == [1]


def test_update_latest_overwrites_only_the_latest_version(template: MessageTemplate) -> None:
    template_update(template=template, data=sms("v2"), by="tests")
    clock.advance(seconds=60)
    version = template_update(template=template, data=sms("v2 fixed"), by="tests", create_new_version=False)

    assert version.number == 2 and numbers(template) == [1, 2]
    assert TemplateVersion.objects.get(template=template, number=1).content == {"Body": "v1"}
    assert version.content == {"Body": "v2 fixed"}
    assert version.updated_at > version.created_at


def test_update_latest_refuses_when_someone_saved_in_between(template: MessageTemplate) -> None:
    template_update(template=template, data=sms("v2"), by="tests")
    with pytest.raises(Conflict, match="only the latest version"):
        template_update(template=template, data=sms("late"), by="tests", create_new_version=False, expected_latest=1)


def test_numbers_are_never_reused_even_after_versions_disappear(template: MessageTemplate) -> None:
    template_update(template=template, data=sms("v2"), by="tests")
    template_update(template=template, data=sms("v3"), by="tests")
    template.refresh_from_db()
    template.latest_version = template.active_version
    template.save()
    TemplateVersion.objects.filter(template=template, number__gt=1).delete()  # an operator's hand in the database

    version = template_update(template=template, data=sms("v4"), by="tests")
    assert version.number == 4


def test_activate_any_version_and_the_binding_follows(template: MessageTemplate) -> None:
    v2 = template_update(template=template, data=sms("v2"), by="tests")
    template_update(template=template, data=sms("v3"), by="tests")
    frozen = template.active_version  # what a campaign froze when it was created (v1)

    template_version_activate(template=template, number=2, by="tests")
    assert template_version_for_send(template=template, binding=VersionBinding.AT_SEND, frozen_version=None) == v2
    assert template_version_for_send(template=template, binding=VersionBinding.FROZEN, frozen_version=frozen) == frozen
    assert AuditLog.objects.filter(action="template.activate", data__version=2).exists()
    with pytest.raises(NotFound):
        template_version_activate(template=template, number=9, by="tests")
    with pytest.raises(Invalid):
        template_version_activate(template=template, number="two", by="tests")


def test_a_frozen_binding_needs_a_version_of_that_template(template: MessageTemplate, tenant: Any) -> None:
    other = template_create(
        tenant=tenant,
        data=template_request_parse({"TemplateName": "other", "TemplateType": "SMS", "Body": "x"}),
        by="tests",
    )
    with pytest.raises(Invalid):
        template_version_for_send(template=template, binding=VersionBinding.FROZEN, frozen_version=None)
    with pytest.raises(Invalid):
        template_version_for_send(template=template, binding=VersionBinding.FROZEN, frozen_version=other.active_version)
    with pytest.raises(Invalid):
        template_version_for_send(template=template, binding="SOMETIMES", frozen_version=None)


def test_restore_saves_an_old_version_as_a_new_one(template: MessageTemplate) -> None:
    template_update(template=template, data=sms("v2", DefaultSubstitutions={"User.UserId": "x"}), by="tests")
    restored = template_version_restore(template=template, number=1, by="tests")
    template.refresh_from_db()

    assert restored.number == 3 and restored.content == {"Body": "v1"}
    assert restored.default_substitutions == {}
    assert template.latest_version == restored and template.active_version.number == 1
    assert AuditLog.objects.filter(action="template.restore", data__from_version=1, data__version=3).exists()


def test_a_template_stops_at_5000_version_numbers(template: MessageTemplate) -> None:
    MessageTemplate.objects.filter(pk=template.pk).update(last_version_number=MAX_VERSIONS)
    with pytest.raises(Invalid, match="5,000"):
        template_update(template=template, data=sms("one too many"), by="tests")
    version = template_update(template=template, data=sms("still editable"), by="tests", create_new_version=False)
    assert version.number == 1 and version.content == {"Body": "still editable"}


def test_the_api_mirrors_pinpoints_create_new_version_and_version_parameters(api: Any, tenant: Any) -> None:
    created = api.post(url(tenant), {"TemplateName": "t", "TemplateType": "SMS", "Body": "one"}, format="json").json()
    detail = url(tenant, f"{created['Id']}/")

    assert api.put(detail, {"Body": "two"}, format="json").json()["Version"] == "2"
    r = api.put(detail + "?create-new-version=false", {"Body": "two, fixed"}, format="json")
    assert r.json()["Version"] == "2" and r.json()["Body"] == "two, fixed"
    assert api.put(detail + "?create-new-version=false&version=1", {"Body": "x"}, format="json").status_code == 409
    assert api.put(detail + "?create-new-version=false&version=2", {"Body": "two!"}, format="json").status_code == 200
    patched = api.patch(detail, {"TemplateDescription": "only the description"}, format="json").json()
    assert patched["Version"] == "3" and patched["Body"] == "two!"
    assert api.put(detail, {"TemplateName": "renamed", "Body": "x"}, format="json").status_code == 400
    assert api.put(detail, {"TemplateType": "EMAIL", "Body": "x"}, format="json").status_code == 400

    items = api.get(detail + "versions/").json()["Item"]
    assert [i["Version"] for i in items] == ["3", "2", "1"]
    assert [i["Active"] for i in items] == [False, False, True]
    assert items[0]["Latest"] and items[0]["TemplateDescription"] == "only the description"

    activated = api.post(detail + "activate/", {"Version": "2"}, format="json").json()
    assert activated["ActiveVersion"] == "2" and activated["Body"] == "two!"
    assert api.put(detail + "activate/", {"Version": 3}, format="json").json()["ActiveVersion"] == "3"
    restored = api.post(detail + "restore/", {"Version": "1"}, format="json")
    assert restored.status_code == 201 and restored.json()["Version"] == "4" and restored.json()["Body"] == "one"
