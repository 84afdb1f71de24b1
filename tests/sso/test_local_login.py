"""Password logins next to single sign-on: SSO-required tenants, operators, MFA, rate limits and deep links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.test import Client

from engage.accounts.models import SsoSettings
from engage.tenancy.models import Membership, Role, Tenant
from tests.factories import PASSWORD, TenantFactory, UserFactory
from tests.sso.conftest import KeyPair, configure_sso

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(db: Any, idp_keys: KeyPair) -> Tenant:
    tenant = TenantFactory(name="Acme")
    configure_sso(
        tenant,
        saml_enabled=True,
        sso_required=True,
        saml_entity_id="https://idp.acme.test/metadata",
        saml_sso_url="https://idp.acme.test/sso",
        saml_x509cert=idp_keys.cert_pem,
    )
    return tenant


def password_login(email: str, password: str = PASSWORD, next_url: str | None = None) -> tuple[Client, Any]:
    client = Client()
    query = f"?next={next_url}" if next_url else ""
    return client, client.post(f"/accounts/login/{query}", {"login": email, "password": password})


def test_an_sso_required_tenant_refuses_its_members_passwords(
    acme: Tenant, member_factory: Callable[..., Membership]
) -> None:
    member_factory(acme, Role.ADMIN, "alice@acme.test")

    client, response = password_login("alice@acme.test")

    assert response.status_code == 200
    assert "Acme requires single sign-on" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_other_tenants_members_and_operators_keep_their_passwords(
    acme: Tenant, member_factory: Callable[..., Membership]
) -> None:
    member_factory(TenantFactory(name="Globex"), Role.ADMIN, "gus@globex.test")
    operator = UserFactory(email="ops@acme.test", is_staff=True)
    Membership.objects.create(tenant=acme, user=operator, role=Role.OWNER)

    for email in ("gus@globex.test", "ops@acme.test"):
        client, response = password_login(email)
        assert response.status_code == 302, email
        assert "_auth_user_id" in client.session


def test_turning_sso_required_off_gives_passwords_back(acme: Tenant, member_factory: Callable[..., Membership]) -> None:
    member_factory(acme, Role.ADMIN, "alice@acme.test")
    SsoSettings.objects.filter(tenant=acme).update(sso_required=False)

    client, response = password_login("alice@acme.test")

    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_it_rate_limits_failed_logins(db: Any) -> None:
    UserFactory(email="target@example.test")
    for _ in range(5):
        _, response = password_login("target@example.test", "wrong-password")
        assert "not correct" in response.content.decode()

    client, response = password_login("target@example.test")  # even the right password, for now

    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_local_account_with_totp_needs_its_code(db: Any) -> None:
    user = UserFactory(email="ops@engage.test", is_staff=True)
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(user, secret)

    client, response = password_login("ops@engage.test")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    done = client.post("/accounts/2fa/authenticate/", {"code": code})

    assert done.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/t/{id}/campaigns/", "/t/{id}/campaigns/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/%5Cevil.example", "/"),
        ("http://127.0.0.1:8000/t/{id}/campaigns/", "/"),
    ],
    ids=["path", "absolute-url", "scheme-relative", "backslash", "absolute-url-to-this-site"],
)
def test_a_password_login_follows_only_same_site_paths(
    db: Any, member_factory: Callable[..., Membership], next_url: str, lands_on: str
) -> None:
    tenant = TenantFactory(name="Initech")
    member_factory(tenant, Role.MARKETER, "peter@initech.test")

    _, response = password_login("peter@initech.test", next_url=next_url.format(id=tenant.public_id))

    assert response["Location"] == lands_on.format(id=tenant.public_id)
