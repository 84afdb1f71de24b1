"""The tenant's default campaign hook: campaigns without a hook of their own call it (through the real planner and a
real local HTTP server); a campaign's own hook wins; the settings page stores it and refuses a bad URL."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from campaigns.models import CampaignRun
from campaigns.services import campaign_create, campaign_launch
from campaigns.services.plan import run_plan
from channels.models import Delivery, Status
from engage.tenancy.models import Membership, Tenant
from engage.tenancy.services import tenant_update_settings
from tests.campaigns.support import endpoints, push_body, segment_all
from tests.campaigns.test_hook import private_networks, receiver, signing_config

pytestmark = pytest.mark.django_db
__all__ = ["private_networks"]  # the autouse fixture allowing the local hook server


def launch_and_plan(tenant: Tenant, **extra: Any) -> str:
    body = push_body(segment_all(tenant), **extra)
    campaign = campaign_launch(campaign=campaign_create(tenant=tenant, by="tests", body=body), by="tests")
    run = CampaignRun.objects.filter(campaign=campaign).latest("id")
    assert run_plan(tenant_id=tenant.pk, run_id=run.pk) is not None
    return str(campaign.pk)


def test_a_campaign_without_a_hook_calls_the_tenants_default(tenant: Tenant) -> None:
    endpoints(tenant, 3)
    signing_config(tenant)
    with receiver(drop={"ep1"}) as hook:
        tenant_update_settings(tenant=tenant, by="tests", campaign_hook_url=hook.url)
        tenant.refresh_from_db()
        campaign_id = launch_and_plan(tenant)
    assert len(hook.bodies) == 1 and all(hook.signed)
    assert sorted(hook.bodies[0]["Endpoints"]) == ["ep0", "ep1", "ep2"]
    rows = {d.endpoint_id: d for d in Delivery.objects.filter(dispatch__campaign_id=campaign_id)}
    assert (rows["ep1"].status, rows["ep1"].reason) == (Status.SKIPPED, "hook_dropped")
    assert rows["ep0"].status == Status.QUEUED and (rows["ep0"].context or {})["TitleOverride"] == "Hi ep0"


def test_the_campaigns_own_hook_wins_over_the_default(tenant: Tenant) -> None:
    endpoints(tenant, 2)
    signing_config(tenant)
    with receiver() as default, receiver(drop={"ep0"}) as own:
        tenant_update_settings(tenant=tenant, by="tests", campaign_hook_url=default.url)
        tenant.refresh_from_db()
        campaign_id = launch_and_plan(tenant, Hook={"WebUrl": own.url, "Mode": "FILTER"})
    assert default.bodies == [] and len(own.bodies) == 1
    skipped = Delivery.objects.filter(dispatch__campaign_id=campaign_id, status=Status.SKIPPED)
    assert list(skipped.values_list("endpoint_id", flat=True)) == ["ep0"]


def test_without_any_hook_nothing_is_called(tenant: Tenant) -> None:
    endpoints(tenant, 2)
    signing_config(tenant)
    with receiver() as hook:
        campaign_id = launch_and_plan(tenant)
    assert hook.bodies == []
    assert set(Delivery.objects.filter(dispatch__campaign_id=campaign_id).values_list("status", flat=True)) == {
        Status.QUEUED
    }


SETTINGS = {"name": "Acme", "timezone": "UTC"}


@pytest.fixture
def console(owner: Membership) -> Client:
    client = Client()
    client.force_login(owner.user)
    return client


def test_the_settings_page_stores_the_default_hook(console: Client, tenant: Tenant) -> None:
    page = console.get(f"/t/{tenant.public_id}/settings/")
    assert page.status_code == 200 and "Default campaign hook URL" in page.content.decode()
    r = console.post(
        f"/t/{tenant.public_id}/settings/", {**SETTINGS, "campaign_hook_url": "https://hooks.example.com/filter"}
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    tenant.refresh_from_db()
    assert tenant.campaign_hook_url == "https://hooks.example.com/filter"
    bad = console.post(f"/t/{tenant.public_id}/settings/", {**SETTINGS, "campaign_hook_url": "ftp://example.com/h"})
    assert bad.status_code == 400 and "https://" in bad.content.decode()
    tenant.refresh_from_db()
    assert tenant.campaign_hook_url == "https://hooks.example.com/filter"
