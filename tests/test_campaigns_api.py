"""/api/v1/tenants/<id>/campaigns/: CRUD inside one tenant, filters, roles, audit, other tenants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from campaigns.models import Campaign
from engage.tenancy.models import ApiKey, AuditLog, Membership, Role, Tenant
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

MemberFactory = Callable[..., Membership]
ClientFor = Callable[[Membership], APIClient]
KeyClient = Callable[..., tuple[APIClient, ApiKey]]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def url(tenant: Tenant, pk: int | None = None) -> str:
    base = f"/api/v1/tenants/{tenant.public_id}/campaigns/"
    return f"{base}{pk}/" if pk is not None else base


def names(response: Any) -> list[str]:
    assert response.status_code == 200
    return [c["name"] for c in response.json()["results"]]


@pytest.fixture
def viewer(tenant: Tenant, member_factory: MemberFactory, client_for: ClientFor) -> APIClient:
    return client_for(member_factory(tenant, Role.VIEWER))


class TestCreate:
    def test_it_creates_a_draft(self, api: APIClient, tenant: Tenant) -> None:
        r = api.post(url(tenant), {"name": "  Spring sale ", "description": " 20% off "}, format="json")
        assert r.status_code == 201
        body = r.json()
        assert (body["name"], body["description"], body["status"]) == ("Spring sale", "20% off", "DRAFT")
        campaign = Campaign.objects.get(pk=body["id"])
        assert campaign.tenant == tenant
        assert campaign.status == Campaign.Status.DRAFT

    def test_it_needs_no_description(self, api: APIClient, tenant: Tenant) -> None:
        r = api.post(url(tenant), {"name": "Bare"}, format="json")
        assert r.status_code == 201
        assert r.json()["description"] == ""

    def test_it_ignores_a_status_in_the_request(self, api: APIClient, tenant: Tenant) -> None:
        r = api.post(url(tenant), {"name": "Sneaky", "status": "EXECUTING"}, format="json")
        assert r.status_code == 201
        assert Campaign.objects.get(pk=r.json()["id"]).status == Campaign.Status.DRAFT

    @pytest.mark.parametrize("payload", [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 256}, {"name": ["a"]}])
    def test_it_rejects_a_bad_name(self, api: APIClient, tenant: Tenant, payload: dict[str, Any]) -> None:
        r = api.post(url(tenant), payload, format="json")
        assert r.status_code == 400
        assert "name" in r.json()["errors"]
        assert not Campaign.objects.exists()

    @pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.MARKETER])
    def test_it_lets_editing_roles_create(
        self, tenant: Tenant, member_factory: MemberFactory, client_for: ClientFor, role: str
    ) -> None:
        r = client_for(member_factory(tenant, role)).post(url(tenant), {"name": f"By {role}"}, format="json")
        assert r.status_code == 201

    @pytest.mark.parametrize("role", [Role.ANALYST, Role.VIEWER])
    def test_it_refuses_read_only_roles(
        self, tenant: Tenant, member_factory: MemberFactory, client_for: ClientFor, role: str
    ) -> None:
        r = client_for(member_factory(tenant, role)).post(url(tenant), {"name": "Nope"}, format="json")
        assert r.status_code == 403
        assert r.json()["code"] == "permission_denied"
        assert not Campaign.objects.exists()

    def test_it_refuses_an_ingest_key(self, tenant: Tenant, key_client: KeyClient) -> None:
        client, _ = key_client(tenant, ApiKey.Role.INGEST)
        assert client.post(url(tenant), {"name": "Nope"}, format="json").status_code == 403

    def test_it_refuses_creating_in_another_tenant(self, api: APIClient, other_tenant: Tenant) -> None:
        assert api.post(url(other_tenant), {"name": "Intruder"}, format="json").status_code == 404
        assert not Campaign.objects.exists()


class TestRead:
    def test_it_lists_only_the_tenants_campaigns_newest_first(
        self, api: APIClient, tenant: Tenant, other_tenant: Tenant
    ) -> None:
        CampaignFactory(tenant=tenant, name="First")
        CampaignFactory(tenant=tenant, name="Second")
        CampaignFactory(tenant=other_tenant, name="Theirs")
        assert names(api.get(url(tenant))) == ["Second", "First"]

    def test_it_retrieves_one(self, api: APIClient, tenant: Tenant) -> None:
        campaign = CampaignFactory(tenant=tenant, name="Solo", description="Just one")
        r = api.get(url(tenant, campaign.pk))
        assert r.status_code == 200
        assert r.json()["id"] == campaign.pk
        assert (r.json()["name"], r.json()["description"]) == ("Solo", "Just one")

    def test_it_filters_by_status(self, api: APIClient, tenant: Tenant) -> None:
        CampaignFactory(tenant=tenant, name="Draft one")
        CampaignFactory(tenant=tenant, name="Paused one", status=Campaign.Status.PAUSED)
        CampaignFactory(tenant=tenant, name="Done one", status=Campaign.Status.COMPLETED)
        assert names(api.get(url(tenant), {"status": "PAUSED"})) == ["Paused one"]
        assert names(api.get(url(tenant), {"status": "DRAFT"})) == ["Draft one"]
        assert names(api.get(url(tenant), {"status": "EXECUTING"})) == []
        assert len(names(api.get(url(tenant), {"status": ""}))) == 3

    def test_it_searches_names_case_insensitively(self, api: APIClient, tenant: Tenant, other_tenant: Tenant) -> None:
        CampaignFactory(tenant=tenant, name="Spring sale")
        CampaignFactory(tenant=tenant, name="Winter SALE", status=Campaign.Status.PAUSED)
        CampaignFactory(tenant=tenant, name="Newsletter")
        CampaignFactory(tenant=other_tenant, name="Their sale")
        assert sorted(names(api.get(url(tenant), {"search": "sale"}))) == ["Spring sale", "Winter SALE"]
        assert names(api.get(url(tenant), {"search": "sale", "status": "PAUSED"})) == ["Winter SALE"]
        assert names(api.get(url(tenant), {"search": "nothing like it"})) == []
        assert names(api.get(url(tenant), {"search": "%"})) == []

    def test_it_pages_through_campaigns(self, api: APIClient, tenant: Tenant) -> None:
        for n in range(5):
            CampaignFactory(tenant=tenant, name=f"Campaign {n}")
        first = api.get(url(tenant), {"page_size": 2}).json()
        assert [c["name"] for c in first["results"]] == ["Campaign 4", "Campaign 3"]
        second = api.get(first["next"]).json()
        assert [c["name"] for c in second["results"]] == ["Campaign 2", "Campaign 1"]
        third = api.get(second["next"]).json()
        assert [c["name"] for c in third["results"]] == ["Campaign 0"]
        assert third["next"] is None

    @pytest.mark.parametrize("role", [Role.ANALYST, Role.VIEWER])
    def test_it_lets_read_only_roles_read(
        self, tenant: Tenant, member_factory: MemberFactory, client_for: ClientFor, role: str
    ) -> None:
        campaign = CampaignFactory(tenant=tenant)
        client = client_for(member_factory(tenant, role))
        assert client.get(url(tenant)).status_code == 200
        assert client.get(url(tenant, campaign.pk)).status_code == 200

    def test_it_hides_another_tenants_campaign(self, api: APIClient, tenant: Tenant, other_tenant: Tenant) -> None:
        theirs = CampaignFactory(tenant=other_tenant)
        assert api.get(url(tenant, theirs.pk)).status_code == 404
        assert api.get(url(other_tenant, theirs.pk)).status_code == 404
        assert api.get(url(other_tenant)).status_code == 404

    def test_it_answers_404_for_an_unknown_or_malformed_campaign_id(self, api: APIClient, tenant: Tenant) -> None:
        assert api.get(url(tenant, 999_999_999)).status_code == 404
        r = api.get(f"{url(tenant)}not-a-number/")
        assert r.status_code == 404
        assert r.json()["detail"]


class TestUpdate:
    def test_it_renames_and_describes_a_draft(self, api: APIClient, tenant: Tenant) -> None:
        campaign = CampaignFactory(tenant=tenant, name="Old", description="old")
        r = api.patch(url(tenant, campaign.pk), {"name": " New "}, format="json")
        assert r.status_code == 200
        assert r.json()["name"] == "New"
        campaign.refresh_from_db()
        assert (campaign.name, campaign.description) == ("New", "old")
        r = api.put(url(tenant, campaign.pk), {"name": "Newer", "description": "fresh"}, format="json")
        assert r.status_code == 200
        campaign.refresh_from_db()
        assert (campaign.name, campaign.description) == ("Newer", "fresh")

    def test_it_edits_a_paused_campaign(self, api: APIClient, tenant: Tenant) -> None:
        campaign = CampaignFactory(tenant=tenant, status=Campaign.Status.PAUSED)
        assert api.patch(url(tenant, campaign.pk), {"description": "tweak"}, format="json").status_code == 200

    @pytest.mark.parametrize(
        "status", [Campaign.Status.EXECUTING, Campaign.Status.SCHEDULED, Campaign.Status.COMPLETED]
    )
    def test_it_refuses_to_edit_a_campaign_that_is_not_a_draft(
        self, api: APIClient, tenant: Tenant, status: str
    ) -> None:
        campaign = CampaignFactory(tenant=tenant, name="Locked", status=status)
        r = api.patch(url(tenant, campaign.pk), {"name": "Changed"}, format="json")
        assert r.status_code == 409
        assert status in r.json()["detail"]
        campaign.refresh_from_db()
        assert campaign.name == "Locked"

    def test_it_cannot_change_the_status(self, api: APIClient, tenant: Tenant) -> None:
        campaign = CampaignFactory(tenant=tenant)
        assert api.patch(url(tenant, campaign.pk), {"status": "EXECUTING"}, format="json").status_code == 200
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.DRAFT

    def test_it_rejects_a_blank_name(self, api: APIClient, tenant: Tenant) -> None:
        campaign = CampaignFactory(tenant=tenant, name="Keep")
        r = api.patch(url(tenant, campaign.pk), {"name": ""}, format="json")
        assert r.status_code == 400
        assert "name" in r.json()["errors"]

    def test_it_refuses_a_viewer(self, viewer: APIClient, tenant: Tenant) -> None:
        campaign = CampaignFactory(tenant=tenant, name="Keep")
        assert viewer.patch(url(tenant, campaign.pk), {"name": "Changed"}, format="json").status_code == 403
        assert viewer.put(url(tenant, campaign.pk), {"name": "Changed"}, format="json").status_code == 403
        campaign.refresh_from_db()
        assert campaign.name == "Keep"

    def test_it_refuses_to_edit_another_tenants_campaign(
        self, api: APIClient, tenant: Tenant, other_tenant: Tenant
    ) -> None:
        theirs = CampaignFactory(tenant=other_tenant, name="Theirs")
        assert api.patch(url(tenant, theirs.pk), {"name": "Mine now"}, format="json").status_code == 404
        theirs.refresh_from_db()
        assert theirs.name == "Theirs"


class TestDelete:
    def test_it_deletes_and_audits(self, api: APIClient, tenant: Tenant, owner: Membership) -> None:
        campaign = CampaignFactory(tenant=tenant, name="Doomed", status=Campaign.Status.PAUSED)
        assert api.delete(url(tenant, campaign.pk)).status_code == 204
        assert not Campaign.objects.filter(pk=campaign.pk).exists()
        assert api.get(url(tenant, campaign.pk)).status_code == 404
        entry = AuditLog.objects.get(tenant=tenant, action="campaign.delete")
        assert entry.actor == owner.user
        assert entry.target_type == "campaigns.campaign"
        assert entry.target_id == str(campaign.pk)
        assert entry.target_repr == "Doomed"
        assert entry.data == {"name": "Doomed", "status": "PAUSED"}
        assert entry.ip == "127.0.0.1"

    def test_it_audits_a_deletion_made_with_a_key(self, tenant: Tenant, key_client: KeyClient) -> None:
        client, key = key_client(tenant, ApiKey.Role.MARKETER)
        campaign = CampaignFactory(tenant=tenant)
        assert client.delete(url(tenant, campaign.pk)).status_code == 204
        entry = AuditLog.objects.get(tenant=tenant, action="campaign.delete")
        assert entry.actor is None
        assert entry.actor_label == f"api key {key.key_id}"

    def test_it_refuses_to_delete_a_campaign_that_is_sending(self, api: APIClient, tenant: Tenant) -> None:
        campaign = CampaignFactory(tenant=tenant, status=Campaign.Status.EXECUTING)
        r = api.delete(url(tenant, campaign.pk))
        assert r.status_code == 409
        assert "pause" in r.json()["detail"]
        assert Campaign.objects.filter(pk=campaign.pk).exists()
        assert not AuditLog.objects.filter(action="campaign.delete").exists()

    @pytest.mark.parametrize("role", [Role.ANALYST, Role.VIEWER])
    def test_it_refuses_read_only_roles(
        self, tenant: Tenant, member_factory: MemberFactory, client_for: ClientFor, role: str
    ) -> None:
        campaign = CampaignFactory(tenant=tenant)
        assert client_for(member_factory(tenant, role)).delete(url(tenant, campaign.pk)).status_code == 403
        assert Campaign.objects.filter(pk=campaign.pk).exists()
        assert not AuditLog.objects.filter(action="campaign.delete").exists()

    def test_it_refuses_to_delete_another_tenants_campaign(
        self, api: APIClient, tenant: Tenant, other_tenant: Tenant
    ) -> None:
        theirs = CampaignFactory(tenant=other_tenant)
        assert api.delete(url(tenant, theirs.pk)).status_code == 404
        assert api.delete(url(other_tenant, theirs.pk)).status_code == 404
        assert Campaign.objects.filter(pk=theirs.pk).exists()
        assert not AuditLog.objects.filter(action="campaign.delete").exists()

    def test_it_lets_a_member_of_both_tenants_act_only_through_the_right_one(
        self, tenant: Tenant, other_tenant: Tenant, member_factory: MemberFactory, client_for: ClientFor
    ) -> None:
        membership = member_factory(tenant, Role.MARKETER, "both@example.test")
        member_factory(other_tenant, Role.MARKETER, "both@example.test")
        client = client_for(membership)
        theirs = CampaignFactory(tenant=other_tenant)
        assert client.delete(url(tenant, theirs.pk)).status_code == 404
        assert client.delete(url(other_tenant, theirs.pk)).status_code == 204
        assert AuditLog.objects.get(action="campaign.delete").tenant == other_tenant
