"""Django admin: staff operators see every tenant; API key secrets never appear."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from engage.accounts.models import User
from engage.tenancy.models import ApiKey, AuditLog, Membership, Role, Tenant
from engage.tenancy.services import apikey_create, tenant_update_settings
from tests.factories import PASSWORD, CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = ["tenancy_tenant", "tenancy_membership", "tenancy_apikey", "tenancy_auditlog"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def operator(db: Any) -> User:
    return User.objects.create_superuser(email="ops@engage.test", password=PASSWORD)


@pytest.fixture
def admin_client(operator: User) -> Client:
    client = Client()
    client.force_login(operator)
    return client


@pytest.fixture
def secret_key(tenant: Tenant, owner: Membership) -> tuple[ApiKey, str]:
    return apikey_create(tenant=tenant, name="Website", allowed_cidrs=["10.0.0.0/8"], by=owner.user)


@pytest.mark.parametrize("name", CHANGELISTS)
def test_it_opens_every_tenancy_changelist_for_staff(
    admin_client: Client,
    tenant: Tenant,
    other_tenant: Tenant,
    owner: Membership,
    secret_key: tuple[ApiKey, str],
    name: str,
) -> None:
    tenant_update_settings(tenant=tenant, by=owner.user, messages_per_second=100)
    r = admin_client.get(reverse(f"admin:{name}_changelist"))
    assert r.status_code == 200
    assert secret_key[1] not in r.content.decode()


def test_it_shows_tenants_of_every_tenant_to_staff(admin_client: Client, tenant: Tenant, other_tenant: Tenant) -> None:
    body = admin_client.get(reverse("admin:tenancy_tenant_changelist")).content.decode()
    assert tenant.public_id in body
    assert other_tenant.public_id in body


def test_it_searches_and_filters_the_changelists(
    admin_client: Client, tenant: Tenant, other_tenant: Tenant, owner: Membership, secret_key: tuple[ApiKey, str]
) -> None:
    key, _ = secret_key
    assert admin_client.get(reverse("admin:tenancy_tenant_changelist"), {"q": "Acme"}).status_code == 200
    r = admin_client.get(reverse("admin:tenancy_apikey_changelist"), {"q": key.key_id, "role": "marketer"})
    assert r.status_code == 200
    assert key.key_id in r.content.decode()
    r = admin_client.get(reverse("admin:tenancy_membership_changelist"), {"role": Role.OWNER})
    assert "owner@acme.test" in r.content.decode()
    r = admin_client.get(reverse("admin:tenancy_auditlog_changelist"), {"action": "apikey.create"})
    assert r.status_code == 200
    assert key.key_id in r.content.decode()


def test_it_opens_the_change_pages(
    admin_client: Client, tenant: Tenant, owner: Membership, secret_key: tuple[ApiKey, str]
) -> None:
    assert admin_client.get(reverse("admin:tenancy_tenant_change", args=[tenant.pk])).status_code == 200
    assert admin_client.get(reverse("admin:tenancy_membership_change", args=[owner.pk])).status_code == 200
    entry = AuditLog.objects.get(action="apikey.create")
    assert admin_client.get(reverse("admin:tenancy_auditlog_change", args=[entry.pk])).status_code == 200
    campaign = CampaignFactory(tenant=tenant)
    assert admin_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).status_code == 200


def test_it_never_shows_the_secret_on_the_key_change_page(admin_client: Client, secret_key: tuple[ApiKey, str]) -> None:
    key, secret = secret_key
    r = admin_client.get(reverse("admin:tenancy_apikey_change", args=[key.pk]))
    assert r.status_code == 200
    body = r.content.decode()
    assert key.key_id in body
    assert secret not in body
    assert 'name="secret"' not in body


def test_it_lets_staff_revoke_a_key_without_touching_the_secret(
    admin_client: Client, secret_key: tuple[ApiKey, str]
) -> None:
    key, secret = secret_key
    r = admin_client.post(
        reverse("admin:tenancy_apikey_change", args=[key.pk]),
        {
            "name": "Website (revoked)",
            "allowed_cidrs": '["10.0.0.0/8"]',
            "revoked_at_0": "2026-01-01",
            "revoked_at_1": "00:00:00",
        },
    )
    assert r.status_code == 302
    key.refresh_from_db()
    assert key.name == "Website (revoked)"
    assert key.revoked_at is not None
    assert key.secret == secret


def test_it_offers_no_way_to_add_keys_or_audit_entries(admin_client: Client) -> None:
    assert admin_client.get(reverse("admin:tenancy_apikey_add")).status_code == 403
    assert admin_client.get(reverse("admin:tenancy_auditlog_add")).status_code == 403


def test_it_keeps_the_audit_log_read_only(admin_client: Client, tenant: Tenant, owner: Membership) -> None:
    tenant_update_settings(tenant=tenant, by=owner.user, name="Acme Two")
    entry = AuditLog.objects.get(action="tenant.settings")
    r = admin_client.post(reverse("admin:tenancy_auditlog_delete", args=[entry.pk]), {"post": "yes"})
    assert r.status_code == 403
    assert AuditLog.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("name", CHANGELISTS)
def test_it_sends_a_non_staff_user_to_the_admin_login(
    client: Client, tenant: Tenant, owner: Membership, name: str
) -> None:
    client.force_login(owner.user)
    r = client.get(reverse(f"admin:{name}_changelist"))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("admin:login"))


def test_it_sends_an_anonymous_visitor_to_the_admin_login(client: Client) -> None:
    r = client.get(reverse("admin:index"))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("admin:login"))


def test_it_lets_staff_without_permissions_see_nothing(client: Client, tenant: Tenant) -> None:
    client.force_login(UserFactory(email="intern@engage.test", is_staff=True))
    assert client.get(reverse("admin:tenancy_tenant_changelist")).status_code == 403


@pytest.mark.parametrize("cidrs", ['["everywhere"]', '"10.0.0.0/8"', '[["10.0.0.0/8"]]'])
def test_it_refuses_allowed_ranges_that_are_not_ranges(
    admin_client: Client, tenant: Tenant, secret_key: tuple[ApiKey, str], cidrs: str
) -> None:
    key, secret = secret_key
    r = admin_client.post(
        reverse("admin:tenancy_apikey_change", args=[key.pk]), {"name": "Website", "allowed_cidrs": cidrs}
    )
    assert r.status_code == 200
    assert "errorlist" in r.content.decode()
    key.refresh_from_db()
    assert key.allowed_cidrs == ["10.0.0.0/8"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.key_id}:{secret}")
    assert client.get(f"/api/v1/tenants/{tenant.public_id}/campaigns/", REMOTE_ADDR="10.1.1.1").status_code == 200


def test_it_normalizes_allowed_ranges_saved_in_the_admin(
    admin_client: Client, tenant: Tenant, secret_key: tuple[ApiKey, str]
) -> None:
    key, secret = secret_key
    r = admin_client.post(
        reverse("admin:tenancy_apikey_change", args=[key.pk]),
        {"name": "Website", "allowed_cidrs": '["192.0.2.7", "10.9.9.9/8"]'},
    )
    assert r.status_code == 302
    key.refresh_from_db()
    assert key.allowed_cidrs == ["192.0.2.7/32", "10.0.0.0/8"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.key_id}:{secret}")
    url = f"/api/v1/tenants/{tenant.public_id}/campaigns/"
    assert client.get(url, REMOTE_ADDR="192.0.2.7").status_code == 200
    assert client.get(url, REMOTE_ADDR="192.0.2.8").status_code == 403
