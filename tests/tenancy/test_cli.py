"""The operator CLI: manage.py tenant / apikey / member."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from engage.accounts.models import User
from engage.tenancy.models import ApiKey, AuditLog, Membership, Role, Tenant

pytestmark = pytest.mark.django_db

MemberFactory = Callable[..., Membership]
UNKNOWN_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def run_json(*args: str) -> Any:
    output = run(*args, "--json").strip()
    assert "\n" not in output  # one JSON object, one line: easy for scripts
    return json.loads(output)


def bearer(key_id: str, secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_id}:{secret}")
    return client


class TestTenantCommand:
    def test_it_creates_a_tenant_and_prints_json(self) -> None:
        data = run_json("tenant", "create", "Initech")
        assert re.fullmatch(r"[0-9a-f]{32}", data["id"])
        assert data["name"] == "Initech"
        assert data["timezone"] == "UTC"
        tenant = Tenant.objects.get(public_id=data["id"])
        entry = AuditLog.objects.get(tenant=tenant, action="tenant.create")
        assert entry.actor_label == "operator (cli)"
        assert entry.actor is None

    def test_it_creates_a_tenant_in_a_time_zone_with_readable_output(self) -> None:
        output = run("tenant", "create", "Initech Seoul", "--timezone", "Asia/Seoul")
        tenant = Tenant.objects.get(name="Initech Seoul")
        assert tenant.timezone == "Asia/Seoul"
        assert "Created tenant Initech Seoul" in output
        assert tenant.public_id in output

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["Bad <name>"], "name"),
            (["   "], "cannot be blank"),
            (["Fine", "--timezone", "Mars/Olympus"], "time zone"),
        ],
    )
    def test_it_refuses_invalid_input_with_a_readable_message(self, args: list[str], message: str) -> None:
        with pytest.raises(CommandError, match=message):
            run("tenant", "create", *args)
        assert not Tenant.objects.exists()

    def test_it_lists_tenants(self, tenant: Tenant, other_tenant: Tenant, owner: Membership) -> None:
        output = run("tenant", "list")
        assert f"{tenant.public_id}  Acme  (1 members, UTC)" in output
        assert f"{other_tenant.public_id}  Globex  (0 members, UTC)" in output
        data = run_json("tenant", "list")
        by_id = {t["id"]: t for t in data["tenants"]}
        assert by_id[tenant.public_id]["members"] == 1
        assert by_id[other_tenant.public_id]["name"] == "Globex"

    def test_it_says_when_there_are_no_tenants(self) -> None:
        assert "No tenants yet" in run("tenant", "list")
        assert run_json("tenant", "list") == {"tenants": []}


class TestApiKeyCommand:
    def test_it_issues_a_key_that_works_only_from_allowed_addresses(self, tenant: Tenant) -> None:
        data = run_json("apikey", "create", "--tenant", tenant.public_id, "--allow-ip", "10.0.0.0/8")
        assert data["tenant"] == tenant.public_id
        assert data["role"] == "marketer"
        assert data["allowed_cidrs"] == ["10.0.0.0/8"]
        client = bearer(data["key_id"], data["secret"])
        url = f"/api/v1/tenants/{tenant.public_id}/campaigns/"
        assert client.get(url, REMOTE_ADDR="10.20.30.40").status_code == 200
        refused = client.get(url, REMOTE_ADDR="192.0.2.10")
        assert refused.status_code == 403
        assert "192.0.2.10" in refused.json()["detail"]

    def test_it_issues_a_key_with_a_role_and_several_ranges(self, tenant: Tenant) -> None:
        data = run_json(
            "apikey",
            "create",
            "--tenant",
            tenant.public_id,
            "--role",
            "ingest",
            "--name",
            "Mobile app",
            "--allow-ip",
            "192.0.2.1",
            "--allow-ip",
            "2001:db8::/32",
        )
        key = ApiKey.objects.get(key_id=data["key_id"])
        assert (key.name, key.role, key.allowed_cidrs) == ("Mobile app", "ingest", ["192.0.2.1/32", "2001:db8::/32"])
        assert key.secret == data["secret"]

    def test_it_prints_the_secret_once_in_readable_form(self, tenant: Tenant) -> None:
        output = run("apikey", "create", "--tenant", tenant.public_id)
        key = ApiKey.objects.get(tenant=tenant)
        assert key.key_id in output
        assert key.secret in output
        assert "not shown again" in output
        assert key.secret not in run("apikey", "list", "--tenant", tenant.public_id)

    def test_it_issues_an_operator_key_that_manages_tenants(self, tenant: Tenant) -> None:
        data = run_json("apikey", "create", "--operator")
        assert data["role"] == "operator"
        assert data["tenant"] is None
        client = bearer(data["key_id"], data["secret"])
        assert tenant.public_id in {t["id"] for t in client.get("/api/v1/tenants/").json()}
        assert client.post("/api/v1/tenants/", {"name": "Made by ops"}, format="json").status_code == 201
        assert client.get(f"/api/v1/tenants/{tenant.public_id}/campaigns/").status_code == 404

    def test_it_refuses_a_key_without_a_target(self) -> None:
        with pytest.raises(CommandError):
            run("apikey", "create")
        with pytest.raises(CommandError):
            run("apikey", "create", "--operator", "--tenant", UNKNOWN_ID)
        assert not ApiKey.objects.exists()

    def test_it_refuses_an_operator_role_for_a_tenant_key(self, tenant: Tenant) -> None:
        with pytest.raises(CommandError):
            run("apikey", "create", "--tenant", tenant.public_id, "--role", "operator")
        assert not ApiKey.objects.exists()

    def test_it_refuses_a_bad_range(self, tenant: Tenant) -> None:
        with pytest.raises(CommandError, match="not an IP address or CIDR range"):
            run("apikey", "create", "--tenant", tenant.public_id, "--allow-ip", "everywhere")
        assert not ApiKey.objects.exists()

    def test_it_lists_keys_without_secrets(self, tenant: Tenant, other_tenant: Tenant) -> None:
        mine = run_json("apikey", "create", "--tenant", tenant.public_id, "--name", "Mine")
        run_json("apikey", "create", "--tenant", other_tenant.public_id, "--name", "Theirs")
        data = run_json("apikey", "list", "--tenant", tenant.public_id)
        assert [k["key_id"] for k in data["keys"]] == [mine["key_id"]]
        assert data["keys"][0]["revoked"] is False
        assert mine["secret"] not in json.dumps(data)

    def test_it_says_when_a_tenant_has_no_keys(self, tenant: Tenant) -> None:
        assert run("apikey", "list", "--tenant", tenant.public_id).strip() == "No keys."

    def test_it_revokes_a_key(self, tenant: Tenant) -> None:
        data = run_json("apikey", "create", "--tenant", tenant.public_id)
        client = bearer(data["key_id"], data["secret"])
        url = f"/api/v1/tenants/{tenant.public_id}/campaigns/"
        assert client.get(url).status_code == 200
        assert run_json("apikey", "revoke", data["key_id"]) == {"key_id": data["key_id"], "revoked": True}
        assert client.get(url).status_code == 401
        listed = run_json("apikey", "list", "--tenant", tenant.public_id)
        assert listed["keys"][0]["revoked"] is True
        entry = AuditLog.objects.get(tenant=tenant, action="apikey.revoke")
        assert entry.actor_label == "operator (cli)"

    def test_it_refuses_to_revoke_an_unknown_or_revoked_key(self, tenant: Tenant) -> None:
        with pytest.raises(CommandError, match="no key has the id EKNOPE"):
            run("apikey", "revoke", "EKNOPE")
        data = run_json("apikey", "create", "--tenant", tenant.public_id)
        run("apikey", "revoke", data["key_id"])
        with pytest.raises(CommandError, match="already revoked"):
            run("apikey", "revoke", data["key_id"])


class TestMemberCommand:
    def test_it_adds_a_new_person(self, tenant: Tenant, django_capture_on_commit_callbacks: Any) -> None:
        with django_capture_on_commit_callbacks() as callbacks:
            data = run_json("member", "add", "--tenant", tenant.public_id, "New@Example.test", "admin")
        assert data == {"tenant": tenant.public_id, "email": "new@example.test", "role": "admin", "new_user": True}
        membership = Membership.objects.get(tenant=tenant, user__email="new@example.test")
        assert membership.role == Role.ADMIN
        assert not membership.user.has_usable_password()
        assert len(callbacks) == 1
        assert AuditLog.objects.get(tenant=tenant, action="member.add").actor_label == "operator (cli)"

    def test_it_sets_a_password_for_a_new_login(self, tenant: Tenant) -> None:
        output = run(
            "member", "add", "--tenant", tenant.public_id, "pw@example.test", "owner", "--password", "s3cret-pass"
        )
        assert "Added pw@example.test to Acme as owner (new login)" in output
        assert User.objects.get(email="pw@example.test").check_password("s3cret-pass")

    def test_it_adds_an_existing_person_without_touching_their_password(
        self, tenant: Tenant, other_tenant: Tenant, member_factory: MemberFactory
    ) -> None:
        existing = member_factory(other_tenant, Role.OWNER, "known@example.test")
        data = run_json(
            "member", "add", "--tenant", tenant.public_id, "known@example.test", "viewer", "--password", "ignored-pass"
        )
        assert data["new_user"] is False
        existing.user.refresh_from_db()
        assert not existing.user.check_password("ignored-pass")

    def test_it_refuses_a_duplicate_and_a_bad_role(self, tenant: Tenant, owner: Membership) -> None:
        with pytest.raises(CommandError, match="already a member"):
            run("member", "add", "--tenant", tenant.public_id, "owner@acme.test", "viewer")
        with pytest.raises(CommandError, match="boss"):
            run("member", "add", "--tenant", tenant.public_id, "x@example.test", "boss")
        with pytest.raises(CommandError, match="not a valid email"):
            run("member", "add", "--tenant", tenant.public_id, "not-an-email", "viewer")
        assert not User.objects.filter(email="x@example.test").exists()

    def test_it_lists_members(self, tenant: Tenant, owner: Membership, member_factory: MemberFactory) -> None:
        member_factory(tenant, Role.VIEWER, "viewer@acme.test")
        output = run("member", "list", "--tenant", tenant.public_id)
        assert "owner@acme.test  owner" in output
        assert "viewer@acme.test  viewer" in output
        data = run_json("member", "list", "--tenant", tenant.public_id)
        assert {(m["email"], m["role"]) for m in data["members"]} == {
            ("owner@acme.test", "owner"),
            ("viewer@acme.test", "viewer"),
        }

    def test_it_says_when_there_are_no_members(self, tenant: Tenant) -> None:
        assert "No members." in run("member", "list", "--tenant", tenant.public_id)

    def test_it_removes_a_member(self, tenant: Tenant, owner: Membership, member_factory: MemberFactory) -> None:
        member_factory(tenant, Role.MARKETER, "leaving@example.test")
        data = run_json("member", "remove", "--tenant", tenant.public_id, "Leaving@Example.test")
        assert data["removed"] is True
        assert not Membership.objects.filter(tenant=tenant, user__email="leaving@example.test").exists()
        assert AuditLog.objects.get(tenant=tenant, action="member.remove").actor_label == "operator (cli)"

    def test_it_keeps_the_last_owner(self, tenant: Tenant, owner: Membership) -> None:
        with pytest.raises(CommandError, match="last owner"):
            run("member", "remove", "--tenant", tenant.public_id, "owner@acme.test")
        assert Membership.objects.filter(pk=owner.pk).exists()

    def test_it_refuses_to_remove_a_stranger(self, tenant: Tenant, other_tenant: Tenant, member_factory: Any) -> None:
        member_factory(other_tenant, Role.VIEWER, "elsewhere@example.test")
        with pytest.raises(CommandError, match=re.escape("elsewhere@example.test is not a member of Acme")):
            run("member", "remove", "--tenant", tenant.public_id, "elsewhere@example.test")
        assert Membership.objects.filter(tenant=other_tenant).count() == 1


@pytest.mark.parametrize(
    "command",
    [
        ["member", "list", "--tenant", "{id}"],
        ["member", "add", "--tenant", "{id}", "x@example.test", "viewer"],
        ["member", "remove", "--tenant", "{id}", "x@example.test"],
        ["apikey", "create", "--tenant", "{id}"],
        ["apikey", "list", "--tenant", "{id}"],
    ],
)
@pytest.mark.parametrize(
    ("tenant_id", "message"),
    [
        (UNKNOWN_ID, f"no tenant has the id {UNKNOWN_ID}"),
        ("acme", "'acme' is not a tenant id"),
        ("0123456789ABCDEF0123456789ABCDEF", "is not a tenant id"),
        ("", "is not a tenant id"),
    ],
)
def test_it_explains_an_unknown_or_malformed_tenant_id(
    tenant: Tenant, command: list[str], tenant_id: str, message: str
) -> None:
    args = [part.replace("{id}", tenant_id) for part in command]
    with pytest.raises(CommandError, match=re.escape(message)):
        run(*args)
    assert not ApiKey.objects.exists()
    assert not Membership.objects.exists()
    assert not User.objects.filter(email="x@example.test").exists()


def test_it_tells_how_to_find_tenant_ids(db: Any) -> None:
    with pytest.raises(CommandError, match=re.escape("manage.py tenant list")):
        run("member", "list", "--tenant", "nope")


def test_it_needs_an_action(db: Any) -> None:
    for command in ["tenant", "apikey", "member"]:
        with pytest.raises(CommandError):
            run(command)
    assert not Tenant.objects.exists()
