"""/api/v1/tenants/<id>/api-keys/ and Bearer authentication with the keys it issues."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from campaigns.models import Campaign
from engage.crypto import decrypt
from engage.tenancy.models import ApiKey, AuditLog, Membership, Role, Tenant
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

KeyClient = Callable[..., tuple[APIClient, ApiKey]]
MemberFactory = Callable[..., Membership]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def keys_url(tenant: Tenant, pk: int | None = None) -> str:
    base = f"/api/v1/tenants/{tenant.public_id}/api-keys/"
    return f"{base}{pk}/" if pk is not None else base


def campaigns_url(tenant: Tenant) -> str:
    return f"/api/v1/tenants/{tenant.public_id}/campaigns/"


def bearer(key_id: str, secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_id}:{secret}")
    return client


def raw_secret_column(key_id: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM tenancy_apikey WHERE key_id = %s", [key_id])
        return str(cursor.fetchone()[0])


class TestKeyCreate:
    def test_it_returns_the_secret_once_and_stores_it_encrypted(
        self, api: APIClient, tenant: Tenant, owner: Membership
    ) -> None:
        r = api.post(keys_url(tenant), {"name": "Website", "role": "marketer"}, format="json")
        assert r.status_code == 201
        body = r.json()
        secret, key_id = body["secret"], body["key_id"]
        assert len(secret) >= 32
        assert key_id.startswith("EK")
        assert (body["name"], body["role"], body["created_by"]) == ("Website", "marketer", "owner@acme.test")
        stored = raw_secret_column(key_id)
        assert stored != secret
        assert secret not in stored
        assert decrypt(stored) == secret
        assert ApiKey.objects.get(key_id=key_id).tenant == tenant

    def test_it_issues_a_key_that_authenticates(self, api: APIClient, tenant: Tenant) -> None:
        body = api.post(keys_url(tenant), {"name": "CI"}, format="json").json()
        assert body["role"] == "marketer"
        assert bearer(body["key_id"], body["secret"]).get(campaigns_url(tenant)).status_code == 200

    def test_it_audits_the_creation_without_the_secret(self, api: APIClient, tenant: Tenant) -> None:
        body = api.post(keys_url(tenant), {"name": "CI", "allowed_cidrs": ["203.0.113.7"]}, format="json").json()
        entry = AuditLog.objects.get(tenant=tenant, action="apikey.create")
        assert entry.data == {"key_id": body["key_id"], "role": "marketer", "allowed_cidrs": ["203.0.113.7/32"]}
        assert body["secret"] not in str(entry.data) + entry.target_repr
        assert entry.actor_label == "owner@acme.test"

    def test_it_normalizes_the_allowed_ranges(self, api: APIClient, tenant: Tenant) -> None:
        r = api.post(
            keys_url(tenant), {"name": "VPN", "allowed_cidrs": ["10.1.2.3/8", "2001:db8::1/32"]}, format="json"
        )
        assert r.status_code == 201
        assert r.json()["allowed_cidrs"] == ["10.0.0.0/8", "2001:db8::/32"]

    @pytest.mark.parametrize("cidrs", [["not-a-range"], ["10.0.0.0/33"], ["10.0.0.0/8", "300.1.1.1"]])
    def test_it_rejects_a_bad_cidr_naming_allowed_cidrs(self, api: APIClient, tenant: Tenant, cidrs: list[str]) -> None:
        r = api.post(keys_url(tenant), {"name": "Bad", "allowed_cidrs": cidrs}, format="json")
        assert r.status_code == 400
        assert "allowed_cidrs" in r.json()["errors"]
        assert not ApiKey.objects.filter(tenant=tenant).exists()

    def test_it_rejects_allowed_cidrs_that_are_not_a_list(self, api: APIClient, tenant: Tenant) -> None:
        r = api.post(keys_url(tenant), {"name": "VPN", "allowed_cidrs": "10.0.0.0/8"}, format="json")
        assert r.status_code == 400
        assert "allowed_cidrs" in r.json()["errors"]

    @pytest.mark.parametrize("role", ["operator", "owner", "root", 1])
    def test_it_refuses_roles_a_tenant_key_cannot_have(self, api: APIClient, tenant: Tenant, role: Any) -> None:
        r = api.post(keys_url(tenant), {"name": "Escalate", "role": role}, format="json")
        assert r.status_code == 400
        assert "role" in r.json()["errors"]
        assert not ApiKey.objects.filter(role=ApiKey.Role.OPERATOR).exists()

    @pytest.mark.parametrize("role", [Role.MARKETER, Role.ANALYST, Role.VIEWER])
    def test_it_refuses_members_without_manage(
        self, tenant: Tenant, member_factory: MemberFactory, client_for: Any, role: str
    ) -> None:
        client = client_for(member_factory(tenant, role))
        assert client.post(keys_url(tenant), {"name": "Mine"}, format="json").status_code == 403
        assert client.get(keys_url(tenant)).status_code == 403
        assert not ApiKey.objects.filter(tenant=tenant).exists()

    def test_it_lets_an_admin_key_manage_keys(self, tenant: Tenant, key_client: KeyClient) -> None:
        client, admin_key = key_client(tenant, ApiKey.Role.ADMIN)
        r = client.post(keys_url(tenant), {"name": "Issued by a key", "role": "ingest"}, format="json")
        assert r.status_code == 201
        assert r.json()["created_by"] is None
        assert client.get(keys_url(tenant)).status_code == 200
        assert client.delete(keys_url(tenant, r.json()["id"])).status_code == 204
        assert AuditLog.objects.filter(action="apikey.revoke", actor_label=f"api key {admin_key.key_id}").exists()

    @pytest.mark.parametrize("role", [ApiKey.Role.MARKETER, ApiKey.Role.INGEST])
    def test_it_refuses_keys_without_manage(self, tenant: Tenant, key_client: KeyClient, role: str) -> None:
        client, key = key_client(tenant, role)
        assert client.get(keys_url(tenant)).status_code == 403
        assert client.post(keys_url(tenant), {"name": "More"}, format="json").status_code == 403
        assert client.delete(keys_url(tenant, key.pk)).status_code == 403


class TestKeyList:
    def test_it_never_includes_the_secret(self, api: APIClient, tenant: Tenant, key_client: KeyClient) -> None:
        created = api.post(keys_url(tenant), {"name": "Website"}, format="json").json()
        key_client(tenant, ApiKey.Role.INGEST)
        r = api.get(keys_url(tenant))
        assert r.status_code == 200
        rows = r.json()["results"]
        assert len(rows) == 2
        assert all("secret" not in row for row in rows)
        assert created["secret"] not in r.content.decode()
        one = api.get(keys_url(tenant, created["id"]))
        assert one.status_code == 200
        assert "secret" not in one.json()
        assert created["secret"] not in one.content.decode()

    def test_it_lists_only_the_tenants_keys(
        self, api: APIClient, tenant: Tenant, other_tenant: Tenant, key_client: KeyClient
    ) -> None:
        _, ours = key_client(tenant)
        _, theirs = key_client(other_tenant)
        key_client(None, ApiKey.Role.OPERATOR)
        listed = {row["key_id"] for row in api.get(keys_url(tenant)).json()["results"]}
        assert listed == {ours.key_id}
        assert api.get(keys_url(tenant, theirs.pk)).status_code == 404
        assert api.delete(keys_url(tenant, theirs.pk)).status_code == 404
        theirs.refresh_from_db()
        assert theirs.revoked_at is None

    def test_it_hides_another_tenants_keys_from_an_admin_key(
        self, tenant: Tenant, other_tenant: Tenant, key_client: KeyClient
    ) -> None:
        client, _ = key_client(tenant, ApiKey.Role.ADMIN)
        assert client.get(keys_url(other_tenant)).status_code == 404


class TestKeyRevoke:
    def test_it_revokes_a_key_that_then_gets_401(self, api: APIClient, tenant: Tenant) -> None:
        body = api.post(keys_url(tenant), {"name": "Short-lived"}, format="json").json()
        client = bearer(body["key_id"], body["secret"])
        assert client.get(campaigns_url(tenant)).status_code == 200
        assert api.delete(keys_url(tenant, body["id"])).status_code == 204
        r = client.get(campaigns_url(tenant))
        assert r.status_code == 401
        assert "detail" in r.json()
        listed = api.get(keys_url(tenant)).json()["results"]
        assert listed[0]["revoked_at"] is not None
        entry = AuditLog.objects.get(tenant=tenant, action="apikey.revoke")
        assert entry.data == {"key_id": body["key_id"]}

    def test_it_refuses_to_revoke_twice(self, api: APIClient, tenant: Tenant, key_client: KeyClient) -> None:
        _, key = key_client(tenant)
        assert api.delete(keys_url(tenant, key.pk)).status_code == 204
        assert api.delete(keys_url(tenant, key.pk)).status_code == 409
        assert AuditLog.objects.filter(tenant=tenant, action="apikey.revoke").count() == 1

    def test_it_lets_a_key_revoke_itself(self, tenant: Tenant, key_client: KeyClient) -> None:
        client, key = key_client(tenant, ApiKey.Role.ADMIN)
        assert client.delete(keys_url(tenant, key.pk)).status_code == 204
        assert client.get(keys_url(tenant)).status_code == 401


class TestKeyRoles:
    def test_it_refuses_an_ingest_key_reading_campaigns(self, tenant: Tenant, key_client: KeyClient) -> None:
        CampaignFactory(tenant=tenant)
        client, _ = key_client(tenant, ApiKey.Role.INGEST)
        r = client.get(campaigns_url(tenant))
        assert r.status_code == 403
        assert r.json()["code"] == "permission_denied"
        assert client.get(f"/api/v1/tenants/{tenant.public_id}/").status_code == 403

    def test_it_lets_a_marketer_key_create_a_campaign(self, tenant: Tenant, key_client: KeyClient) -> None:
        client, _ = key_client(tenant, ApiKey.Role.MARKETER)
        r = client.post(campaigns_url(tenant), {"name": "Spring sale"}, format="json")
        assert r.status_code == 201
        assert Campaign.objects.get(pk=r.json()["id"]).tenant == tenant

    def test_it_refuses_a_marketer_key_managing_the_tenant(self, tenant: Tenant, key_client: KeyClient) -> None:
        client, _ = key_client(tenant, ApiKey.Role.MARKETER)
        assert client.get(f"/api/v1/tenants/{tenant.public_id}/audit-log/").status_code == 403
        assert client.get(f"/api/v1/tenants/{tenant.public_id}/members/").status_code == 200

    @pytest.mark.parametrize("suffix", ["", "campaigns/", "members/", "api-keys/", "audit-log/"])
    def test_it_gives_an_operator_key_404_on_tenant_routes(
        self, tenant: Tenant, key_client: KeyClient, suffix: str
    ) -> None:
        client, _ = key_client(None, ApiKey.Role.OPERATOR)
        r = client.get(f"/api/v1/tenants/{tenant.public_id}/{suffix}")
        assert r.status_code == 404
        assert r.json()["code"] == "not_found"

    def test_it_gives_a_key_of_another_tenant_404(
        self, tenant: Tenant, other_tenant: Tenant, key_client: KeyClient
    ) -> None:
        campaign = CampaignFactory(tenant=other_tenant)
        client, _ = key_client(tenant, ApiKey.Role.ADMIN)
        assert client.get(campaigns_url(other_tenant)).status_code == 404
        assert client.get(f"{campaigns_url(other_tenant)}{campaign.pk}/").status_code == 404
        assert client.get(f"{campaigns_url(tenant)}{campaign.pk}/").status_code == 404


class TestBearerAuthentication:
    @pytest.mark.parametrize(
        "header",
        ["Bearer", "Bearer ", "Bearer no-colon-here", "Bearer :secret", "Bearer EKABC:", "bearer  :  "],
    )
    def test_it_refuses_a_malformed_header_with_401_json(self, tenant: Tenant, header: str) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        r = client.get(campaigns_url(tenant))
        assert r.status_code == 401
        assert r["Content-Type"].startswith("application/json")
        assert r.json()["detail"]
        assert r["WWW-Authenticate"].startswith("Bearer")

    def test_it_refuses_an_unknown_scheme_with_401(self, tenant: Tenant) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
        r = client.get(campaigns_url(tenant))
        assert r.status_code == 401
        assert r.json()["detail"]

    def test_it_refuses_a_wrong_secret_with_401(self, tenant: Tenant, key_client: KeyClient) -> None:
        _, key = key_client(tenant, ApiKey.Role.ADMIN)
        r = bearer(key.key_id, "not-the-secret").get(campaigns_url(tenant))
        assert r.status_code == 401
        assert r.json()["detail"] == "unknown or revoked API key"
        key.refresh_from_db()
        assert key.last_used_at is None

    def test_it_refuses_an_unknown_key_with_401(self, tenant: Tenant) -> None:
        assert bearer("EKDOESNOTEXIST00000", "whatever").get(campaigns_url(tenant)).status_code == 401

    def test_it_refuses_another_keys_secret(self, tenant: Tenant, api: APIClient) -> None:
        one = api.post(keys_url(tenant), {"name": "one"}, format="json").json()
        two = api.post(keys_url(tenant), {"name": "two"}, format="json").json()
        assert bearer(one["key_id"], two["secret"]).get(campaigns_url(tenant)).status_code == 401

    def test_it_sets_last_used_at(self, tenant: Tenant, key_client: KeyClient) -> None:
        client, key = key_client(tenant)
        assert key.last_used_at is None
        assert client.get(campaigns_url(tenant)).status_code == 200
        key.refresh_from_db()
        assert key.last_used_at is not None

    def test_it_checks_the_allowed_ranges(self, tenant: Tenant, key_client: KeyClient) -> None:
        client, _ = key_client(tenant, ApiKey.Role.MARKETER, ["198.51.100.0/24"])
        assert client.get(campaigns_url(tenant), REMOTE_ADDR="198.51.100.20").status_code == 200
        r = client.get(campaigns_url(tenant), REMOTE_ADDR="203.0.113.9")
        assert r.status_code == 403
        assert "203.0.113.9" in r.json()["detail"]
