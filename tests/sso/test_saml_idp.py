"""SAML through a real IdP (pysaml2 signing with xmlsec1): login, provisioning, metadata import and the test login."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from engage.accounts.models import SsoSettings, User
from engage.accounts.services import sso_settings_update
from engage.accounts.sso.idp import normalize_certificate
from engage.errors import Invalid
from engage.tenancy.models import AuditLog, Membership, Role, Tenant
from tests.factories import MembershipFactory, TenantFactory, UserFactory
from tests.sso.conftest import KeyPair, configure_sso, saml_settings
from tests.sso.saml_flow import saml_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(saml_idp: str, idp_keys: KeyPair) -> Tenant:
    tenant = TenantFactory(name="Acme")
    configure_sso(tenant, **saml_settings(saml_idp, idp_keys.cert_pem, group_roles=[["marketing", Role.MARKETER]]))
    return tenant


def test_it_logs_in_through_the_sso_form_and_lands_on_the_campaign_screen(acme: Tenant) -> None:
    client = Client()
    started = client.post("/accounts/sso/", {"email": "alice@acme.test"})

    response = saml_login(client, started, "alice@acme.test")

    assert response.status_code == 302 and response["Location"] == f"/t/{acme.public_id}/campaigns/"
    user = User.objects.get(email="alice@acme.test")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert Membership.objects.get(tenant=acme, user=user).role == Role.VIEWER
    assert client.get(response["Location"]).status_code == 200


def test_it_maps_the_idps_groups_to_a_role(acme: Tenant) -> None:
    client = Client()

    saml_login(client, client.post("/accounts/sso/", {"email": "mia@acme.test"}), "mia@acme.test", "marketing,eng")

    assert Membership.objects.get(tenant=acme, user__email="mia@acme.test").role == Role.MARKETER


def test_it_refuses_a_person_from_another_domain(acme: Tenant) -> None:
    client = Client()
    started = client.post(f"/accounts/saml/{acme.public_id}/login/")

    response = saml_login(client, started, "mallory@evil.test")

    assert (
        response.status_code == 403 and b"mallory@evil.test is not in the domains Acme logs in with" in response.content
    )
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="mallory@evil.test").exists()


def test_the_test_login_reports_what_the_idp_sent_and_logs_nobody_in(acme: Tenant) -> None:
    SsoSettings.objects.filter(tenant=acme).update(saml_enabled=False)  # testing before turning it on
    admin = MembershipFactory(tenant=acme, user=UserFactory(email="admin@acme.test"), role=Role.ADMIN)
    client = Client()
    client.force_login(admin.user)
    started = client.post(f"/t/{acme.public_id}/settings/sso/test/", {"kind": "saml"})

    back = saml_login(client, started, "newbie@acme.test", "marketing")

    assert back.status_code == 302 and back["Location"].endswith("/settings/sso/#test-result")
    page = client.get(back["Location"]).content.decode()
    assert (
        "Login works" in page and "newbie@acme.test" in page and "would join Acme as <strong>marketer</strong>" in page
    )
    assert client.session["_auth_user_id"] == str(admin.user_id)
    assert not User.objects.filter(email="newbie@acme.test").exists()
    assert AuditLog.objects.get(tenant=acme, action="sso.test").data == {
        "kind": "saml",
        "ok": True,
        "code": None,
        "email": "newbie@acme.test",
    }
    assert "Login works" not in client.get(back["Location"]).content.decode()  # shown once


def test_the_test_login_explains_a_refusal(acme: Tenant) -> None:
    admin = MembershipFactory(tenant=acme, user=UserFactory(email="admin@acme.test"), role=Role.ADMIN)
    client = Client()
    client.force_login(admin.user)

    back = saml_login(client, client.post(f"/t/{acme.public_id}/settings/sso/test/", {"kind": "saml"}), "x@evil.test")

    page = client.get(back["Location"]).content.decode()
    assert "This address cannot log in here" in page and "x@evil.test is not in the domains" in page


def test_it_reads_the_idp_details_from_its_metadata_url(saml_idp: str, idp_keys: KeyPair) -> None:
    tenant = TenantFactory(name="Initech")
    configure_sso(tenant, domains=("initech.test",))

    sso = sso_settings_update(tenant=tenant, by="tests", saml_metadata_url=f"{saml_idp}/metadata")

    assert sso.saml_entity_id == f"{saml_idp}/metadata"
    assert sso.saml_sso_url == f"{saml_idp}/sso/redirect"
    assert sso.saml_x509cert == normalize_certificate(idp_keys.cert_pem)


def test_it_refuses_a_metadata_url_in_a_private_network_unless_allowed(saml_idp: str, settings: Any) -> None:
    settings.SSO_METADATA_ALLOW_PRIVATE_NETWORKS = False
    tenant = TenantFactory(name="Initech")

    with pytest.raises(Invalid, match=r"127\.0\.0\.1 is a private address"):
        sso_settings_update(tenant=tenant, by="tests", saml_metadata_url=f"{saml_idp}/metadata")
    assert not SsoSettings.objects.filter(tenant=tenant).exists()
