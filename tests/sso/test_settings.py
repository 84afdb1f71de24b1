"""The tenant admin's single sign-on page, and the operators' domains (admin and CLI)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from lxml import etree

from engage.accounts.models import SsoDomain, SsoSettings
from engage.accounts.sso.idp import normalize_certificate
from engage.tenancy.models import AuditLog, Membership, Role, Tenant
from tests.factories import TenantFactory, UserFactory
from tests.sso.conftest import KeyPair, configure_sso

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(db: Any) -> Tenant:
    tenant = TenantFactory(name="Acme")
    configure_sso(tenant)
    return tenant


@pytest.fixture
def admin_client(acme: Tenant, member_factory: Callable[..., Membership]) -> Client:
    client = Client()
    client.force_login(member_factory(acme, Role.ADMIN, "admin@acme.test").user)
    return client


def url(tenant: Tenant, page: str = "") -> str:
    return f"/t/{tenant.public_id}/settings/sso/{page}"


FORM = {"default_role": "viewer", "saml_attr_email": "email", "saml_attr_first_name": "first_name"}


def test_it_shows_the_domains_and_what_to_paste_into_the_idp(acme: Tenant, admin_client: Client) -> None:
    page = admin_client.get(url(acme)).content.decode()

    assert "acme.test" in page
    assert f"http://127.0.0.1:8000/accounts/saml/{acme.public_id}/acs/" in page
    assert f"http://127.0.0.1:8000/accounts/saml/{acme.public_id}/metadata/" in page
    assert "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" in page


def test_it_saves_the_idp_details_and_audits_the_change(acme: Tenant, admin_client: Client, idp_keys: KeyPair) -> None:
    body = {
        **FORM,
        "saml_entity_id": "https://accounts.google.com/o/saml2?idpid=C01abc",
        "saml_sso_url": "https://accounts.google.com/o/saml2/idp?idpid=C01abc",
        "saml_x509cert": idp_keys.cert_pem,
        "group_roles": "marketing@acme.test = Marketer\n\nit = admin",
    }

    response = admin_client.post(url(acme), body)

    assert response.status_code == 302
    sso = SsoSettings.objects.get(tenant=acme)
    assert sso.saml_configured and sso.saml_x509cert == normalize_certificate(idp_keys.cert_pem)
    assert sso.group_roles == [["marketing@acme.test", "marketer"], ["it", "admin"]]
    changes = AuditLog.objects.get(tenant=acme, action="sso.settings").data["changes"]
    assert changes["saml_x509cert"][0] == "" and len(changes["saml_x509cert"][1]) == 95  # the SHA-256 fingerprint
    page = admin_client.get(url(acme)).content.decode()
    assert "CN=test-idp" in page and "Single sign-on settings saved." in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"saml_x509cert": "not a certificate", "saml_entity_id": "x", "saml_sso_url": "https://idp.test/sso"},
            "this is not an X.509 certificate",
        ),
        ({"saml_enabled": "on"}, "enter your IdP&#x27;s entity ID, SSO URL and certificate before turning SAML on"),
        (
            {"saml_entity_id": "https://idp.test/meta"},
            "give the IdP&#x27;s entity ID, SSO URL and certificate together",
        ),
        ({"group_roles": "marketing"}, "Line 1: write it as group = role."),
        ({"group_roles": "marketing = owner"}, "&#x27;owner&#x27; is not a role"),
        ({"oidc_enabled": "on"}, "Google Workspace login is not set up on this Engage server"),
        ({"sso_required": "on"}, "turn on Google Workspace or SAML login before requiring single sign-on"),
    ],
    ids=[
        "certificate",
        "saml-without-idp",
        "partial-idp",
        "mapping-syntax",
        "mapping-owner",
        "no-oidc-app",
        "required",
    ],
)
def test_it_explains_what_to_fix(acme: Tenant, admin_client: Client, changes: dict[str, str], message: str) -> None:
    response = admin_client.post(url(acme), {**FORM, **changes})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SsoSettings.objects.filter(tenant=acme).exclude(saml_entity_id="").exists()


def test_it_will_not_let_an_admin_lock_themselves_out(
    acme: Tenant, member_factory: Callable[..., Membership], idp_keys: KeyPair
) -> None:
    configure_sso(
        acme,
        domains=(),
        saml_entity_id="https://idp.test/meta",
        saml_sso_url="https://idp.test/sso",
        saml_x509cert=idp_keys.cert_pem,
        saml_enabled=True,
    )
    outsider = Client()
    outsider.force_login(member_factory(acme, Role.OWNER, "consultant@agency.test").user)

    idp = {
        "saml_entity_id": "https://idp.test/meta",
        "saml_sso_url": "https://idp.test/sso",
        "saml_x509cert": idp_keys.cert_pem,
    }
    response = outsider.post(url(acme), {**FORM, **idp, "saml_enabled": "on", "sso_required": "on"})

    assert response.status_code == 400 and "requiring SSO would lock you out" in response.content.decode()


def test_only_admins_see_the_page(acme: Tenant, member_factory: Callable[..., Membership]) -> None:
    marketer = Client()
    marketer.force_login(member_factory(acme, Role.MARKETER, "m@acme.test").user)

    assert marketer.get(url(acme)).status_code == 403
    assert marketer.post(url(acme), {**FORM, "sso_required": "on"}).status_code == 403
    assert marketer.post(url(acme, "test/"), {"kind": "saml"}).status_code == 403


def test_it_serves_the_service_provider_metadata(acme: Tenant, admin_client: Client) -> None:
    response = admin_client.get(url(acme, "sp-metadata.xml"))

    root = etree.fromstring(response.content)
    ns = {"md": "urn:oasis:names:tc:SAML:2.0:metadata"}
    assert root.get("entityID") == f"http://127.0.0.1:8000/accounts/saml/{acme.public_id}/metadata/"
    acs = root.find(".//md:AssertionConsumerService", ns)
    assert acs is not None and acs.get("Location").endswith(f"/accounts/saml/{acme.public_id}/acs/")
    assert root.find(".//md:SPSSODescriptor", ns).get("WantAssertionsSigned") == "true"


def test_operators_give_domains_in_the_admin_and_a_domain_has_one_tenant(acme: Tenant) -> None:
    globex = TenantFactory(name="Globex")
    operator = Client()
    operator.force_login(UserFactory(email="ops@engage.test", is_staff=True, is_superuser=True))

    added = operator.post("/admin/accounts/ssodomain/add/", {"tenant": globex.pk, "domain": "Globex.TEST"})
    taken = operator.post("/admin/accounts/ssodomain/add/", {"tenant": globex.pk, "domain": "acme.test"})

    assert added.status_code == 302
    assert SsoDomain.objects.get(domain="globex.test").tenant == globex
    assert AuditLog.objects.get(tenant=globex, action="sso.domain.add").actor_label == "ops@engage.test"
    assert taken.status_code == 200 and b"already exists" in taken.content
    assert SsoDomain.objects.get(domain="acme.test").tenant == acme


def test_operators_manage_domains_from_the_cli(acme: Tenant, capsys: pytest.CaptureFixture[str]) -> None:
    globex = TenantFactory(name="Globex")

    call_command("sso", "domain", "add", "--tenant", globex.public_id, "@Globex.test")
    with pytest.raises(CommandError, match=r"acme\.test already belongs to another tenant"):
        call_command("sso", "domain", "add", "--tenant", globex.public_id, "acme.test")
    call_command("sso", "domain", "list", "--json")

    assert '"domain": "globex.test"' in capsys.readouterr().out
    call_command("sso", "domain", "remove", "--tenant", globex.public_id, "globex.test")
    assert not SsoDomain.objects.filter(tenant=globex).exists()
