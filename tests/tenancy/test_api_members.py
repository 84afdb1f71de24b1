"""/api/v1/tenants/<id>/members/: list, invite, change role, remove; the owner rules; the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from rest_framework.test import APIClient

from engage.accounts.models import User
from engage.tenancy.mail import member_invitation_send
from engage.tenancy.models import ApiKey, AuditLog, Membership, Role, Tenant
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


KeyClient = Callable[..., tuple[APIClient, ApiKey]]
MemberFactory = Callable[..., Membership]
ClientFor = Callable[[Membership], APIClient]


def members_url(tenant: Tenant, pk: int | None = None) -> str:
    base = f"/api/v1/tenants/{tenant.public_id}/members/"
    return f"{base}{pk}/" if pk is not None else base


def audit_actions(tenant: Tenant) -> list[str]:
    return list(AuditLog.objects.filter(tenant=tenant).order_by("id").values_list("action", flat=True))


@pytest.fixture
def admin(tenant: Tenant, member_factory: MemberFactory) -> Membership:
    return member_factory(tenant, Role.ADMIN, "admin@acme.test")


class TestMemberList:
    def test_it_lists_the_tenants_members_only(
        self, api: APIClient, tenant: Tenant, other_tenant: Tenant, member_factory: MemberFactory
    ) -> None:
        member_factory(tenant, Role.VIEWER, "viewer@acme.test")
        member_factory(other_tenant, Role.OWNER, "boss@globex.test")
        r = api.get(members_url(tenant))
        assert r.status_code == 200
        rows = {m["email"]: m["role"] for m in r.json()["results"]}
        assert rows == {"owner@acme.test": "owner", "viewer@acme.test": "viewer"}

    def test_it_lets_a_viewer_read_the_member_list(
        self, tenant: Tenant, owner: Membership, member_factory: MemberFactory, client_for: ClientFor
    ) -> None:
        assert client_for(member_factory(tenant, Role.VIEWER)).get(members_url(tenant)).status_code == 200

    def test_it_hides_another_tenants_members(
        self, api: APIClient, other_tenant: Tenant, member_factory: MemberFactory
    ) -> None:
        stranger = member_factory(other_tenant, Role.OWNER)
        assert api.get(members_url(other_tenant)).status_code == 404
        assert api.get(members_url(other_tenant, stranger.pk)).status_code == 404

    def test_it_hides_a_member_of_another_tenant_behind_our_tenant_id(
        self, api: APIClient, tenant: Tenant, other_tenant: Tenant, member_factory: MemberFactory
    ) -> None:
        stranger = member_factory(other_tenant, Role.VIEWER)
        assert api.get(members_url(tenant, stranger.pk)).status_code == 404
        assert api.patch(members_url(tenant, stranger.pk), {"role": "admin"}, format="json").status_code == 404
        assert api.delete(members_url(tenant, stranger.pk)).status_code == 404
        stranger.refresh_from_db()
        assert stranger.role == Role.VIEWER


class TestMemberInvite:
    def test_it_creates_a_new_user_with_an_unusable_password(
        self, api: APIClient, tenant: Tenant, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks() as callbacks:
            r = api.post(members_url(tenant), {"email": "New.Person@Example.test", "role": "marketer"}, format="json")
        assert r.status_code == 201
        assert r.json()["email"] == "new.person@example.test"
        assert r.json()["role"] == "marketer"
        user = User.objects.get(email="new.person@example.test")
        assert not user.has_usable_password()
        assert Membership.objects.get(tenant=tenant, user=user).role == Role.MARKETER
        assert len(callbacks) == 1  # the invitation is queued only once the transaction commits

    def test_it_adds_an_existing_user_keeping_their_password(
        self, api: APIClient, tenant: Tenant, other_tenant: Tenant, member_factory: MemberFactory
    ) -> None:
        elsewhere = member_factory(other_tenant, Role.OWNER, "known@example.test")
        r = api.post(members_url(tenant), {"email": "KNOWN@example.test", "role": "analyst"}, format="json")
        assert r.status_code == 201
        assert Membership.objects.get(tenant=tenant, user=elsewhere.user).role == Role.ANALYST
        assert User.objects.filter(email="known@example.test").count() == 1
        elsewhere.user.refresh_from_db()
        assert elsewhere.user.check_password(PASSWORD)

    def test_it_defaults_the_role_to_viewer(self, api: APIClient, tenant: Tenant) -> None:
        r = api.post(members_url(tenant), {"email": "quiet@example.test"}, format="json")
        assert r.status_code == 201
        assert r.json()["role"] == "viewer"

    def test_it_refuses_a_duplicate_with_409(
        self, api: APIClient, tenant: Tenant, member_factory: MemberFactory
    ) -> None:
        member_factory(tenant, Role.VIEWER, "twice@example.test")
        r = api.post(members_url(tenant), {"email": "twice@example.test", "role": "admin"}, format="json")
        assert r.status_code == 409
        assert "email" in r.json()["errors"]
        assert Membership.objects.get(tenant=tenant, user__email="twice@example.test").role == Role.VIEWER

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"email": "x@example.test", "role": "boss"}, "role"),
            ({"email": "x@example.test", "role": 3}, "role"),
            ({"email": "not an email", "role": "viewer"}, "email"),
            ({"role": "viewer"}, "email"),
            ({"email": ["x@example.test"], "role": "viewer"}, "email"),
        ],
    )
    def test_it_rejects_bad_input_naming_the_field(
        self, api: APIClient, tenant: Tenant, payload: dict[str, Any], field: str
    ) -> None:
        r = api.post(members_url(tenant), payload, format="json")
        assert r.status_code == 400
        assert field in r.json()["errors"]
        assert not User.objects.filter(email="x@example.test").exists()

    def test_it_lets_an_admin_invite_but_not_make_an_owner(
        self, tenant: Tenant, owner: Membership, admin: Membership, client_for: ClientFor
    ) -> None:
        client = client_for(admin)
        assert (
            client.post(members_url(tenant), {"email": "a@example.test", "role": "admin"}, format="json").status_code
            == 201
        )
        r = client.post(members_url(tenant), {"email": "b@example.test", "role": "owner"}, format="json")
        assert r.status_code == 403
        assert "role" in r.json()["errors"]
        assert not User.objects.filter(email="b@example.test").exists()

    def test_it_lets_an_owner_invite_an_owner(self, api: APIClient, tenant: Tenant) -> None:
        r = api.post(members_url(tenant), {"email": "co@example.test", "role": "owner"}, format="json")
        assert r.status_code == 201
        assert Membership.objects.filter(tenant=tenant, role=Role.OWNER).count() == 2

    @pytest.mark.parametrize("role", [Role.MARKETER, Role.ANALYST, Role.VIEWER])
    def test_it_refuses_members_without_manage(
        self, tenant: Tenant, member_factory: MemberFactory, client_for: ClientFor, role: str
    ) -> None:
        client = client_for(member_factory(tenant, role))
        r = client.post(members_url(tenant), {"email": "sneak@example.test", "role": "viewer"}, format="json")
        assert r.status_code == 403
        assert not User.objects.filter(email="sneak@example.test").exists()

    def test_it_lets_an_admin_key_invite(self, tenant: Tenant, key_client: KeyClient) -> None:
        client, key = key_client(tenant, ApiKey.Role.ADMIN)
        r = client.post(members_url(tenant), {"email": "bykey@example.test", "role": "marketer"}, format="json")
        assert r.status_code == 201
        assert AuditLog.objects.get(tenant=tenant, action="member.add").actor_label == f"api key {key.key_id}"

    def test_it_refuses_a_marketer_key(self, tenant: Tenant, key_client: KeyClient) -> None:
        client, _ = key_client(tenant, ApiKey.Role.MARKETER)
        r = client.post(members_url(tenant), {"email": "bykey@example.test", "role": "viewer"}, format="json")
        assert r.status_code == 403

    def test_it_emails_a_new_member_a_set_password_link(self, api: APIClient, tenant: Tenant) -> None:
        r = api.post(members_url(tenant), {"email": "fresh@example.test", "role": "viewer"}, format="json")
        assert member_invitation_send(tenant_id=tenant.pk, membership_id=r.json()["id"], new_user=True)
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["fresh@example.test"]
        assert "Acme" in message.subject
        assert "/accounts/password/reset/key/" in message.body
        assert f"/t/{tenant.public_id}/campaigns/" in message.body

    def test_it_emails_an_existing_user_a_login_link(
        self, api: APIClient, tenant: Tenant, other_tenant: Tenant, member_factory: MemberFactory
    ) -> None:
        member_factory(other_tenant, Role.OWNER, "known@example.test")
        r = api.post(members_url(tenant), {"email": "known@example.test", "role": "viewer"}, format="json")
        assert member_invitation_send(tenant_id=tenant.pk, membership_id=r.json()["id"], new_user=False)
        assert "/accounts/login/" in mail.outbox[0].body
        assert "password/reset" not in mail.outbox[0].body


class TestMemberRoleChange:
    def test_it_changes_a_role(self, api: APIClient, tenant: Tenant, member_factory: MemberFactory) -> None:
        member = member_factory(tenant, Role.VIEWER, "up@example.test")
        r = api.patch(members_url(tenant, member.pk), {"role": "marketer"}, format="json")
        assert r.status_code == 200
        assert r.json()["role"] == "marketer"
        member.refresh_from_db()
        assert member.role == Role.MARKETER
        entry = AuditLog.objects.get(tenant=tenant, action="member.role")
        assert entry.data == {"email": "up@example.test", "from": "viewer", "to": "marketer"}
        assert entry.actor_label == "owner@acme.test"

    def test_it_rejects_a_bad_role(self, api: APIClient, tenant: Tenant, member_factory: MemberFactory) -> None:
        member = member_factory(tenant, Role.VIEWER)
        for bad in ["god", 7, None, ["admin"]]:
            r = api.patch(members_url(tenant, member.pk), {"role": bad}, format="json")
            assert r.status_code == 400, bad
            assert "role" in r.json()["errors"]
        member.refresh_from_db()
        assert member.role == Role.VIEWER

    def test_it_does_not_replace_a_member_with_put(
        self, api: APIClient, tenant: Tenant, member_factory: MemberFactory
    ) -> None:
        member = member_factory(tenant, Role.VIEWER)
        assert api.put(members_url(tenant, member.pk), {"role": "admin"}, format="json").status_code == 405

    def test_it_refuses_an_admin_making_an_owner(
        self, tenant: Tenant, owner: Membership, admin: Membership, member_factory: MemberFactory, client_for: ClientFor
    ) -> None:
        member = member_factory(tenant, Role.VIEWER)
        r = client_for(admin).patch(members_url(tenant, member.pk), {"role": "owner"}, format="json")
        assert r.status_code == 403
        member.refresh_from_db()
        assert member.role == Role.VIEWER

    def test_it_refuses_an_admin_demoting_an_owner(
        self, tenant: Tenant, owner: Membership, admin: Membership, member_factory: MemberFactory, client_for: ClientFor
    ) -> None:
        member_factory(tenant, Role.OWNER)  # not the last owner, so only the role rule applies
        r = client_for(admin).patch(members_url(tenant, owner.pk), {"role": "viewer"}, format="json")
        assert r.status_code == 403
        owner.refresh_from_db()
        assert owner.role == Role.OWNER
        assert not AuditLog.objects.filter(tenant=tenant, action="member.role").exists()

    def test_it_refuses_an_admin_key_touching_owners(
        self, tenant: Tenant, owner: Membership, admin: Membership, key_client: KeyClient
    ) -> None:
        client, _ = key_client(tenant, ApiKey.Role.ADMIN)
        assert client.patch(members_url(tenant, admin.pk), {"role": "owner"}, format="json").status_code == 403
        assert client.patch(members_url(tenant, owner.pk), {"role": "viewer"}, format="json").status_code == 403
        assert client.delete(members_url(tenant, owner.pk)).status_code == 403
        r = client.post(members_url(tenant), {"email": "coup@example.test", "role": "owner"}, format="json")
        assert r.status_code == 403
        assert list(Membership.objects.filter(tenant=tenant, role=Role.OWNER)) == [owner]

    def test_it_lets_an_admin_key_change_other_roles(
        self, tenant: Tenant, admin: Membership, key_client: KeyClient
    ) -> None:
        client, _ = key_client(tenant, ApiKey.Role.ADMIN)
        assert client.patch(members_url(tenant, admin.pk), {"role": "analyst"}, format="json").status_code == 200
        admin.refresh_from_db()
        assert admin.role == Role.ANALYST

    def test_it_keeps_the_last_owner(self, api: APIClient, tenant: Tenant, owner: Membership) -> None:
        r = api.patch(members_url(tenant, owner.pk), {"role": "admin"}, format="json")
        assert r.status_code == 409
        assert "owner" in r.json()["detail"]
        owner.refresh_from_db()
        assert owner.role == Role.OWNER

    def test_it_lets_an_owner_step_down_once_another_owner_exists(
        self, api: APIClient, tenant: Tenant, owner: Membership, member_factory: MemberFactory
    ) -> None:
        member = member_factory(tenant, Role.ADMIN)
        assert api.patch(members_url(tenant, member.pk), {"role": "owner"}, format="json").status_code == 200
        assert api.patch(members_url(tenant, owner.pk), {"role": "admin"}, format="json").status_code == 200
        owner.refresh_from_db()
        assert owner.role == Role.ADMIN
        assert api.delete(members_url(tenant, member.pk)).status_code == 403  # now an admin: owners are off limits

    def test_it_refuses_a_marketer(
        self, tenant: Tenant, owner: Membership, member_factory: MemberFactory, client_for: ClientFor
    ) -> None:
        marketer = member_factory(tenant, Role.MARKETER)
        r = client_for(marketer).patch(members_url(tenant, marketer.pk), {"role": "admin"}, format="json")
        assert r.status_code == 403
        marketer.refresh_from_db()
        assert marketer.role == Role.MARKETER


class TestMemberRemove:
    def test_it_removes_a_member_who_then_gets_404(
        self, api: APIClient, tenant: Tenant, member_factory: MemberFactory, client_for: ClientFor
    ) -> None:
        member = member_factory(tenant, Role.MARKETER, "gone@example.test")
        client = client_for(member)
        assert client.get(f"/api/v1/tenants/{tenant.public_id}/").status_code == 200
        assert api.delete(members_url(tenant, member.pk)).status_code == 204
        assert not Membership.objects.filter(pk=member.pk).exists()
        assert User.objects.filter(email="gone@example.test").exists()
        assert client.get(f"/api/v1/tenants/{tenant.public_id}/").status_code == 404
        assert client.get(f"/api/v1/tenants/{tenant.public_id}/campaigns/").status_code == 404
        assert client.get("/api/v1/tenants/").json() == []
        entry = AuditLog.objects.get(tenant=tenant, action="member.remove")
        assert entry.data == {"email": "gone@example.test", "role": "marketer"}
        assert entry.target_id == str(member.pk)

    def test_it_refuses_an_admin_removing_an_owner(
        self, tenant: Tenant, owner: Membership, admin: Membership, member_factory: MemberFactory, client_for: ClientFor
    ) -> None:
        member_factory(tenant, Role.OWNER)
        assert client_for(admin).delete(members_url(tenant, owner.pk)).status_code == 403
        assert Membership.objects.filter(pk=owner.pk).exists()

    def test_it_lets_an_admin_remove_a_non_owner(
        self, tenant: Tenant, owner: Membership, admin: Membership, member_factory: MemberFactory, client_for: ClientFor
    ) -> None:
        member = member_factory(tenant, Role.VIEWER)
        assert client_for(admin).delete(members_url(tenant, member.pk)).status_code == 204
        assert not Membership.objects.filter(pk=member.pk).exists()

    def test_it_keeps_the_last_owner(self, api: APIClient, tenant: Tenant, owner: Membership) -> None:
        r = api.delete(members_url(tenant, owner.pk))
        assert r.status_code == 409
        assert "owner" in r.json()["detail"]
        assert Membership.objects.filter(pk=owner.pk).exists()
        assert not AuditLog.objects.filter(tenant=tenant, action="member.remove").exists()

    def test_it_lets_an_owner_remove_another_owner(
        self, api: APIClient, tenant: Tenant, member_factory: MemberFactory
    ) -> None:
        other = member_factory(tenant, Role.OWNER)
        assert api.delete(members_url(tenant, other.pk)).status_code == 204

    def test_it_refuses_a_viewer(
        self, tenant: Tenant, owner: Membership, member_factory: MemberFactory, client_for: ClientFor
    ) -> None:
        viewer = member_factory(tenant, Role.VIEWER)
        assert client_for(viewer).delete(members_url(tenant, owner.pk)).status_code == 403
        assert client_for(viewer).delete(members_url(tenant, viewer.pk)).status_code == 403


def test_it_audits_every_membership_change(api: APIClient, tenant: Tenant) -> None:
    r = api.post(members_url(tenant), {"email": "cycle@example.test", "role": "viewer"}, format="json")
    pk = r.json()["id"]
    api.patch(members_url(tenant, pk), {"role": "admin"}, format="json")
    api.delete(members_url(tenant, pk))
    assert audit_actions(tenant) == ["member.add", "member.role", "member.remove"]
    assert set(AuditLog.objects.filter(tenant=tenant).values_list("actor_label", flat=True)) == {"owner@acme.test"}
    assert set(AuditLog.objects.filter(tenant=tenant).values_list("target_id", flat=True)) == {str(pk)}


def test_it_keeps_a_user_created_elsewhere_out_of_the_tenant(api: APIClient, tenant: Tenant) -> None:
    UserFactory(email="outsider@example.test")
    emails = {m["email"] for m in api.get(members_url(tenant)).json()["results"]}
    assert "outsider@example.test" not in emails
