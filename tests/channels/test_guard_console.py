"""Pause/resume and delivery settings through the console and the API; the paused banner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from channels.models import ChannelConfig, DeliverySettings
from engage import clock
from engage.tenancy.models import AuditLog, Membership, Role, Tenant
from templates.models import Channel

pytestmark = pytest.mark.django_db


def _config(tenant: Tenant) -> ChannelConfig:
    now = clock.now()
    return ChannelConfig.objects.create(
        tenant=tenant, name="Mail", channel=Channel.EMAIL, provider="sandbox", created_at=now, updated_at=now
    )


def _login(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def test_an_admin_pauses_and_resumes_in_the_console_and_everyone_sees_the_banner(
    tenant: Tenant, owner: Membership, member_factory: Callable[..., Membership]
) -> None:
    config = _config(tenant)
    base = f"/t/{tenant.public_id}/channels/"
    admin = _login(owner)
    assert admin.post(f"{base}configs/{config.pk}/pause/").status_code == 302
    config.refresh_from_db()
    assert config.paused_at is not None

    viewer = _login(member_factory(tenant, Role.VIEWER))
    page = viewer.get(f"/t/{tenant.public_id}/campaigns/").content.decode()
    assert 'id="paused-banner"' in page and "Sending through Mail is paused" in page
    assert viewer.post(f"{base}configs/{config.pk}/resume/").status_code == 403

    listing = admin.get(base).content.decode()
    assert "Resume sending" in listing
    assert admin.post(f"{base}configs/{config.pk}/resume/").status_code == 302
    config.refresh_from_db()
    assert config.paused_at is None
    assert 'id="paused-banner"' not in admin.get(base).content.decode()
    actions = list(AuditLog.objects.filter(tenant=tenant).values_list("action", flat=True))
    assert "channel_config.pause" in actions and "channel_config.resume" in actions


def test_delivery_settings_form_refuses_a_short_retention_and_keeps_the_saved_values(
    tenant: Tenant, owner: Membership
) -> None:
    url = f"/t/{tenant.public_id}/channels/delivery-settings/"
    form = {
        "retention_days": "30",
        "guard_enabled": "on",
        "bounce_warn_pct": "5",
        "bounce_pause_pct": "10",
        "complaint_warn_pct": "0.1",
        "complaint_pause_pct": "0.5",
        "min_volume": "100",
    }
    answer = _login(owner).post(url, form)
    assert answer.status_code == 400 and "90" in answer.content.decode()
    assert not DeliverySettings.objects.filter(tenant=tenant).exclude(retention_days=90).exists()
    answer = _login(owner).post(url, {**form, "retention_days": "180", "complaint_pause_pct": "0.05"})
    assert answer.status_code == 400 and "pause level must not be below" in answer.content.decode()
    assert _login(owner).post(url, {**form, "retention_days": "180"}).status_code == 302
    assert DeliverySettings.objects.get(tenant=tenant).retention_days == 180


def test_the_api_pauses_resumes_and_edits_delivery_settings(
    tenant: Tenant, other_tenant: Tenant, api: APIClient
) -> None:
    config = _config(tenant)
    base = f"/api/v1/tenants/{tenant.public_id}/"
    paused: Any = api.post(f"{base}channel-configs/{config.pk}/pause/", {"reason": "migration"}, format="json")
    assert paused.status_code == 200 and paused.json()["paused_reason"] == "migration"
    assert api.post(f"{base}channel-configs/{config.pk}/resume/").json()["paused_at"] is None
    assert api.post(f"{base}channel-configs/{config.pk}/resume/").status_code == 409

    assert api.get(f"{base}delivery-settings/").json()["retention_days"] == 90
    bad = api.put(f"{base}delivery-settings/", {"retention_days": 7}, format="json")
    assert bad.status_code == 400 and "retention_days" in bad.json()["errors"]
    unknown = api.put(f"{base}delivery-settings/", {"retention": 100}, format="json")
    assert unknown.status_code == 400
    good = api.put(f"{base}delivery-settings/", {"retention_days": 365, "guard_enabled": False}, format="json")
    assert good.json()["retention_days"] == 365 and good.json()["guard_enabled"] is False
    assert api.get(f"/api/v1/tenants/{other_tenant.public_id}/delivery-settings/").status_code == 404
