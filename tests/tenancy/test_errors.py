"""Bad input and unknown ids: a JSON error naming the field on the API, a readable page in the console, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from campaigns.models import Campaign
from engage.tenancy.models import ApiKey, AuditLog, Membership, Role, Tenant
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

MemberFactory = Callable[..., Membership]
KeyClient = Callable[..., tuple[APIClient, ApiKey]]
UNKNOWN_ID = "0123456789abcdef0123456789abcdef"
MALFORMED_IDS = ["nope", "0123456789ABCDEF0123456789ABCDEF", "1", "0123456789abcdef0123456789abcdef0", "%20"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def console(owner: Membership) -> Client:
    client = Client()
    client.force_login(owner.user)
    return client


def api_url(tenant: Tenant, suffix: str = "") -> str:
    return f"/api/v1/tenants/{tenant.public_id}/{suffix}"


def post_raw(client: APIClient, url: str, body: str, method: str = "post") -> Any:
    return getattr(client, method)(url, data=body, content_type="application/json")


class TestMalformedBodies:
    @pytest.mark.parametrize(
        ("suffix", "method"),
        [("campaigns/", "post"), ("members/", "post"), ("api-keys/", "post"), ("", "patch")],
    )
    @pytest.mark.parametrize("body", ['{"name": ', "{'name': 'single quotes'}", "name=x", "\x00"])
    def test_it_answers_malformed_json_with_400_and_a_detail(
        self, api: APIClient, tenant: Tenant, suffix: str, method: str, body: str
    ) -> None:
        r = post_raw(api, api_url(tenant, suffix), body, method)
        assert r.status_code == 400
        assert r["Content-Type"].startswith("application/json")
        assert "JSON parse error" in r.json()["detail"]
        tenant.refresh_from_db()
        assert tenant.name == "Acme"

    def test_it_answers_malformed_json_on_tenant_creation(self, key_client: KeyClient) -> None:
        client, _ = key_client(None, ApiKey.Role.OPERATOR)
        r = post_raw(client, "/api/v1/tenants/", "{oops")
        assert r.status_code == 400
        assert r.json()["detail"]
        assert not Tenant.objects.exists()

    @pytest.mark.parametrize("body", ["[1, 2]", '"just a string"', "42", "null"])
    def test_it_answers_json_that_is_not_an_object_with_400(self, api: APIClient, tenant: Tenant, body: str) -> None:
        for suffix in ["campaigns/", "members/", "api-keys/"]:
            r = post_raw(api, api_url(tenant, suffix), body)
            assert r.status_code == 400, (suffix, r.content)
            assert r.json()["detail"]
        assert not Campaign.objects.exists()

    def test_it_answers_json_that_is_not_an_object_on_tenant_creation(self, key_client: KeyClient) -> None:
        client, _ = key_client(None, ApiKey.Role.OPERATOR)
        for body in ["[1, 2]", '"Initech"', "null"]:
            r = post_raw(client, "/api/v1/tenants/", body)
            assert r.status_code == 400, (body, r.content)
            assert r.json()["detail"]

    def test_it_answers_an_unsupported_content_type_with_415_json(self, api: APIClient, tenant: Tenant) -> None:
        r = api.post(api_url(tenant, "campaigns/"), data="name=x", content_type="text/plain")
        assert r.status_code == 415
        assert r.json()["detail"]

    def test_it_answers_a_wrong_method_with_405_json(self, api: APIClient, tenant: Tenant) -> None:
        r = api.delete(api_url(tenant))
        assert r.status_code == 405
        assert r.json()["detail"]


class TestWrongTypes:
    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"name": ["Spring", "sale"]}, "name"),
            ({"name": {"en": "Spring"}}, "name"),
            ({"name": None}, "name"),
            ({"name": True}, "name"),
            ({"name": "Fine", "description": ["a", "b"]}, "description"),
            ({"name": "Fine", "description": 12}, "description"),
        ],
    )
    def test_it_names_the_campaign_field(
        self, api: APIClient, tenant: Tenant, payload: dict[str, Any], field: str
    ) -> None:
        r = api.post(api_url(tenant, "campaigns/"), payload, format="json")
        assert r.status_code == 400
        assert field in r.json()["errors"]
        assert r.json()["detail"].startswith(field)
        assert not Campaign.objects.exists()

    @pytest.mark.parametrize("role", [3, 3.5, ["admin"], {"name": "admin"}, True, None])
    def test_it_names_the_role_field(self, api: APIClient, tenant: Tenant, role: Any) -> None:
        r = api.post(api_url(tenant, "members/"), {"email": "typed@example.test", "role": role}, format="json")
        assert r.status_code == 400
        assert "role" in r.json()["errors"]

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"name": ["Acme"]}, "name"),
            ({"messages_per_second": [100]}, "messages_per_second"),
            ({"messages_per_second": {"max": 100}}, "messages_per_second"),
            ({"campaign_daily_cap": "three"}, "campaign_daily_cap"),
            ({"quiet_time_start": 2200, "quiet_time_end": 700}, "quiet_time_start"),
            ({"timezone": 9}, "timezone"),
        ],
    )
    def test_it_names_the_settings_field(
        self, api: APIClient, tenant: Tenant, payload: dict[str, Any], field: str
    ) -> None:
        r = api.patch(api_url(tenant), payload, format="json")
        assert r.status_code == 400
        assert field in r.json()["errors"]

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"name": "Key", "allowed_cidrs": [{"cidr": "10.0.0.0/8"}]}, "allowed_cidrs"),
            ({"name": "Key", "allowed_cidrs": "10.0.0.0/8"}, "allowed_cidrs"),
            ({"name": ["Key"]}, "name"),
            ({"name": "Key", "role": 2}, "role"),
        ],
    )
    def test_it_names_the_api_key_field(
        self, api: APIClient, tenant: Tenant, payload: dict[str, Any], field: str
    ) -> None:
        r = api.post(api_url(tenant, "api-keys/"), payload, format="json")
        assert r.status_code == 400
        assert field in r.json()["errors"]
        assert not ApiKey.objects.exists()

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"name": True}, "name"),
            ({"name": ["Initech"]}, "name"),
            ({"name": "Fine", "timezone": ["UTC"]}, "timezone"),
            ({"name": "Fine", "owner_email": 7}, "owner_email"),
        ],
    )
    def test_it_names_the_tenant_creation_field(
        self, key_client: KeyClient, payload: dict[str, Any], field: str
    ) -> None:
        client, _ = key_client(None, ApiKey.Role.OPERATOR)
        r = client.post("/api/v1/tenants/", payload, format="json")
        assert r.status_code == 400
        assert field in r.json()["errors"]

    def test_it_names_the_role_field_on_a_role_change(
        self, api: APIClient, tenant: Tenant, member_factory: MemberFactory
    ) -> None:
        member = member_factory(tenant, Role.VIEWER)
        r = api.patch(api_url(tenant, f"members/{member.pk}/"), {"role": 1}, format="json")
        assert r.status_code == 400
        assert "role" in r.json()["errors"]


class TestUnknownTenant:
    @pytest.mark.parametrize("suffix", ["", "campaigns/", "members/", "api-keys/", "audit-log/", "campaigns/1/"])
    @pytest.mark.parametrize("tenant_id", [UNKNOWN_ID, *MALFORMED_IDS])
    def test_it_answers_404_json_on_the_api(self, api: APIClient, suffix: str, tenant_id: str) -> None:
        r = api.get(f"/api/v1/tenants/{tenant_id}/{suffix}")
        assert r.status_code == 404
        assert r["Content-Type"].startswith("application/json")
        assert r.json()["detail"]

    @pytest.mark.parametrize("tenant_id", [UNKNOWN_ID, "nope"])
    def test_it_answers_404_json_to_writes_too(self, api: APIClient, tenant_id: str) -> None:
        assert api.post(f"/api/v1/tenants/{tenant_id}/campaigns/", {"name": "x"}, format="json").status_code == 404
        assert api.patch(f"/api/v1/tenants/{tenant_id}/", {"name": "x"}, format="json").status_code == 404
        assert not Campaign.objects.exists()

    def test_it_answers_the_same_for_another_tenant_as_for_no_tenant(
        self, api: APIClient, other_tenant: Tenant
    ) -> None:
        foreign = api.get(api_url(other_tenant, "campaigns/"))
        missing = api.get(f"/api/v1/tenants/{UNKNOWN_ID}/campaigns/")
        assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())

    def test_it_answers_an_unknown_api_route_with_404_json(self, api: APIClient, tenant: Tenant) -> None:
        r = api.get(api_url(tenant, "no-such-thing/"))
        assert r.status_code == 404
        assert r.json()["detail"]

    @pytest.mark.parametrize("tenant_id", [UNKNOWN_ID, *MALFORMED_IDS])
    @pytest.mark.parametrize("page", ["campaigns/", "settings/", "settings/members/", "settings/api-keys/", ""])
    def test_it_shows_a_readable_404_page_in_the_console(self, console: Client, tenant_id: str, page: str) -> None:
        r = console.get(f"/t/{tenant_id}/{page}")
        assert r.status_code == 404
        assert r["Content-Type"].startswith("text/html")
        body = r.content.decode()
        assert "Not found" in body
        assert "There is nothing here, or you do not have access to it." in body

    def test_it_shows_the_404_page_for_another_tenant(self, console: Client, other_tenant: Tenant) -> None:
        r = console.get(f"/t/{other_tenant.public_id}/campaigns/")
        assert r.status_code == 404
        assert "Globex" not in r.content.decode()

    def test_it_shows_a_404_page_for_a_campaign_of_another_tenant(
        self, console: Client, tenant: Tenant, other_tenant: Tenant
    ) -> None:
        campaign = CampaignFactory(tenant=other_tenant)
        r = console.post(f"/t/{tenant.public_id}/campaigns/{campaign.pk}/delete/")
        assert r.status_code == 404
        assert Campaign.objects.filter(pk=campaign.pk).exists()

    def test_it_answers_json_to_a_console_client_asking_for_json(self, console: Client) -> None:
        r = console.get(f"/t/{UNKNOWN_ID}/campaigns/", headers={"Accept": "application/json"})
        assert r.status_code == 404
        assert r.json()["code"] == "not_found"

    def test_it_sends_an_anonymous_visitor_to_the_login_page(self, client: Client) -> None:
        r = client.get(f"/t/{UNKNOWN_ID}/campaigns/")
        assert r.status_code == 302
        assert "/accounts/login/" in r["Location"]


class TestConsoleForms:
    SETTINGS = {
        "name": "Acme",
        "timezone": "UTC",
        "quiet_time_start": "",
        "quiet_time_end": "",
        "campaign_daily_cap": "",
        "campaign_total_cap": "",
        "messages_per_second": "",
        "campaign_max_duration": "",
        "journey_daily_cap": "",
        "journey_timeframe_cap": "",
        "journey_timeframe_days": "",
    }

    def settings_post(self, console: Client, tenant: Tenant, **changes: str) -> Any:
        return console.post(f"/t/{tenant.public_id}/settings/", {**self.SETTINGS, **changes})

    def test_it_shows_a_form_error_and_saves_nothing(self, console: Client, tenant: Tenant) -> None:
        r = self.settings_post(console, tenant, messages_per_second="5", name="Renamed")
        assert r.status_code == 400
        body = r.content.decode()
        assert "has-error" in body
        assert "greater than or equal to 50" in body
        tenant.refresh_from_db()
        assert (tenant.name, tenant.messages_per_second) == ("Acme", None)
        assert not AuditLog.objects.filter(tenant=tenant).exists()

    def test_it_names_quiet_time_end_in_the_console(self, console: Client, tenant: Tenant) -> None:
        r = self.settings_post(console, tenant, quiet_time_start="22:00")
        assert r.status_code == 400
        assert "Set both the start and the end of quiet time" in r.content.decode()
        tenant.refresh_from_db()
        assert tenant.quiet_time_start is None

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("timezone", "Mars/Olympus"),
            ("name", "<b>bold</b>"),
            ("campaign_daily_cap", "many"),
            ("quiet_time_end", "25:99"),
        ],
    )
    def test_it_rejects_other_bad_settings(self, console: Client, tenant: Tenant, field: str, value: str) -> None:
        r = self.settings_post(console, tenant, **{field: value, "quiet_time_start": "22:00"})
        assert r.status_code == 400
        assert "has-error" in r.content.decode()
        tenant.refresh_from_db()
        assert (tenant.name, tenant.timezone, tenant.quiet_time_start) == ("Acme", "UTC", None)

    def test_it_saves_good_settings_and_audits_them(self, console: Client, tenant: Tenant) -> None:
        r = self.settings_post(
            console, tenant, messages_per_second="75", quiet_time_start="22:00", quiet_time_end="06:00"
        )
        assert r.status_code == 302
        tenant.refresh_from_db()
        assert tenant.messages_per_second == 75
        entry = AuditLog.objects.get(tenant=tenant, action="tenant.settings")
        assert entry.data["changes"]["messages_per_second"] == [None, 75]

    def test_it_refuses_a_marketer_changing_settings(
        self, tenant: Tenant, member_factory: MemberFactory, client: Client
    ) -> None:
        client.force_login(member_factory(tenant, Role.MARKETER).user)
        assert client.get(f"/t/{tenant.public_id}/settings/").status_code == 200
        r = self.settings_post(client, tenant, name="Hijacked")
        assert r.status_code == 403
        assert "cannot do this" in r.content.decode()
        tenant.refresh_from_db()
        assert tenant.name == "Acme"

    @pytest.mark.parametrize("name", ["", "   ", "x" * 256])
    def test_it_shows_a_campaign_form_error(self, console: Client, tenant: Tenant, name: str) -> None:
        r = console.post(f"/t/{tenant.public_id}/campaigns/", {"name": name})
        assert r.status_code == 400
        assert "has-error" in r.content.decode()
        assert not Campaign.objects.exists()

    def test_it_shows_an_invite_form_error(self, console: Client, tenant: Tenant) -> None:
        r = console.post(f"/t/{tenant.public_id}/settings/members/", {"email": "not-an-email", "role": "viewer"})
        assert r.status_code == 400
        assert "has-error" in r.content.decode()
        assert Membership.objects.filter(tenant=tenant).count() == 1

    def test_it_shows_a_duplicate_invite_as_a_form_error(self, console: Client, tenant: Tenant) -> None:
        r = console.post(f"/t/{tenant.public_id}/settings/members/", {"email": "owner@acme.test", "role": "viewer"})
        assert r.status_code == 400
        assert "already a member" in r.content.decode()

    def test_it_shows_a_bad_range_as_a_form_error(self, console: Client, tenant: Tenant) -> None:
        r = console.post(
            f"/t/{tenant.public_id}/settings/api-keys/", {"name": "Key", "role": "marketer", "allowed_cidrs": "nowhere"}
        )
        assert r.status_code == 400
        assert "not an IP address or CIDR range" in r.content.decode()
        assert not ApiKey.objects.exists()
