"""Schedules, local time, quiet time, treatments, limits and run completion, driven by the shared test clock
(the planner and the tick run in this process; the worker tests cover the same path end to end)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from campaigns.models import Campaign, CampaignRun
from campaigns.services import campaign_create, campaign_launch, campaign_pause, campaign_resume
from campaigns.services.plan import run_plan, treatment_for
from campaigns.services.runs import held_release, runs_complete
from campaigns.tasks import tick
from channels.models import Delivery
from channels.services.send import deliveries_send
from engage import clock
from engage.tenancy.models import Tenant
from tests.campaigns.support import endpoints, push_body, segment_all

pytestmark = pytest.mark.django_db


def iso(seconds: float) -> str:
    return (clock.now() + timedelta(seconds=seconds)).isoformat()


def make(tenant: Tenant, **extra: Any) -> Campaign:
    campaign = campaign_create(tenant=tenant, by="tests", body=push_body(segment_all(tenant), **extra))
    return campaign_launch(campaign=campaign, by="tests")


def plan(campaign: Campaign) -> CampaignRun:
    run = CampaignRun.objects.filter(campaign=campaign).latest("id")
    result = run_plan(tenant_id=campaign.tenant_id, run_id=run.pk)
    assert result is not None
    return result


def ledger(campaign: Campaign) -> Counter[tuple[str, str]]:
    rows = Delivery.objects.filter(dispatch__campaign_id=str(campaign.pk))
    return Counter(rows.values_list("status", "reason"))


def test_it_starts_a_scheduled_run_once_when_the_clock_reaches_it(tenant: Tenant) -> None:
    campaign = make(tenant, Schedule={"StartTime": iso(3600), "Frequency": "ONCE"})
    assert campaign.status == Campaign.Status.SCHEDULED
    tick()
    assert not CampaignRun.objects.exists()
    clock.advance(seconds=3601)
    tick()
    tick()
    campaign.refresh_from_db()
    assert CampaignRun.objects.filter(campaign=campaign).count() == 1
    assert (campaign.status, campaign.next_run_at) == (Campaign.Status.EXECUTING, None)


def test_a_missed_hourly_schedule_catches_up_once_then_keeps_its_hours(tenant: Tenant) -> None:
    start = clock.now() + timedelta(hours=1)
    schedule = {"StartTime": start.isoformat(), "EndTime": iso(10 * 3600), "Frequency": "HOURLY"}
    campaign = make(tenant, Schedule=schedule)
    clock.advance(seconds=4 * 3600 + 60)  # beat was down for four occurrences
    tick()
    campaign.refresh_from_db()
    assert CampaignRun.objects.filter(campaign=campaign).count() == 1
    assert campaign.next_run_at == start + timedelta(hours=4)
    clock.advance(seconds=3600)
    tick()
    assert CampaignRun.objects.filter(campaign=campaign).count() == 2


def test_a_finished_run_leaves_a_recurring_campaign_pending_its_next_run(tenant: Tenant) -> None:
    endpoints(tenant, 2)
    schedule = {"StartTime": iso(-60), "EndTime": iso(5 * 86400), "Frequency": "DAILY"}
    campaign = make(tenant, Schedule=schedule)
    tick()
    run = plan(campaign)
    for dispatch_id in run.dispatches.values():
        deliveries_send(tenant_id=tenant.pk, dispatch_id=int(dispatch_id), chunk=0)
    assert runs_complete(now=clock.now()) == 1
    campaign.refresh_from_db()
    run.refresh_from_db()
    assert (run.status, run.counts) == (CampaignRun.Status.COMPLETED, {"sent": 2})
    assert campaign.status == Campaign.Status.PENDING_NEXT_RUN


def test_quiet_time_holds_messages_until_it_ends(tenant: Tenant) -> None:
    endpoints(tenant, 3)
    now = clock.now()
    quiet = {"Start": (now - timedelta(hours=1)).strftime("%H:%M"), "End": (now + timedelta(hours=1)).strftime("%H:%M")}
    campaign = make(tenant, Schedule={"StartTime": "IMMEDIATE", "QuietTime": quiet})
    plan(campaign)
    assert ledger(campaign) == {("held", "quiet_time"): 3}
    assert held_release(now=clock.now()) == 0
    clock.advance(seconds=2 * 3600)
    assert held_release(now=clock.now()) == 3
    assert ledger(campaign) == {("queued", ""): 3}


def test_quiet_time_can_drop_messages_instead(tenant: Tenant) -> None:
    endpoints(tenant, 2)
    now = clock.now()
    quiet = {"Start": (now - timedelta(hours=1)).strftime("%H:%M"), "End": (now + timedelta(hours=1)).strftime("%H:%M")}
    schedule = {"StartTime": "IMMEDIATE", "QuietTime": quiet, "QuietTimeAction": "DROP"}
    campaign = make(tenant, Schedule=schedule)
    plan(campaign)
    assert ledger(campaign) == {("skipped", "quiet_time"): 2}


@pytest.mark.parametrize(
    ("action", "expected"), [("SKIP", ("skipped", "no_timezone")), ("CAMPAIGN_ZONE", ("held", ""))]
)
def test_local_time_sends_when_each_zone_reaches_the_hour(
    tenant: Tenant, action: str, expected: tuple[str, str]
) -> None:
    endpoints(tenant, 1, prefix="kiritimati", Demographic={"Timezone": "Pacific/Kiritimati"})  # UTC+14: already due
    endpoints(tenant, 1, prefix="utc", Demographic={"Timezone": "UTC"})
    endpoints(tenant, 1, prefix="nozone")
    wall = (clock.now() + timedelta(hours=2)).replace(microsecond=0)
    schedule = {"StartTime": wall.isoformat(), "IsLocalTime": True, "Timezone": "UTC", "NoTimezoneAction": action}
    campaign = make(tenant, Schedule=schedule)
    tick()  # due as soon as the first zone reaches the hour
    plan(campaign)
    rows = {d.endpoint_id: d for d in Delivery.objects.filter(dispatch__campaign_id=str(campaign.pk))}
    assert (rows["kiritimati0"].status, rows["utc0"].status) == ("queued", "held")
    assert rows["utc0"].not_before == wall
    assert (rows["nozone0"].status, rows["nozone0"].reason) == expected


def test_holdout_and_treatments_split_by_a_stable_hash(tenant: Tenant) -> None:
    ids = endpoints(tenant, 300)
    treatments = [{"SizePercent": 30, "MessageConfiguration": {"GCMMessage": {"Title": "B", "Body": "b"}}}]
    campaign = make(tenant, HoldoutPercent=20, AdditionalTreatments=treatments)
    run = plan(campaign)
    expected = Counter(treatment_for(campaign, e) for e in ids)
    assert 30 < expected[None] < 90 and 50 < expected["1"] < 130
    assert run.held_out == expected[None] and run.planned == 300 - expected[None]
    rows = Counter(
        Delivery.objects.filter(dispatch__campaign_id=str(campaign.pk)).values_list("dispatch__treatment_id", flat=True)
    )
    assert rows == {k: v for k, v in expected.items() if k is not None}
    CampaignRun.objects.filter(pk=run.pk).update(status=CampaignRun.Status.PLANNING, cursor=0)
    plan(campaign)  # a re-plan inserts nothing new
    assert Delivery.objects.filter(dispatch__campaign_id=str(campaign.pk)).count() == run.planned


def test_the_total_cap_counts_every_run_of_the_campaign(tenant: Tenant) -> None:
    endpoints(tenant, 2)
    schedule = {"StartTime": iso(-60), "EndTime": iso(5 * 86400), "Frequency": "DAILY"}
    campaign = make(tenant, Schedule=schedule, Limits={"Total": 1})
    tick()
    plan(campaign)
    clock.advance(seconds=86400)
    tick()
    plan(campaign)
    assert ledger(campaign) == {("queued", ""): 2, ("skipped", "cap"): 2}


def test_maximum_duration_expires_what_is_not_sent_in_time(tenant: Tenant) -> None:
    endpoints(tenant, 2)
    campaign = make(tenant, Limits={"MaximumDuration": 60})
    run = plan(campaign)
    clock.advance(seconds=120)
    for dispatch_id in run.dispatches.values():
        deliveries_send(tenant_id=tenant.pk, dispatch_id=int(dispatch_id), chunk=0)
    assert ledger(campaign) == {("expired", "expired"): 2}


def test_pausing_holds_unsent_messages_and_resuming_releases_them(tenant: Tenant) -> None:
    endpoints(tenant, 2)
    campaign = make(tenant)
    plan(campaign)
    campaign_pause(campaign=campaign, by="tests")
    assert ledger(campaign) == {("held", ""): 2}
    assert held_release(now=clock.now()) == 0
    campaign_resume(campaign=campaign, by="tests")
    assert held_release(now=clock.now()) == 2
    assert ledger(campaign) == {("queued", ""): 2}


def test_messages_per_second_reaches_the_dispatch(tenant: Tenant) -> None:
    endpoints(tenant, 1)
    run = plan(make(tenant, Limits={"MessagesPerSecond": 75}))
    from channels.models import Dispatch
    from channels.ratelimit import source_limiter_for

    dispatch = Dispatch.objects.get(pk=run.dispatches["0"])
    limiter = source_limiter_for(dispatch)
    assert limiter is not None and limiter.capacity == 75
