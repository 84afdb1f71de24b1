"""The deliverability guard (rates → warning → pause → audited resume) and retention pruning."""

from __future__ import annotations

from datetime import timedelta

import pytest

from channels.models import ChannelConfig, Delivery, DeliverySettings, Dispatch, Status
from channels.services.delivery_settings import delivery_settings_for
from channels.services.guard import config_resume, guard_tick
from channels.services.retention import tenant_prune
from channels.services.send import deliveries_send
from engage import clock
from engage.errors import Conflict
from engage.events.models import Event
from engage.tenancy.models import AuditLog, Tenant
from templates.models import Channel
from tests.channels.support import make_endpoints, plan

pytestmark = pytest.mark.django_db


def _config(tenant: Tenant) -> ChannelConfig:
    # The sandbox provider stands in for SES: the guard reads the ledger and the feedback events only.
    now = clock.now()
    return ChannelConfig.objects.create(
        tenant=tenant, name="Mail", channel=Channel.EMAIL, provider="sandbox", created_at=now, updated_at=now
    )


def _feedback(tenant: Tenant, dispatch: Dispatch, event_type: str, count: int) -> None:
    rows = Delivery.objects.filter(dispatch=dispatch, status=Status.SENT).order_by("id")[:count]
    Event.objects.bulk_create(
        Event(
            tenant=tenant,
            event_type=event_type,
            endpoint_id=d.endpoint_id,
            timestamp=clock.now(),
            arrival=clock.now(),
            delivery_id=d.pk,
        )
        for d in rows
    )


def _sent(tenant: Tenant, config: ChannelConfig, n: int) -> Dispatch:
    dispatch, _ = plan(tenant, make_endpoints(tenant, n), config=config)
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    return dispatch


def test_a_complaint_storm_pauses_the_config_until_an_admin_resumes_it(tenant: Tenant, owner) -> None:
    config = _config(tenant)
    dispatch = _sent(tenant, config, 200)
    _feedback(tenant, dispatch, "_email.complaint", 1)  # 0.5 % → the pause level
    assert guard_tick(now=clock.now()) == 1
    config.refresh_from_db()
    assert config.paused_at is not None and "0.50% complaints" in config.paused_reason
    assert config.guard["level"] == "pause" and config.guard["sent"] == 200
    assert AuditLog.objects.filter(tenant=tenant, action="channel_config.pause").count() == 1

    held, _ = plan(tenant, ["ep0"], config=config, campaign_id="c2")
    assert deliveries_send(tenant_id=tenant.pk, dispatch_id=held.pk, chunk=0).claimed == 0
    assert Delivery.objects.get(dispatch=held).status == Status.QUEUED

    config_resume(config=config, by=owner.user)
    config.refresh_from_db()
    assert config.paused_at is None
    assert AuditLog.objects.filter(tenant=tenant, action="channel_config.resume").count() == 1
    with pytest.raises(Conflict):
        config_resume(config=config, by=owner.user)
    assert deliveries_send(tenant_id=tenant.pk, dispatch_id=held.pk, chunk=0).claimed == 1


def test_rates_below_the_pause_level_only_warn_and_small_volumes_never_pause(tenant: Tenant) -> None:
    config = _config(tenant)
    dispatch = _sent(tenant, config, 100)
    _feedback(tenant, dispatch, "_email.hardbounce", 6)  # 6 % bounces: a warning
    guard_tick(now=clock.now())
    config.refresh_from_db()
    assert (config.guard["level"], config.paused_at) == ("warn", None)
    assert config.guard["bounce_pct"] == "6.00"

    settings = delivery_settings_for(tenant=tenant)
    DeliverySettings.objects.filter(pk=settings.pk).update(min_volume=1000)
    _feedback(tenant, dispatch, "_email.hardbounce", 20)  # 26 %, but only 100 messages
    guard_tick(now=clock.now())
    config.refresh_from_db()
    assert config.paused_at is None


def test_the_guard_forgets_feedback_older_than_a_day(tenant: Tenant) -> None:
    config = _config(tenant)
    dispatch = _sent(tenant, config, 100)
    _feedback(tenant, dispatch, "_email.complaint", 5)
    guard_tick(now=clock.now() + timedelta(hours=25))
    config.refresh_from_db()
    assert config.guard["sent"] == 0 and config.paused_at is None


def test_prune_deletes_only_what_is_past_the_tenants_retention(tenant: Tenant, other_tenant: Tenant) -> None:
    for t in (tenant, other_tenant):
        dispatch, _ = plan(t, make_endpoints(t, 3))
        deliveries_send(tenant_id=t.pk, dispatch_id=dispatch.pk, chunk=0)
    pending, _ = plan(tenant, ["ep0"], campaign_id="later")  # still queued: never pruned
    assert Event.objects.filter(tenant=tenant).count() == 6

    early = tenant_prune(tenant=tenant, now=clock.now() + timedelta(days=89))
    assert (early.deliveries, early.events) == (0, 0)
    result = tenant_prune(tenant=tenant, now=clock.now() + timedelta(days=91))
    assert (result.deliveries, result.events, result.dispatches) == (3, 6, 1)
    assert list(Delivery.objects.filter(tenant=tenant).values_list("dispatch_id", flat=True)) == [pending.pk]
    assert Delivery.objects.filter(tenant=other_tenant).count() == 3
    assert Event.objects.filter(tenant=other_tenant).count() == 6
