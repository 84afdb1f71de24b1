"""GET/POST /api/v1/tenants/ and GET/PATCH /api/v1/tenants/<id>/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from engage.accounts.models import User
from engage.tenancy.models import ApiKey, AuditLog, Membership, Role, Tenant
from tests.factories import TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


TENANTS = "/api/v1/tenants/"
KeyClient = Callable[..., tuple[APIClient, ApiKey]]
MemberFactory = Callable[..., Membership]


def detail(tenant: Tenant) -> str:
    return f"{TENANTS}{tenant.public_id}/"


def ids(response: Any) -> set[str]:
    return {t["id"] for t in response.json()}


@pytest.fixture
def staff_client(db: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(email="ops@engage.test", is_staff=True))
    return client


class TestTenantList:
    def test_it_shows_a_session_user_only_their_tenants(
        self, api: APIClient, tenant: Tenant, other_tenant: Tenant
    ) -> None:
        r = api.get(TENANTS)
        assert r.status_code == 200
        assert ids(r) == {tenant.public_id}
        assert r.json()[0]["name"] == "Acme"

    def test_it_lists_every_tenant_a_user_belongs_to(
        self, tenant: Tenant, other_tenant: Tenant, member_factory: MemberFactory, client_for: Any
    ) -> None:
        membership = member_factory(tenant, Role.VIEWER, "both@example.test")
        member_factory(other_tenant, Role.ADMIN, "both@example.test")
        TenantFactory(name="Initech")
        assert ids(client_for(membership).get(TENANTS)) == {tenant.public_id, other_tenant.public_id}

    def test_it_shows_an_operator_key_every_tenant(
        self, tenant: Tenant, other_tenant: Tenant, key_client: KeyClient
    ) -> None:
        client, _ = key_client(None, ApiKey.Role.OPERATOR)
        r = client.get(TENANTS)
        assert r.status_code == 200
        assert {tenant.public_id, other_tenant.public_id} <= ids(r)

    def test_it_shows_a_tenant_key_only_its_own_tenant(
        self, tenant: Tenant, other_tenant: Tenant, key_client: KeyClient
    ) -> None:
        client, _ = key_client(tenant, ApiKey.Role.INGEST)
        assert ids(client.get(TENANTS)) == {tenant.public_id}

    def test_it_refuses_anonymous_callers_with_401_json(self, tenant: Tenant) -> None:
        r = APIClient().get(TENANTS)
        assert r.status_code == 401
        assert "detail" in r.json()

    def test_it_shows_a_staff_user_only_their_memberships(self, staff_client: APIClient, tenant: Tenant) -> None:
        assert staff_client.get(TENANTS).json() == []


class TestTenantCreate:
    def test_it_lets_an_operator_key_create_a_tenant(self, key_client: KeyClient) -> None:
        client, key = key_client(None, ApiKey.Role.OPERATOR)
        r = client.post(TENANTS, {"name": "Initech", "timezone": "Asia/Seoul"}, format="json")
        assert r.status_code == 201
        body = r.json()
        tenant = Tenant.objects.get(public_id=body["id"])
        assert (tenant.name, tenant.timezone) == ("Initech", "Asia/Seoul")
        assert len(body["id"]) == 32
        entry = AuditLog.objects.get(tenant=tenant, action="tenant.create")
        assert entry.actor_label == f"api key {key.key_id}"

    def test_it_defaults_the_time_zone_to_utc(self, staff_client: APIClient) -> None:
        r = staff_client.post(TENANTS, {"name": "Initech"}, format="json")
        assert r.status_code == 201
        assert Tenant.objects.get(public_id=r.json()["id"]).timezone == "UTC"

    def test_it_lets_a_staff_user_create_a_tenant_with_an_invited_owner(self, staff_client: APIClient) -> None:
        r = staff_client.post(TENANTS, {"name": "Initech", "owner_email": "Boss@Initech.test"}, format="json")
        assert r.status_code == 201
        tenant = Tenant.objects.get(public_id=r.json()["id"])
        membership = Membership.objects.get(tenant=tenant)
        assert membership.role == Role.OWNER
        assert membership.user.email == "boss@initech.test"
        assert not membership.user.has_usable_password()
        assert AuditLog.objects.filter(tenant=tenant, action="member.add", actor_label="ops@engage.test").exists()

    def test_it_makes_an_existing_user_the_owner(self, key_client: KeyClient, owner: Membership) -> None:
        client, _ = key_client(None, ApiKey.Role.OPERATOR)
        r = client.post(TENANTS, {"name": "Second", "owner_email": owner.user.email}, format="json")
        assert r.status_code == 201
        tenant = Tenant.objects.get(public_id=r.json()["id"])
        assert Membership.objects.get(tenant=tenant).user == owner.user
        assert User.objects.filter(email=owner.user.email).count() == 1

    def test_it_refuses_a_marketer(self, tenant: Tenant, member_factory: MemberFactory, client_for: Any) -> None:
        r = client_for(member_factory(tenant, Role.MARKETER)).post(TENANTS, {"name": "Mine"}, format="json")
        assert r.status_code == 403
        assert "detail" in r.json()
        assert not Tenant.objects.filter(name="Mine").exists()

    def test_it_refuses_a_tenant_owner_who_is_not_staff(self, api: APIClient) -> None:
        assert api.post(TENANTS, {"name": "Mine"}, format="json").status_code == 403

    @pytest.mark.parametrize("role", [ApiKey.Role.ADMIN, ApiKey.Role.MARKETER, ApiKey.Role.INGEST])
    def test_it_refuses_tenant_keys(self, tenant: Tenant, key_client: KeyClient, role: str) -> None:
        client, _ = key_client(tenant, role)
        assert client.post(TENANTS, {"name": "Mine"}, format="json").status_code == 403
        assert not Tenant.objects.filter(name="Mine").exists()

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"name": "Bad <name>"}, "name"),
            ({"name": ""}, "name"),
            ({"name": "x" * 65}, "name"),
            ({}, "name"),
            ({"name": "Fine", "timezone": "Mars/Olympus"}, "timezone"),
            ({"name": "Fine", "owner_email": "not-an-email"}, "owner_email"),
        ],
    )
    def test_it_rejects_invalid_input_naming_the_field(
        self, key_client: KeyClient, payload: dict[str, Any], field: str
    ) -> None:
        client, _ = key_client(None, ApiKey.Role.OPERATOR)
        before = Tenant.objects.count()
        r = client.post(TENANTS, payload, format="json")
        assert r.status_code == 400
        assert field in r.json()["errors"]
        assert r.json()["detail"]
        assert Tenant.objects.count() == before

    def test_it_creates_nothing_when_the_owner_cannot_be_invited(self, key_client: KeyClient) -> None:
        client, _ = key_client(None, ApiKey.Role.OPERATOR)
        too_long = "a" * 250 + "@initech.test"  # a well-formed address longer than the 254 characters we store
        r = client.post(TENANTS, {"name": "Orphan", "owner_email": too_long}, format="json")
        assert r.status_code == 400
        assert "email" in r.json()["errors"]
        assert not Tenant.objects.filter(name="Orphan").exists()


class TestTenantDetail:
    def test_it_shows_the_tenant_to_a_member(
        self, tenant: Tenant, member_factory: MemberFactory, client_for: Any
    ) -> None:
        r = client_for(member_factory(tenant, Role.VIEWER)).get(detail(tenant))
        assert r.status_code == 200
        assert r.json()["id"] == tenant.public_id
        assert r.json()["messages_per_second"] is None

    def test_it_hides_another_tenant_from_a_member(self, api: APIClient, other_tenant: Tenant) -> None:
        r = api.get(detail(other_tenant))
        assert r.status_code == 404
        assert r.json()["code"] == "not_found"

    def test_it_hides_another_tenant_from_a_tenant_key(
        self, tenant: Tenant, other_tenant: Tenant, key_client: KeyClient
    ) -> None:
        client, _ = key_client(tenant, ApiKey.Role.ADMIN)
        assert client.get(detail(other_tenant)).status_code == 404
        assert client.patch(detail(other_tenant), {"name": "Taken"}, format="json").status_code == 404
        other_tenant.refresh_from_db()
        assert other_tenant.name == "Globex"

    @pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
    def test_it_lets_owners_and_admins_change_settings(
        self, tenant: Tenant, member_factory: MemberFactory, client_for: Any, role: str
    ) -> None:
        client = client_for(member_factory(tenant, role))
        r = client.patch(
            detail(tenant),
            {"name": "Acme Corp", "timezone": "Europe/Berlin", "messages_per_second": 200, "campaign_daily_cap": 3},
            format="json",
        )
        assert r.status_code == 200
        tenant.refresh_from_db()
        assert (tenant.name, tenant.timezone, tenant.messages_per_second, tenant.campaign_daily_cap) == (
            "Acme Corp",
            "Europe/Berlin",
            200,
            3,
        )
        assert r.json()["name"] == "Acme Corp"

    def test_it_lets_an_admin_key_change_settings(self, tenant: Tenant, key_client: KeyClient) -> None:
        client, _ = key_client(tenant, ApiKey.Role.ADMIN)
        assert client.patch(detail(tenant), {"campaign_max_duration": 600}, format="json").status_code == 200
        tenant.refresh_from_db()
        assert tenant.campaign_max_duration == 600

    @pytest.mark.parametrize("role", [Role.MARKETER, Role.ANALYST, Role.VIEWER])
    def test_it_refuses_roles_without_manage(
        self, tenant: Tenant, member_factory: MemberFactory, client_for: Any, role: str
    ) -> None:
        r = client_for(member_factory(tenant, role)).patch(detail(tenant), {"name": "Hijacked"}, format="json")
        assert r.status_code == 403
        assert "detail" in r.json()
        tenant.refresh_from_db()
        assert tenant.name == "Acme"

    def test_it_refuses_a_marketer_key(self, tenant: Tenant, key_client: KeyClient) -> None:
        client, _ = key_client(tenant, ApiKey.Role.MARKETER)
        assert client.patch(detail(tenant), {"name": "Hijacked"}, format="json").status_code == 403

    def test_it_hides_tenants_from_operator_keys(self, tenant: Tenant, key_client: KeyClient) -> None:
        client, _ = key_client(None, ApiKey.Role.OPERATOR)
        assert client.get(detail(tenant)).status_code == 404
        assert client.patch(detail(tenant), {"name": "Ops"}, format="json").status_code == 404

    def test_it_needs_both_ends_of_quiet_time(self, api: APIClient, tenant: Tenant) -> None:
        r = api.patch(detail(tenant), {"quiet_time_start": "22:00"}, format="json")
        assert r.status_code == 400
        assert "quiet_time_end" in r.json()["errors"]
        tenant.refresh_from_db()
        assert tenant.quiet_time_start is None

    def test_it_saves_a_quiet_time_window(self, api: APIClient, tenant: Tenant) -> None:
        r = api.patch(detail(tenant), {"quiet_time_start": "22:00", "quiet_time_end": "07:30"}, format="json")
        assert r.status_code == 200
        assert (r.json()["quiet_time_start"], r.json()["quiet_time_end"]) == ("22:00:00", "07:30:00")

    def test_it_needs_both_parts_of_the_journey_time_frame(self, api: APIClient, tenant: Tenant) -> None:
        r = api.patch(detail(tenant), {"journey_timeframe_cap": 5}, format="json")
        assert r.status_code == 400
        assert "journey_timeframe_days" in r.json()["errors"]

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"messages_per_second": 10}, "messages_per_second"),
            ({"messages_per_second": 20001}, "messages_per_second"),
            ({"campaign_daily_cap": 0}, "campaign_daily_cap"),
            ({"campaign_total_cap": 101}, "campaign_total_cap"),
            ({"campaign_max_duration": 59}, "campaign_max_duration"),
            ({"journey_timeframe_cap": 5, "journey_timeframe_days": 31}, "journey_timeframe_days"),
            ({"timezone": "Nowhere/Special"}, "timezone"),
            ({"name": "<script>"}, "name"),
            ({"quiet_time_start": "25:00", "quiet_time_end": "07:00"}, "quiet_time_start"),
            ({"messages_per_second": "fast"}, "messages_per_second"),
        ],
    )
    def test_it_rejects_invalid_settings_naming_the_field(
        self, api: APIClient, tenant: Tenant, payload: dict[str, Any], field: str
    ) -> None:
        r = api.patch(detail(tenant), payload, format="json")
        assert r.status_code == 400
        assert field in r.json()["errors"]
        assert r.json()["detail"]
        assert not AuditLog.objects.filter(tenant=tenant, action="tenant.settings").exists()

    def test_it_ignores_the_read_only_id(self, api: APIClient, tenant: Tenant) -> None:
        r = api.patch(detail(tenant), {"id": "0" * 32, "name": "Renamed"}, format="json")
        assert r.status_code == 200
        tenant.refresh_from_db()
        assert tenant.public_id != "0" * 32

    def test_it_audits_changes_with_a_before_and_after_diff(
        self, api: APIClient, tenant: Tenant, owner: Membership
    ) -> None:
        r = api.patch(
            detail(tenant),
            {"name": "Acme", "messages_per_second": 500, "quiet_time_start": "21:00", "quiet_time_end": "08:00"},
            format="json",
        )
        assert r.status_code == 200
        entry = AuditLog.objects.get(tenant=tenant, action="tenant.settings")
        assert entry.actor == owner.user
        assert entry.target_id == tenant.public_id
        assert entry.ip == "127.0.0.1"
        assert entry.data["changes"] == {
            "messages_per_second": [None, 500],
            "quiet_time_start": [None, "21:00:00"],
            "quiet_time_end": [None, "08:00:00"],
        }

    def test_it_writes_no_audit_entry_when_nothing_changes(self, api: APIClient, tenant: Tenant) -> None:
        assert api.patch(detail(tenant), {"name": "Acme"}, format="json").status_code == 200
        assert not AuditLog.objects.filter(tenant=tenant, action="tenant.settings").exists()

    def test_it_shows_the_audited_change_in_the_audit_log_api(self, api: APIClient, tenant: Tenant) -> None:
        api.patch(detail(tenant), {"campaign_total_cap": 4}, format="json")
        r = api.get(f"{detail(tenant)}audit-log/", {"action": "tenant."})
        assert r.status_code == 200
        entries = r.json()["results"]
        assert [e["action"] for e in entries] == ["tenant.settings"]
        assert entries[0]["data"]["changes"] == {"campaign_total_cap": [None, 4]}
        assert entries[0]["actor"] == "owner@acme.test"
