"""The SAML ACS refuses every response it must not trust, with a clear page and no session (fast, no IdP process)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from onelogin.saml2.constants import OneLogin_Saml2_Constants as Saml

from engage.accounts.models import SsoSettings, User
from engage.accounts.services import sso_settings_update
from engage.tenancy.models import AuditLog, Membership, Role, Tenant
from engage.tenancy.services import member_invite, member_remove
from tests.factories import TenantFactory, UserFactory
from tests.sso.conftest import KeyPair, configure_sso
from tests.sso.saml_responses import SamlResponse, post_response, start_login

pytestmark = pytest.mark.django_db
IDP = "https://idp.acme.test"


@pytest.fixture
def acme(db: Any, idp_keys: KeyPair) -> Tenant:
    tenant = TenantFactory(name="Acme")
    configure_sso(
        tenant,
        saml_enabled=True,
        saml_entity_id=f"{IDP}/metadata",
        saml_sso_url=f"{IDP}/sso",
        saml_x509cert=idp_keys.cert_pem,
        group_roles=[["marketing", Role.MARKETER], ["it-admins", Role.ADMIN]],
    )
    return tenant


def answer(tenant: Tenant, keys: KeyPair, in_response_to: str | None, **changes: Any) -> SamlResponse:
    """A valid response to the AuthnRequest `in_response_to`, unless `changes` break it."""
    base = SamlResponse(
        issuer=f"{IDP}/metadata",
        acs=f"http://testserver/accounts/saml/{tenant.public_id}/acs/",
        audience=f"http://127.0.0.1:8000/accounts/saml/{tenant.public_id}/metadata/",
        key_pem=keys.key_pem,
        cert_pem=keys.cert_pem,
        in_response_to=in_response_to,
    )
    return base.but(**changes)


def assert_refused(response: Any, client: Client, *texts: str) -> None:
    assert response.status_code in (401, 403), (response.status_code, response.content[:500])
    body = response.content.decode()
    for text in texts:
        assert text in body, body
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # the landing page still sends them to log in


def test_it_logs_in_a_signed_response_and_provisions_the_member_with_the_default_role(
    acme: Tenant, idp_keys: KeyPair
) -> None:
    client = Client()
    request_id = start_login(client, acme)

    response = post_response(client, acme, answer(acme, idp_keys, request_id).encoded())

    assert response.status_code == 302 and response["Location"] == f"/t/{acme.public_id}/campaigns/"
    user = User.objects.get(email="alice@acme.test")
    assert (user.first_name, user.last_name, user.has_usable_password()) == ("Alice", "Example", False)
    assert Membership.objects.get(tenant=acme, user=user).role == Role.VIEWER
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(response["Location"]).status_code == 200
    entry = AuditLog.objects.get(tenant=acme, action="member.add")
    assert entry.data["via"] == "sso:saml" and entry.actor == user


def test_it_gives_the_strongest_role_of_the_mapped_groups(acme: Tenant, idp_keys: KeyPair) -> None:
    client = Client()
    request_id = start_login(client, acme)

    post_response(client, acme, answer(acme, idp_keys, request_id, groups=("marketing", "it-admins")).encoded())

    assert Membership.objects.get(tenant=acme, user__email="alice@acme.test").role == Role.ADMIN


def test_it_follows_a_safe_deep_link(acme: Tenant, idp_keys: KeyPair) -> None:
    client = Client()
    request_id = start_login(client, acme, next_url=f"/t/{acme.public_id}/campaigns/?status=DRAFT")

    response = post_response(client, acme, answer(acme, idp_keys, request_id).encoded())

    assert response["Location"] == f"/t/{acme.public_id}/campaigns/?status=DRAFT"


def test_it_refuses_a_tampered_response(acme: Tenant, idp_keys: KeyPair) -> None:
    client = Client()
    request_id = start_login(client, acme)
    tampered = answer(acme, idp_keys, request_id, email="bob@acme.test", tamper_email="ceo@acme.test")

    response = post_response(client, acme, tampered.encoded())

    assert_refused(response, client, "could not be trusted", "signature does not match")
    assert not User.objects.filter(email__in=["bob@acme.test", "ceo@acme.test"]).exists()


def test_it_refuses_a_response_signed_with_another_key(acme: Tenant, rogue_keys: KeyPair) -> None:
    client = Client()
    request_id = start_login(client, acme)

    response = post_response(client, acme, answer(acme, rogue_keys, request_id).encoded())

    assert_refused(response, client, "signature does not match")
    assert not User.objects.filter(email="alice@acme.test").exists()


@pytest.mark.parametrize("signed_response", [False, True], ids=["unsigned", "only-the-message-signed"])
def test_it_refuses_an_unsigned_assertion(acme: Tenant, idp_keys: KeyPair, signed_response: bool) -> None:
    client = Client()
    request_id = start_login(client, acme)
    unsigned = answer(acme, idp_keys, request_id, sign_assertion=False, sign_response=signed_response)

    response = post_response(client, acme, unsigned.encoded())

    assert_refused(response, client, "could not be trusted", "not signed")
    assert not User.objects.filter(email="alice@acme.test").exists()


def test_it_refuses_sha1_signatures(acme: Tenant, idp_keys: KeyPair) -> None:
    client = Client()
    request_id = start_login(client, acme)
    sha1 = answer(acme, idp_keys, request_id, algorithm=Saml.RSA_SHA1, digest=Saml.SHA1)

    assert_refused(post_response(client, acme, sha1.encoded()), client, "SHA-256")


def test_it_refuses_an_expired_response(acme: Tenant, idp_keys: KeyPair) -> None:
    client = Client()
    request_id = start_login(client, acme)
    expired = answer(acme, idp_keys, request_id, issued_ago=datetime.timedelta(minutes=20))

    assert_refused(post_response(client, acme, expired.encoded()), client, "expired")
    assert not User.objects.filter(email="alice@acme.test").exists()


def test_it_refuses_a_response_for_another_audience(acme: Tenant, idp_keys: KeyPair) -> None:
    client = Client()
    request_id = start_login(client, acme)
    elsewhere = answer(acme, idp_keys, request_id, audience="https://other-app.example/saml/metadata")

    assert_refused(post_response(client, acme, elsewhere.encoded()), client, "issued for another service")


def test_it_refuses_a_response_meant_for_another_tenant(acme: Tenant, idp_keys: KeyPair) -> None:
    globex = TenantFactory(name="Globex")
    configure_sso(
        globex,
        domains=("globex.test",),
        saml_enabled=True,
        saml_entity_id=f"{IDP}/metadata",
        saml_sso_url=f"{IDP}/sso",
        saml_x509cert=idp_keys.cert_pem,
    )
    client = Client()
    request_id = start_login(client, acme)
    # Same IdP key (a shared IdP), but the audience is Globex's: posting it to Acme's ACS gets nobody in.
    to_globex = answer(
        acme, idp_keys, request_id, audience=f"http://127.0.0.1:8000/accounts/saml/{globex.public_id}/metadata/"
    )

    assert_refused(post_response(client, acme, to_globex.encoded()), client, "issued for another service")


def test_it_refuses_a_replayed_response(acme: Tenant, idp_keys: KeyPair) -> None:
    client = Client()
    request_id = start_login(client, acme)
    once = answer(acme, idp_keys, request_id).encoded()
    assert post_response(client, acme, once).status_code == 302
    client.post("/accounts/logout/")

    assert_refused(post_response(client, acme, once), client, "already used")
    attacker = Client()
    assert_refused(post_response(attacker, acme, once), attacker, "already used")


def test_it_refuses_a_captured_response_in_another_browser(acme: Tenant, idp_keys: KeyPair) -> None:
    victim, attacker = Client(), Client()
    request_id = start_login(victim, acme)

    response = post_response(attacker, acme, answer(acme, idp_keys, request_id).encoded())

    assert_refused(response, attacker, "does not answer a login started in this browser")
    assert not User.objects.filter(email="alice@acme.test").exists()


def test_it_refuses_idp_initiated_logins_by_default(acme: Tenant, idp_keys: KeyPair) -> None:
    client = Client()

    response = post_response(client, acme, answer(acme, idp_keys, None).encoded())

    assert_refused(response, client, "Start the login at Engage")


def test_it_accepts_idp_initiated_logins_when_the_tenant_allows_them(acme: Tenant, idp_keys: KeyPair) -> None:
    sso_settings_update(tenant=acme, by="tests", saml_allow_idp_initiated=True)
    client = Client()

    response = post_response(client, acme, answer(acme, idp_keys, None).encoded())

    assert response.status_code == 302 and response["Location"] == f"/t/{acme.public_id}/campaigns/"
    assert client.session["_auth_user_id"] == str(User.objects.get(email="alice@acme.test").pk)


def test_it_refuses_an_address_outside_the_tenants_domains(acme: Tenant, idp_keys: KeyPair) -> None:
    client = Client()
    request_id = start_login(client, acme)

    response = post_response(client, acme, answer(acme, idp_keys, request_id, email="mallory@evil.test").encoded())

    assert_refused(response, client, "mallory@evil.test is not in the domains Acme logs in with")
    assert not User.objects.filter(email="mallory@evil.test").exists()
    refusal = AuditLog.objects.get(tenant=acme, action="sso.refused")
    assert refusal.data == {"code": "domain", "via": "sso:saml", "email": "mallory@evil.test"}


def test_it_refuses_logins_while_saml_is_off(acme: Tenant) -> None:
    SsoSettings.objects.filter(tenant=acme).update(saml_enabled=False)
    client = Client()

    response = client.post(f"/accounts/saml/{acme.public_id}/login/")

    assert_refused(response, client, "SAML login is off")


def test_it_blocks_the_next_login_of_a_removed_member_until_they_are_invited_again(
    acme: Tenant, idp_keys: KeyPair
) -> None:
    owner = member_invite(tenant=acme, email="owner@acme.test", role=Role.OWNER, by="tests")[0]
    first = Client()
    post_response(first, acme, answer(acme, idp_keys, start_login(first, acme)).encoded())
    alice = Membership.objects.get(tenant=acme, user__email="alice@acme.test")
    member_remove(membership=alice, by=owner.user, by_role=Role.OWNER)

    again = Client()
    response = post_response(again, acme, answer(acme, idp_keys, start_login(again, acme)).encoded())

    assert_refused(response, again, "An admin of Acme removed alice@acme.test")
    assert not Membership.objects.filter(tenant=acme, user__email="alice@acme.test").exists()
    member_invite(tenant=acme, email="alice@acme.test", role=Role.ANALYST, by=owner.user, by_role=Role.OWNER)
    back = Client()
    assert post_response(back, acme, answer(acme, idp_keys, start_login(back, acme)).encoded()).status_code == 302
    assert Membership.objects.get(tenant=acme, user__email="alice@acme.test").role == Role.ANALYST


def test_it_never_logs_in_an_operator_account(acme: Tenant, idp_keys: KeyPair) -> None:
    UserFactory(email="alice@acme.test", is_staff=True)
    client = Client()

    response = post_response(client, acme, answer(acme, idp_keys, start_login(client, acme)).encoded())

    assert_refused(response, client, "Operators log in with their password")
