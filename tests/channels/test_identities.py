"""SES identities of an `ses` config: create/refresh/delete through SES v2 (moto), DKIM CNAMEs, which
identities verify which From addresses, and the API's nested routes with roles and isolation."""

from __future__ import annotations

from collections.abc import Callable

import boto3
import pytest
from rest_framework.test import APIClient

from channels.models import ChannelConfig, EmailIdentity
from channels.services.configs import config_create, config_update
from channels.services.identities import (
    dkim_records,
    from_address_verified,
    identity_covers,
    identity_create,
    identity_delete,
    identity_refresh,
)
from engage import clock
from engage.errors import Conflict, Invalid
from engage.tenancy.models import AuditLog, Membership, Role, Tenant
from tests.channels.ses_fake import (  # noqa: F401 (fixtures)
    REGION,
    SesServer,
    moto_ses_fixture,
    ses_generates_dkim,
    ses_identity,
    ses_server_fixture,
    ses_verifies,
)

pytestmark = pytest.mark.django_db


def ses_config(tenant: Tenant, *, endpoint_url: str = "", name: str = "Mail") -> ChannelConfig:
    settings = {"from_address": "news@acme.test", "region": REGION}
    if endpoint_url:
        settings["endpoint_url"] = endpoint_url
    return config_create(
        tenant=tenant, by="tests", name=name, channel="EMAIL", provider="ses", enabled=False, settings=settings
    )


def url(tenant: Tenant, config: ChannelConfig, suffix: str = "") -> str:
    return f"/api/v1/tenants/{tenant.public_id}/channel-configs/{config.pk}/identities/{suffix}"


class TestIdentities:
    def test_it_asks_ses_to_verify_a_domain_and_shows_its_dkim_cnames(self, tenant: Tenant, moto_ses: None) -> None:
        config = ses_config(tenant)

        row = identity_create(config=config, by="tests", identity="Acme.TEST.")

        assert (row.identity, row.kind, row.verified) == ("acme.test", "DOMAIN", False)
        assert ses_identity("acme.test").identity_type == "DOMAIN"
        tokens = ses_generates_dkim("acme.test")
        row = identity_refresh(identity=row)
        assert (row.dkim_status, row.dkim_tokens, row.verification_status) == ("PENDING", tokens, "PENDING")
        assert dkim_records(row) == [
            {"name": f"{t}._domainkey.acme.test", "type": "CNAME", "value": f"{t}.dkim.amazonses.com"} for t in tokens
        ]
        ses_verifies("acme.test")
        row = identity_refresh(identity=row)
        assert (row.verified, row.dkim_status, row.verification_status) == (True, "SUCCESS", "SUCCESS")
        assert AuditLog.objects.filter(tenant=tenant, action="email_identity.create").count() == 1

    def test_it_keeps_the_case_of_an_address_local_part(self, tenant: Tenant, moto_ses: None) -> None:
        row = identity_create(config=ses_config(tenant), by="tests", identity=" News@Acme.TEST ")
        assert (row.identity, row.kind, dkim_records(row)) == ("News@acme.test", "EMAIL_ADDRESS", [])

    @pytest.mark.parametrize("name", ["", "not a domain", "acme..test", f"{'a' * 64}.test", "news@", "acme"])
    def test_it_refuses_what_is_neither_an_address_nor_a_domain(
        self, tenant: Tenant, moto_ses: None, name: str
    ) -> None:
        with pytest.raises(Invalid) as refused:
            identity_create(config=ses_config(tenant), by="tests", identity=name)
        assert refused.value.field == "identity"
        assert not EmailIdentity.objects.exists()

    def test_it_refuses_an_identity_twice_and_for_other_providers(self, tenant: Tenant, moto_ses: None) -> None:
        config = ses_config(tenant)
        identity_create(config=config, by="tests", identity="acme.test")
        with pytest.raises(Invalid, match="already an identity"):
            identity_create(config=config, by="tests", identity="ACME.test")
        smtp = config_create(
            tenant=tenant,
            by="tests",
            name="SMTP",
            channel="EMAIL",
            provider="smtp",
            settings={"host": "mail.acme.test", "from_address": "a@acme.test"},
        )
        with pytest.raises(Invalid, match="Amazon SES configs"):
            identity_create(config=smtp, by="tests", identity="acme.test")

    def test_it_takes_the_state_of_an_identity_already_in_the_account(
        self, tenant: Tenant, ses_server: SesServer
    ) -> None:
        client = boto3.client("sesv2", endpoint_url=ses_server.url, aws_access_key_id="k", aws_secret_access_key="s")
        client.create_email_identity(EmailIdentity="news@acme.test")
        ses_verifies("news@acme.test")

        row = identity_create(
            config=ses_config(tenant, endpoint_url=ses_server.url), by="tests", identity="news@acme.test"
        )

        assert (row.verified, row.verification_status) == (True, "SUCCESS")

    def test_it_marks_an_identity_deleted_in_ses_as_not_found(self, tenant: Tenant, moto_ses: None) -> None:
        row = identity_create(config=ses_config(tenant), by="tests", identity="acme.test")
        boto3.client("sesv2", region_name=REGION).delete_email_identity(EmailIdentity="acme.test")

        row = identity_refresh(identity=row)

        assert (row.verified, row.verification_status) == (False, "NOT_FOUND")

    def test_it_deletes_in_ses_and_here(self, tenant: Tenant, moto_ses: None) -> None:
        row = identity_create(config=ses_config(tenant), by="tests", identity="acme.test")

        identity_delete(identity=row, by="tests")

        assert not EmailIdentity.objects.exists()
        with pytest.raises(LookupError):
            ses_identity("acme.test")
        assert AuditLog.objects.filter(tenant=tenant, action="email_identity.delete").count() == 1

    def test_it_keeps_the_identity_that_lets_an_enabled_config_send(self, tenant: Tenant, moto_ses: None) -> None:
        config = ses_config(tenant)
        domain = identity_create(config=config, by="tests", identity="acme.test")
        address = identity_create(config=config, by="tests", identity="news@acme.test")
        for name, row in (("acme.test", domain), ("news@acme.test", address)):
            ses_verifies(name)
            identity_refresh(identity=row)
        config = config_update(config=config, by="tests", enabled=True)

        identity_delete(identity=address, by="tests")  # the domain still verifies the From address
        with pytest.raises(Conflict, match="disable the config or change its From address"):
            identity_delete(identity=domain, by="tests")
        config_update(config=config, by="tests", enabled=False)
        identity_delete(identity=domain, by="tests")
        assert not EmailIdentity.objects.exists()


