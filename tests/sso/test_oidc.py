"""Google Workspace login through a real OpenID Connect provider (node oidc-provider): the hd claim decides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from engage.accounts.models import SsoSettings, User
from engage.tenancy.models import AuditLog, Membership, Role, Tenant
from engage.tenancy.services import member_invite, member_remove
from tests.factories import TenantFactory, UserFactory
from tests.sso.conftest import configure_sso, oidc_app
from tests.sso.oidc_flow import oidc_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(oidc: str) -> Tenant:
    tenant = TenantFactory(name="Acme")
    configure_sso(tenant, oidc_enabled=True, default_role=Role.MARKETER)
    return tenant


def assert_refused(response: Any, client: Client, text: str) -> None:
    assert response.status_code in (401, 403), (response.status_code, response.content[:500])
    assert text in response.content.decode(), response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_provisions_a_workspace_user_and_lands_on_their_tenants_campaign_screen(acme: Tenant) -> None:
    client = Client()

    response = oidc_login(client, "alice@acme.test")

    assert response.status_code == 302 and response["Location"] == f"/t/{acme.public_id}/campaigns/"
    user = User.objects.get(email="alice@acme.test")
    assert (user.first_name, user.last_name) == ("Alice", "Example")
    assert Membership.objects.get(tenant=acme, user=user).role == Role.MARKETER
    assert client.session["_auth_user_id"] == str(user.pk)
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"Campaigns" in page.content
    assert AuditLog.objects.get(tenant=acme, action="member.add").data["via"] == "sso:oidc"


def test_it_sends_each_domain_to_its_own_tenant(acme: Tenant) -> None:
    globex = TenantFactory(name="Globex")
    configure_sso(globex, domains=("globex.test",), oidc_enabled=True)
    client = Client()

    response = oidc_login(client, "gina@globex.test")

    assert response["Location"] == f"/t/{globex.public_id}/campaigns/"
    assert not Membership.objects.filter(tenant=acme, user__email="gina@globex.test").exists()
    assert Membership.objects.get(tenant=globex, user__email="gina@globex.test").role == Role.VIEWER


def test_it_refuses_a_domain_no_tenant_has(acme: Tenant) -> None:
    client = Client()

    response = oidc_login(client, "mallory@evil.test")

    assert_refused(response, client, "No team in Engage logs in with evil.test accounts")
    assert not User.objects.filter(email="mallory@evil.test").exists()


def test_it_refuses_a_consumer_google_account(acme: Tenant) -> None:
    client = Client()

    assert_refused(oidc_login(client, "bob@gmail.com"), client, "bob@gmail.com is not a Google Workspace account")


def test_it_refuses_an_unverified_email(acme: Tenant) -> None:
    client = Client()

    assert_refused(oidc_login(client, "unverified@acme.test"), client, "has not verified unverified@acme.test")
    assert not User.objects.filter(email="unverified@acme.test").exists()


def test_an_id_token_for_another_audience_never_creates_a_session(acme: Tenant) -> None:
    client = Client()

    response = oidc_login(client, "otheraud@acme.test")

    assert_refused(response, client, "its answer could not be verified")
    assert not User.objects.filter(email="otheraud@acme.test").exists()
    assert client.get(f"/t/{acme.public_id}/campaigns/").status_code == 302


def test_it_refuses_when_the_tenant_has_not_turned_google_login_on(acme: Tenant) -> None:
    SsoSettings.objects.filter(tenant=acme).update(oidc_enabled=False)
    client = Client()

    assert_refused(oidc_login(client, "alice@acme.test"), client, "Acme has not turned on login with Google Workspace")


def test_it_links_an_invited_member_and_keeps_their_role(acme: Tenant) -> None:
    membership, _ = member_invite(tenant=acme, email="alice@acme.test", role=Role.ANALYST, by="tests")
    client = Client()

    oidc_login(client, "alice@acme.test")

    assert client.session["_auth_user_id"] == str(membership.user_id)
    assert Membership.objects.get(pk=membership.pk).role == Role.ANALYST
    assert User.objects.filter(email="alice@acme.test").count() == 1


def test_it_blocks_a_removed_member_at_their_next_login(acme: Tenant) -> None:
    owner, _ = member_invite(tenant=acme, email="owner@acme.test", role=Role.OWNER, by="tests")
    oidc_login(Client(), "alice@acme.test")
    alice = Membership.objects.get(tenant=acme, user__email="alice@acme.test")
    member_remove(membership=alice, by=owner.user, by_role=Role.OWNER)
    client = Client()

    assert_refused(oidc_login(client, "alice@acme.test"), client, "An admin of Acme removed alice@acme.test")


def test_it_refuses_operator_accounts(acme: Tenant) -> None:
    UserFactory(email="alice@acme.test", is_staff=True)
    client = Client()

    assert_refused(oidc_login(client, "alice@acme.test"), client, "Operators log in with their password")


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/t/{id}/campaigns/?status=DRAFT", "/t/{id}/campaigns/?status=DRAFT"),
        ("https://evil.example/phish", "/t/{id}/campaigns/"),
        ("//evil.example/phish", "/t/{id}/campaigns/"),
        ("/\\evil.example", "/t/{id}/campaigns/"),
    ],
    ids=["same-site-path", "absolute-url", "scheme-relative", "backslash"],
)
def test_it_follows_only_same_site_deep_links(acme: Tenant, next_url: str, lands_on: str) -> None:
    client = Client()

    response = oidc_login(client, "alice@acme.test", next_url=next_url.format(id=acme.public_id))

    assert response["Location"] == lands_on.format(id=acme.public_id)


def test_the_sso_form_finds_the_tenant_from_the_email_and_keeps_the_deep_link(acme: Tenant) -> None:
    client = Client()
    deep = f"/t/{acme.public_id}/campaigns/?status=DRAFT"
    started = client.post("/accounts/sso/", {"email": "alice@acme.test", "next": deep})
    assert "login_hint=alice%40acme.test" in started["Location"] and "hd=acme.test" in started["Location"]

    response = oidc_login(client, "alice@acme.test", started=started)

    assert response["Location"] == deep


def test_the_admins_test_login_reports_without_logging_anyone_in(
    acme: Tenant, member_factory: Callable[..., Membership]
) -> None:
    SsoSettings.objects.filter(tenant=acme).update(oidc_enabled=False)  # testing before turning it on
    admin = member_factory(acme, Role.ADMIN, "admin@acme.test")
    client = Client()
    client.force_login(admin.user)
    started = client.post(f"/t/{acme.public_id}/settings/sso/test/", {"kind": "oidc"})

    back = oidc_login(client, "newbie@acme.test", started=started)

    page = client.get(back["Location"]).content.decode()
    assert "Login works" in page and "would join Acme as <strong>marketer</strong>" in page
    assert "&quot;hd&quot;: &quot;acme.test&quot;" in page  # the claims, for debugging a mapping
    assert client.session["_auth_user_id"] == str(admin.user_id)
    assert not User.objects.filter(email="newbie@acme.test").exists()


def test_the_test_login_says_when_the_account_belongs_to_another_team(
    acme: Tenant, member_factory: Callable[..., Membership]
) -> None:
    configure_sso(TenantFactory(name="Globex"), domains=("globex.test",), oidc_enabled=True)
    client = Client()
    client.force_login(member_factory(acme, Role.ADMIN, "admin@acme.test").user)

    back = oidc_login(
        client, "gina@globex.test", started=client.post(f"/t/{acme.public_id}/settings/sso/test/", {"kind": "oidc"})
    )

    page = client.get(back["Location"]).content.decode()
    assert "This address cannot log in here" in page and "gina@globex.test is not in the domains Acme" in page
    assert not Membership.objects.filter(user__email="gina@globex.test").exists()


def test_a_forged_callback_is_refused(acme: Tenant) -> None:
    client = Client()

    response = client.get("/accounts/oidc/workspace/login/callback/?code=stolen&state=made-up")

    assert response.status_code == 401 and b"Nobody was logged in" in response.content
    assert "_auth_user_id" not in client.session


def test_an_unreachable_provider_gets_a_clear_page(acme: Tenant, settings: Any) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = oidc_app("http://127.0.0.1:9")  # nothing listens there

    response = Client().post("/accounts/oidc/workspace/login/", {"process": "login"})

    assert response.status_code == 502 and b"could not be reached" in response.content
