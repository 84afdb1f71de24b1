"""/api/v1/tenants/<id>/channel-configs/: CRUD, field errors per provider, write-only secrets, one default per
channel, "check connection", deleting with pending messages, roles and isolation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from channels.models import ChannelConfig, Delivery, Dispatch, Status
from channels.services.configs import config_create
from engage.crypto import decrypt
from engage.tenancy.models import AuditLog, Membership, Role, Tenant
from tests.channels.ses_fake import SesServer, ses_server_fixture, ses_verifies  # noqa: F401 (a fixture)
from tests.channels.support import make_endpoints, plan

pytestmark = pytest.mark.django_db

KEY_ID, SECRET = "AKIAEXAMPLEKEY123456", "s3cr3t/KEY+value0123"
SES = {"name": "Mail", "channel": "EMAIL", "provider": "ses", "enabled": False}
SES_SETTINGS = {"from_address": "news@acme.test", "from_name": "Acme News", "region": "eu-west-1"}
SMS = {
    "name": "Texts",
    "channel": "SMS",
    "provider": "eum_sms",
    "settings": {
        "sender_id": "Acme",
        "origination_identities": [
            {"identity": "+12065550100", "kind": "10dlc", "country": "us"},
            {"identity": "AcmeUK", "kind": "sender_id", "country": "GB", "route": "promotional"},
        ],
        "prices": {"+1": 0.00581, "+44": "0.0392", "default": "0.05"},
        "monthly_spend_limit_usd": "25.00",
    },
}


def url(tenant: Tenant, pk: int | None = None, suffix: str = "") -> str:
    base = f"/api/v1/tenants/{tenant.public_id}/channel-configs/"
    return f"{base}{pk}/{suffix}" if pk is not None else base


def raw_secrets(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM channels_channelconfig WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def webhook(tenant: Tenant, name: str = "Hook", **extra: Any) -> ChannelConfig:
    return config_create(
        tenant=tenant,
        by="tests",
        name=name,
        channel="CUSTOM",
        provider="webhook",
        settings={"url": "https://hooks.acme.test/engage"},
        secrets={"signing_secret": "whsec-0123456789abcdef"},
        **extra,
    )


class TestCreate:
    def test_it_creates_an_ses_config_whose_keys_it_never_returns(self, api: APIClient, tenant: Tenant) -> None:
        body = {
            **SES,
            "settings": SES_SETTINGS,
            "secrets": {"aws_access_key_id": KEY_ID, "aws_secret_access_key": SECRET},
        }
        r = api.post(url(tenant), body, format="json")

        assert r.status_code == 201, r.content
        data = r.json()
        assert data["secrets_set"] == ["aws_access_key_id", "aws_secret_access_key"]
        assert "secrets" not in data and SECRET not in r.content.decode() and KEY_ID not in r.content.decode()
        assert data["settings"] == {**SES_SETTINGS, "list_unsubscribe": True, "reply_to": []}
        assert (data["is_default"], data["enabled"]) == (True, False)
        config = ChannelConfig.objects.get(pk=data["id"], tenant=tenant)
        assert SECRET not in raw_secrets(config.pk) and SECRET in decrypt(raw_secrets(config.pk))
        assert SECRET not in api.get(url(tenant, config.pk)).content.decode()
        entry = AuditLog.objects.get(tenant=tenant, action="channel_config.create")
        assert entry.data["secrets_set"] == ["aws_access_key_id", "aws_secret_access_key"]
        assert SECRET not in str(entry.data) and KEY_ID not in str(entry.data)

    def test_it_normalizes_the_sms_settings_and_shows_the_month_spend(self, api: APIClient, tenant: Tenant) -> None:
        r = api.post(url(tenant), SMS, format="json")

        assert r.status_code == 201, r.content
        settings = r.json()["settings"]
        assert settings["message_type"] == "TRANSACTIONAL" and settings["region"] == "us-east-1"
        assert settings["prices"] == {"+1": "0.00581", "+44": "0.0392", "default": "0.05"}
        assert settings["origination_identities"][0] == {
            "identity": "+12065550100",
            "kind": "10dlc",
            "country": "US",
            "route": "transactional",
        }
        assert r.json()["spend"]["limit_usd"] == "25.00000" and r.json()["spend"]["spent_usd"] == "0.00000"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({**SES, "settings": {**SES_SETTINGS, "from_address": "news-at-acme"}}, "settings.from_address"),
            ({**SES, "settings": {"from_name": "No address"}}, "settings.from_address"),
            ({**SES, "settings": {**SES_SETTINGS, "region": "mars-1"}}, "settings.region"),
            ({**SES, "settings": {**SES_SETTINGS, "reply_to": ["help"]}}, "settings.reply_to"),
            ({**SES, "settings": {**SES_SETTINGS, "colour": "red"}}, "settings.colour"),
            (
                {**SES, "settings": SES_SETTINGS, "secrets": {"aws_access_key_id": KEY_ID}},
                "secrets.aws_secret_access_key",
            ),
            ({**SES, "settings": SES_SETTINGS, "secrets": {"password": "x"}}, "secrets.password"),
            ({**SES, "channel": "SMS"}, "provider"),
            ({**SES, "settings": SES_SETTINGS, "messages_per_second": -1}, "messages_per_second"),
            ({**SMS, "settings": {"sender_id": "ACME-NEWS-LTD"}}, "settings.sender_id"),
            ({**SMS, "settings": {"sender_id": "12345"}}, "settings.sender_id"),
            (
                {
                    **SMS,
                    "settings": {
                        "origination_identities": [{"identity": "2065550100", "kind": "long_code", "country": "US"}]
                    },
                },
                "settings.origination_identities",
            ),
            (
                {
                    **SMS,
                    "settings": {
                        "origination_identities": [{"identity": "+12065550100", "kind": "pigeon", "country": "US"}]
                    },
                },
                "settings.origination_identities",
            ),
            ({**SMS, "settings": {"prices": {"44": "0.03"}}}, "settings.prices"),
            ({**SMS, "settings": {"prices": {"+44": "-0.03"}}}, "settings.prices"),
            ({**SMS, "settings": {"monthly_spend_limit_usd": "-5"}}, "settings.monthly_spend_limit_usd"),
            ({**SMS, "settings": {"monthly_spend_limit_usd": "lots"}}, "settings.monthly_spend_limit_usd"),
            ({**SMS, "settings": {"message_type": "URGENT"}}, "settings.message_type"),
            (
                {
                    "name": "Calls",
                    "channel": "VOICE",
                    "provider": "eum_voice",
                    "settings": {"origination_number": "555"},
                },
                "settings.origination_number",
            ),
            (
                {"name": "Push", "channel": "PUSH", "provider": "push", "settings": {"application_id": "my-app"}},
                "settings.application_id",
            ),
            (
                {
                    "name": "SMTP",
                    "channel": "EMAIL",
                    "provider": "smtp",
                    "settings": {"host": "mail.acme.test", "from_address": "a@acme.test", "port": 70000},
                },
                "settings.port",
            ),
            (
                {
                    "name": "SMTP",
                    "channel": "EMAIL",
                    "provider": "smtp",
                    "settings": {"host": "mail.acme.test", "from_address": "a@acme.test", "username": "u"},
                },
                "secrets.password",
            ),
            (
                {
                    "name": "Hook",
                    "channel": "CUSTOM",
                    "provider": "webhook",
                    "settings": {"url": "http://hooks.acme.test/x"},
                    "secrets": {"signing_secret": "whsec-0123456789abcdef"},
                },
                "settings.url",
            ),
            (
                {
                    "name": "Hook",
                    "channel": "CUSTOM",
                    "provider": "webhook",
                    "settings": {"url": "https://hooks.acme.test/x"},
                    "secrets": {"signing_secret": "short"},
                },
                "secrets.signing_secret",
            ),
        ],
    )
    def test_it_names_the_field_to_fix(self, api: APIClient, tenant: Tenant, body: dict[str, Any], field: str) -> None:
        r = api.post(url(tenant), body, format="json")

        assert r.status_code == 400, r.content
        assert field in r.json()["errors"], r.json()
        assert not ChannelConfig.objects.filter(tenant=tenant).exists()

    def test_it_refuses_private_webhook_addresses_unless_the_operator_allows_them(
        self, api: APIClient, tenant: Tenant, settings: Any
    ) -> None:
        body = {
            "name": "Hook",
            "channel": "CUSTOM",
            "provider": "webhook",
            "settings": {"url": "http://127.0.0.1:8080/hook"},
            "secrets": {"signing_secret": "whsec-0123456789abcdef"},
        }
        settings.EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS = False
        for target in ("http://127.0.0.1:8080/hook", "https://10.1.2.3/hook"):
            r = api.post(url(tenant), {**body, "settings": {"url": target}}, format="json")
            assert r.status_code == 400 and "EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS" in r.json()["detail"], r.content
        settings.EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS = True
        assert api.post(url(tenant), body, format="json").status_code == 201

    def test_it_refuses_an_enabled_ses_config_whose_from_address_is_not_verified(
        self, api: APIClient, tenant: Tenant
    ) -> None:
        r = api.post(url(tenant), {**SES, "enabled": True, "settings": SES_SETTINGS}, format="json")

        assert r.status_code == 400
        assert "news@acme.test is not verified" in r.json()["errors"]["settings.from_address"][0]
        assert "Identities page" in r.json()["detail"]


class TestUpdate:
    def test_it_keeps_a_secret_left_blank_and_removes_one_sent_as_null(self, api: APIClient, tenant: Tenant) -> None:
        secrets = {"aws_access_key_id": KEY_ID, "aws_secret_access_key": SECRET}
        config = api.post(url(tenant), {**SES, "settings": SES_SETTINGS, "secrets": secrets}, format="json").json()

        r = api.patch(
            url(tenant, config["id"]),
            {"settings": {"from_name": "Acme"}, "secrets": {"aws_access_key_id": "", "aws_secret_access_key": ""}},
            format="json",
        )
        assert r.status_code == 200, r.content
        assert r.json()["settings"]["from_name"] == "Acme" and r.json()["settings"]["region"] == "eu-west-1"
        assert r.json()["secrets_set"] == ["aws_access_key_id", "aws_secret_access_key"]
        assert SECRET in decrypt(raw_secrets(config["id"]))

        r = api.patch(url(tenant, config["id"]), {"secrets": {"aws_access_key_id": None}}, format="json")
        assert r.status_code == 400 and "secrets.aws_access_key_id" in r.json()["errors"]

        r = api.patch(
            url(tenant, config["id"]),
            {"secrets": {"aws_access_key_id": None, "aws_secret_access_key": None}},
            format="json",
        )
        assert r.json()["secrets_set"] == [] and ChannelConfig.objects.get(pk=config["id"]).secrets == ""
        changed = AuditLog.objects.filter(tenant=tenant, action="channel_config.update").order_by("id")
        assert [e.data["changed"] for e in changed] == [
            ["settings.from_name"],
            ["secrets.aws_access_key_id", "secrets.aws_secret_access_key"],
        ]

    def test_it_refuses_to_change_the_provider(self, api: APIClient, tenant: Tenant) -> None:
        config = webhook(tenant)
        r = api.patch(url(tenant, config.pk), {"provider": "sandbox"}, format="json")
        assert r.status_code == 400 and "provider" in r.json()["errors"]

    def test_it_keeps_one_default_per_channel(self, api: APIClient, tenant: Tenant) -> None:
        first, second = webhook(tenant, "First"), webhook(tenant, "Second")
        other_channel = api.post(url(tenant), SMS, format="json").json()
        assert (first.is_default, second.is_default, other_channel["is_default"]) == (True, False, True)

        r = api.patch(url(tenant, second.pk), {"is_default": True}, format="json")

        assert r.status_code == 200 and r.json()["is_default"] is True
        defaults = ChannelConfig.objects.filter(tenant=tenant, is_default=True).values_list("name", flat=True)
        assert sorted(defaults) == ["Second", "Texts"]
        third = api.post(url(tenant), {**SES, "settings": SES_SETTINGS, "is_default": False}, format="json").json()
        assert third["is_default"] is False


class TestEnableSes:
    def test_it_enables_ses_once_ses_has_verified_the_from_domain(
        self, api: APIClient, tenant: Tenant, ses_server: SesServer
    ) -> None:
        settings = {**SES_SETTINGS, "endpoint_url": ses_server.url, "from_address": "news+weekly@mail.acme.test"}
        secrets = {"aws_access_key_id": KEY_ID, "aws_secret_access_key": SECRET}
        config = api.post(url(tenant), {**SES, "settings": settings, "secrets": secrets}, format="json").json()
        added = api.post(url(tenant, config["id"], "identities/"), {"identity": "Acme.test"}, format="json")
        assert added.status_code == 201 and added.json()["identity"] == "acme.test", added.content
        assert api.patch(url(tenant, config["id"]), {"enabled": True}, format="json").status_code == 400

        ses_verifies("acme.test")
        refresh = api.post(url(tenant, config["id"], f"identities/{added.json()['id']}/refresh/"))
        r = api.patch(url(tenant, config["id"]), {"enabled": True}, format="json")

        assert refresh.json()["verified"] is True
        assert r.status_code == 200 and r.json()["enabled"] is True, r.content


class TestCheck:
    def test_it_stores_the_provider_values_and_its_max_send_rate(
        self, api: APIClient, tenant: Tenant, ses_server: SesServer
    ) -> None:
        ses_server.account["SendQuota"]["MaxSendRate"] = 14.0
        settings = {**SES_SETTINGS, "region": "us-east-1", "endpoint_url": ses_server.url}
        secrets = {"aws_access_key_id": KEY_ID, "aws_secret_access_key": SECRET}
        config = api.post(url(tenant), {**SES, "settings": settings, "secrets": secrets}, format="json").json()

        r = api.post(url(tenant, config["id"], "check/"))

        assert r.status_code == 200, r.content
        assert r.json()["ok"] is True and r.json()["values"]["max_send_rate"] == 14.0
        assert r.json()["values"]["production_access_enabled"] is False
        stored = ChannelConfig.objects.get(pk=config["id"])
        assert stored.provider_max_rate == 14.0 and stored.last_check["ok"] is True and stored.last_check_at
        assert api.get(url(tenant, config["id"])).json()["effective_rate"] == 14.0

    def test_it_shows_the_provider_error_text(self, api: APIClient, tenant: Tenant) -> None:
        settings = {**SES_SETTINGS, "endpoint_url": "http://127.0.0.1:9"}
        config = api.post(url(tenant), {**SES, "settings": settings}, format="json").json()

        r = api.post(url(tenant, config["id"], "check/"))

        assert r.status_code == 200 and r.json()["ok"] is False and r.json()["error"], r.content
        assert ChannelConfig.objects.get(pk=config["id"]).last_check["error"] == r.json()["error"]
        assert AuditLog.objects.filter(tenant=tenant, action="channel_config.check").count() == 1


class TestDelete:
    def test_it_refuses_while_messages_wait_then_deletes(self, api: APIClient, tenant: Tenant) -> None:
        config = webhook(tenant)
        dispatch, _ = plan(tenant, make_endpoints(tenant, 2, channel="CUSTOM"), channel="CUSTOM", config=config)
        assert Delivery.objects.filter(dispatch=dispatch, status=Status.QUEUED).count() == 2

        r = api.delete(url(tenant, config.pk))
        assert r.status_code == 409 and "2 messages still wait" in r.json()["detail"]

        Delivery.objects.filter(dispatch=dispatch).update(status=Status.SENT)
        assert api.delete(url(tenant, config.pk)).status_code == 204
        assert not ChannelConfig.objects.filter(pk=config.pk).exists()
        assert Dispatch.objects.get(pk=dispatch.pk).provider == "webhook"
        assert AuditLog.objects.filter(tenant=tenant, action="channel_config.delete").exists()


class TestAccess:
    def test_it_hides_another_tenants_configs(self, api: APIClient, tenant: Tenant, other_tenant: Tenant) -> None:
        theirs = webhook(other_tenant)
        assert api.get(url(tenant)).json()["results"] == []
        for method, path in (
            ("get", url(tenant, theirs.pk)),
            ("patch", url(tenant, theirs.pk)),
            ("delete", url(tenant, theirs.pk)),
            ("post", url(tenant, theirs.pk, "check/")),
            ("get", url(tenant, theirs.pk, "identities/")),
            ("get", url(other_tenant)),
        ):
            assert getattr(api, method)(path, {}, format="json").status_code == 404, (method, path)
        assert ChannelConfig.objects.get(pk=theirs.pk).name == "Hook"

    @pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST, Role.MARKETER])
    def test_it_lets_members_read_and_only_admins_write(
        self,
        tenant: Tenant,
        role: str,
        member_factory: Callable[..., Membership],
        client_for: Callable[[Membership], APIClient],
    ) -> None:
        config = webhook(tenant)
        client = client_for(member_factory(tenant, role))

        assert client.get(url(tenant)).status_code == 200
        assert client.get(url(tenant, config.pk)).json()["secrets_set"] == ["signing_secret"]
        assert client.post(url(tenant), SMS, format="json").status_code == 403
        assert client.patch(url(tenant, config.pk), {"name": "Mine"}, format="json").status_code == 403
        assert client.post(url(tenant, config.pk, "check/")).status_code == 403
        assert client.delete(url(tenant, config.pk)).status_code == 403
        assert ChannelConfig.objects.get(pk=config.pk).name == "Hook"

    def test_an_admin_api_key_manages_configs(self, tenant: Tenant, key_client: Callable[..., Any]) -> None:
        client, _ = key_client(tenant, "admin")
        assert client.post(url(tenant), SMS, format="json").status_code == 201