class TestCoverage:
    @pytest.mark.parametrize(
        ("identity", "kind", "address", "covered"),
        [
            ("acme.test", "DOMAIN", "news@acme.test", True),
            ("acme.test", "DOMAIN", "news@MAIL.Acme.test", True),
            ("acme.test", "DOMAIN", "news@notacme.test", False),
            ("News@acme.test", "EMAIL_ADDRESS", "News@ACME.test", True),
            ("News@acme.test", "EMAIL_ADDRESS", "News+weekly@acme.test", True),
            ("News@acme.test", "EMAIL_ADDRESS", "news@acme.test", False),
            ("News@acme.test", "EMAIL_ADDRESS", "Newsletter@acme.test", False),
        ],
    )
    def test_it_knows_which_from_addresses_an_identity_verifies(
        self, identity: str, kind: str, address: str, covered: bool
    ) -> None:
        assert identity_covers(EmailIdentity(identity=identity, kind=kind), address) is covered

    def test_only_verified_identities_count(self, tenant: Tenant) -> None:
        config = ses_config(tenant)
        row = EmailIdentity.objects.create(
            tenant=tenant, config=config, identity="acme.test", kind="DOMAIN", created_at=clock.now()
        )
        assert not from_address_verified(config=config, address="news@acme.test")
        EmailIdentity.objects.filter(pk=row.pk).update(verified=True)
        assert from_address_verified(config=config, address="news@acme.test")


class TestApi:
    def test_it_lists_adds_refreshes_and_deletes(self, api: APIClient, tenant: Tenant, moto_ses: None) -> None:
        config = ses_config(tenant)

        added = api.post(url(tenant, config), {"identity": "acme.test"}, format="json")
        assert added.status_code == 201, added.content
        ses_generates_dkim("acme.test")
        refreshed = api.post(url(tenant, config, f"{added.json()['id']}/refresh/"))
        listed = api.get(url(tenant, config))
        deleted = api.delete(url(tenant, config, f"{added.json()['id']}/"))

        assert refreshed.json()["dkim_status"] == "PENDING" and len(refreshed.json()["dkim_records"]) == 3
        assert listed.json()[0]["dkim_records"][0]["value"].endswith(".dkim.amazonses.com")
        assert deleted.status_code == 204 and not EmailIdentity.objects.exists()

    def test_it_answers_a_field_error(self, api: APIClient, tenant: Tenant, moto_ses: None) -> None:
        r = api.post(url(tenant, ses_config(tenant)), {"identity": "acme..test"}, format="json")
        assert r.status_code == 400 and "identity" in r.json()["errors"]

    def test_it_hides_other_tenants_and_other_configs_identities(
        self, api: APIClient, tenant: Tenant, other_tenant: Tenant, moto_ses: None
    ) -> None:
        theirs = ses_config(other_tenant)
        their_identity = identity_create(config=theirs, by="tests", identity="globex.test")
        mine = ses_config(tenant)

        assert api.get(url(tenant, theirs)).status_code == 404
        assert api.post(url(tenant, theirs), {"identity": "x.test"}, format="json").status_code == 404
        assert api.post(url(tenant, mine, f"{their_identity.pk}/refresh/")).status_code == 404
        assert api.delete(url(tenant, mine, f"{their_identity.pk}/")).status_code == 404
        assert EmailIdentity.objects.filter(pk=their_identity.pk).exists()

    def test_a_viewer_reads_but_cannot_change_identities(
        self,
        tenant: Tenant,
        moto_ses: None,
        member_factory: Callable[..., Membership],
        client_for: Callable[[Membership], APIClient],
    ) -> None:
        config = ses_config(tenant)
        row = identity_create(config=config, by="tests", identity="acme.test")
        viewer = client_for(member_factory(tenant, Role.VIEWER))

        assert viewer.get(url(tenant, config)).status_code == 200
        assert viewer.post(url(tenant, config), {"identity": "b.test"}, format="json").status_code == 403
        assert viewer.post(url(tenant, config, f"{row.pk}/refresh/")).status_code == 403
        assert viewer.delete(url(tenant, config, f"{row.pk}/")).status_code == 403
        assert EmailIdentity.objects.count() == 1
