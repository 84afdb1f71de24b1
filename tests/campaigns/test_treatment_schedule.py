"""Per-treatment schedules (WriteTreatmentResource.Schedule), driven by the shared test clock: a treatment with its
own StartTime sends its share then (and, recurring, at its own occurrences of the campaign's frequency), the others
follow the campaign's schedule, every endpoint keeps its treatment and is planned once per occurrence."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignRun
from campaigns.services import campaign_create, campaign_launch, campaign_pause, campaign_resume, campaign_update
from campaigns.services.plan import run_plan, treatment_for
from campaigns.tasks import tick
from channels.models import Delivery
from engage import clock
from engage.tenancy.models import Membership, Tenant
from tests.campaigns.support import endpoints, push_body, segment_all, url

pytestmark = pytest.mark.django_db


VARIANT = {"DefaultMessage": {"Title": "B", "Body": "Variant"}}


def at(hours: float) -> datetime:
    return (clock.now() + timedelta(hours=hours)).replace(microsecond=0)


def make(tenant: Tenant, schedule: dict[str, Any], treatment_schedule: dict[str, Any] | None, **extra: Any) -> Campaign:
    treatment: dict[str, Any] = {
        "SizePercent": 50,
        "MessageConfiguration": VARIANT,
    }
    if treatment_schedule:
        treatment["Schedule"] = treatment_schedule
    body = push_body(segment_all(tenant), Schedule=schedule, AdditionalTreatments=[treatment], **extra)
    return campaign_launch(campaign=campaign_create(tenant=tenant, by="tests", body=body), by="tests")


def plan_open_runs(campaign: Campaign) -> list[CampaignRun]:
    runs = list(CampaignRun.objects.filter(campaign=campaign).order_by("scheduled_for"))
    for run in runs:
        run_plan(tenant_id=campaign.tenant_id, run_id=run.pk)
    return runs


def planned(run: CampaignRun) -> dict[str, str]:
    """endpoint → treatment of the run's ledger rows."""
    rows = Delivery.objects.filter(dispatch__run_id=str(run.pk))
    return dict(rows.values_list("endpoint_id", "dispatch__treatment_id"))


def test_a_treatment_with_its_own_start_sends_its_share_then(tenant: Tenant) -> None:
    ids = endpoints(tenant, 40)
    start, own = at(1), at(3)
    campaign = make(tenant, {"StartTime": start.isoformat()}, {"StartTime": own.isoformat()})
    assert campaign.next_run_at == start and set(campaign.schedule_next) == {"", "1"}
    clock.advance(seconds=3600 + 1)
    tick()
    (first,) = plan_open_runs(campaign)
    assert (first.scheduled_for, first.treatments) == (start, ["0"])
    early = planned(first)
    assert early and set(early.values()) == {"0"}
    campaign.refresh_from_db()
    assert (campaign.status, campaign.next_run_at) == (Campaign.Status.EXECUTING, own)
    clock.advance(seconds=2 * 3600)
    tick()
    tick()
    first_again, second = plan_open_runs(campaign)
    assert first_again.pk == first.pk and (second.scheduled_for, second.treatments) == (own, ["1"])
    late = planned(second)
    assert late and set(late.values()) == {"1"}
    # Every endpoint exactly once, in the treatment its stable hash gives it.
    assert sorted([*early, *late]) == sorted(ids)
    assert {**early, **late} == {e: treatment_for(campaign, e) for e in ids}
    campaign.refresh_from_db()
    assert campaign.next_run_at is None and campaign.schedule_next == {"": None, "1": None}


def test_recurring_treatments_keep_their_own_hours_and_catch_up_once(tenant: Tenant) -> None:
    start, own = at(1), at(5)
    schedule = {"StartTime": start.isoformat(), "EndTime": at(3 * 24).isoformat(), "Frequency": "DAILY"}
    campaign = make(tenant, schedule, {"StartTime": own.isoformat(), "Frequency": "DAILY"})
    clock.advance(seconds=3600 + 1)
    tick()
    clock.advance(seconds=4 * 3600)
    tick()
    runs = CampaignRun.objects.filter(campaign=campaign).order_by("scheduled_for")
    assert [(r.scheduled_for, r.treatments) for r in runs] == [(start, ["0"]), (own, ["1"])]
    campaign.refresh_from_db()
    assert campaign.next_run_at == start + timedelta(days=1)
    clock.advance(seconds=36 * 3600)  # beat down over both groups' next occurrences: each catches up once
    tick()
    later = [(r.scheduled_for, r.treatments) for r in runs.all()][2:]
    assert later == [(start + timedelta(days=1), ["0"]), (own + timedelta(days=1), ["1"])]
    campaign.refresh_from_db()
    assert campaign.next_run_at == start + timedelta(days=2)


def test_groups_due_at_the_same_time_share_one_run(tenant: Tenant) -> None:
    endpoints(tenant, 20)
    start = at(1)
    schedule = {"StartTime": start.isoformat(), "EndTime": at(50).isoformat(), "Frequency": "DAILY"}
    campaign = make(tenant, schedule, {"StartTime": (start + timedelta(days=1)).isoformat()})
    clock.advance(seconds=3600 + 1)
    tick()
    clock.advance(seconds=24 * 3600)
    tick()
    runs = plan_open_runs(campaign)
    assert [r.treatments for r in runs] == [["0"], ["0", "1"]]
    assert set(planned(runs[1]).values()) == {"0", "1"} and len(planned(runs[1])) == 20
    assert CampaignRun.objects.get(pk=runs[1].pk).held_out == 0


def test_without_treatment_schedules_runs_plan_every_treatment(tenant: Tenant) -> None:
    endpoints(tenant, 20)
    campaign = make(tenant, {"StartTime": "IMMEDIATE"}, None)
    assert campaign.schedule_next == {}
    (run,) = plan_open_runs(campaign)
    assert run.treatments == [] and Counter(planned(run).values()).keys() == {"0", "1"}


def test_an_immediate_campaign_with_a_later_treatment(tenant: Tenant) -> None:
    endpoints(tenant, 20)
    own = at(2)
    campaign = make(tenant, {"StartTime": "IMMEDIATE"}, {"StartTime": own.isoformat()})
    (run,) = plan_open_runs(campaign)
    assert run.treatments == ["0"] and set(planned(run).values()) == {"0"}
    clock.advance(seconds=2 * 3600 + 1)
    tick()
    runs = plan_open_runs(campaign)
    assert [r.treatments for r in runs] == [["0"], ["1"]] and runs[1].scheduled_for == own
    assert len(planned(runs[0])) + len(planned(runs[1])) == 20


def test_editing_a_paused_campaign_regroups_its_treatments(tenant: Tenant) -> None:
    endpoints(tenant, 20)
    start, own = at(1), at(3)
    campaign = make(tenant, {"StartTime": start.isoformat()}, None)
    assert campaign.schedule_next == {} and campaign.next_run_at == start
    campaign = campaign_pause(campaign=campaign, by="tests")
    treatment = {"SizePercent": 50, "MessageConfiguration": VARIANT, "Schedule": {"StartTime": own.isoformat()}}
    campaign = campaign_update(campaign=campaign, by="tests", body={"AdditionalTreatments": [treatment]})
    assert campaign.schedule_next == {"": start.isoformat(), "1": own.isoformat()}
    campaign = campaign_update(
        campaign=campaign, by="tests", body={"AdditionalTreatments": [{**treatment, "Schedule": None}]}
    )
    assert (campaign.schedule_next, campaign.next_run_at) == ({}, start)
    campaign_resume(campaign=campaign, by="tests")
    clock.advance(seconds=3600 + 1)
    tick()
    (run,) = plan_open_runs(campaign)
    assert run.treatments == [] and set(planned(run).values()) == {"0", "1"} and len(planned(run)) == 20


@pytest.mark.parametrize(
    ("treatment_schedule", "schedule", "field"),
    [
        ({"StartTime": "IMMEDIATE"}, None, "AdditionalTreatments[0].Schedule.StartTime"),
        ({"StartTime": "soon"}, None, "AdditionalTreatments[0].Schedule.StartTime"),
        ({"StartTime": "2030-01-02T00:00:00Z", "EndTime": "2030-01-01T00:00:00Z"}, None, "Schedule.EndTime"),
        ({"StartTime": "2030-01-01T00:00:00Z", "Frequency": "HOURLY"}, None, "Schedule.Frequency"),
        ({"StartTime": "2030-01-01T00:00:00Z", "Timezone": "Europe/Paris"}, None, "Schedule.Timezone"),
        (
            {"StartTime": "2030-01-01T00:00:00Z"},
            {
                "StartTime": "IMMEDIATE",
                "Frequency": "EVENT",
                "EventFilter": {"FilterType": "ENDPOINT", "Dimensions": {"EventType": {"Values": ["buy"]}}},
            },
            "AdditionalTreatments[0].Schedule",
        ),
    ],
)
def test_it_refuses_treatment_schedules_it_cannot_follow(
    api: APIClient, tenant: Tenant, treatment_schedule: dict[str, Any], schedule: dict[str, Any] | None, field: str
) -> None:
    treatment = {"SizePercent": 50, "Schedule": treatment_schedule, "MessageConfiguration": VARIANT}
    body = push_body(segment_all(tenant), AdditionalTreatments=[treatment])
    if schedule:
        body["Schedule"] = schedule
    r = api.post(url(tenant), body, format="json")
    assert r.status_code == 400 and field in r.json()["detail"], r.content


def test_the_api_keeps_the_treatment_schedule(api: APIClient, tenant: Tenant) -> None:
    schedule = {"StartTime": "2030-01-01T09:00:00Z", "Frequency": "ONCE"}
    treatment = {"SizePercent": 30, "Schedule": schedule, "MessageConfiguration": VARIANT}
    r = api.post(url(tenant), push_body(segment_all(tenant), AdditionalTreatments=[treatment]), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["AdditionalTreatments"][0]["Schedule"] == {"StartTime": "2030-01-01T09:00:00+00:00"}


def test_the_ab_step_takes_a_start_time_per_treatment(owner: Membership, tenant: Tenant) -> None:
    tenant.timezone = "Europe/Paris"
    tenant.save()
    campaign = campaign_create(tenant=tenant, by="tests", body=push_body(segment_all(tenant)))
    console = Client()
    console.force_login(owner.user)
    page = f"/t/{tenant.public_id}/campaigns/{campaign.pk}/setup/treatments/"
    assert "Own start time" in console.get(page).content.decode()
    form = {
        "holdout_percent": "0",
        "t1_name": "Later",
        "t1_size": "40",
        "t1_source": "inline",
        "t1_push_title": "B",
        "t1_push_body": "Variant",
        "t1_start_at": "2030-01-01T10:00",
    }
    r = console.post(page, form)
    assert r.status_code == 302, r.content.decode()[:3000]
    campaign.refresh_from_db()
    assert campaign.additional_treatments[0]["Schedule"] == {"StartTime": "2030-01-01T10:00:00+01:00"}
    assert 'value="2030-01-01T10:00"' in console.get(page).content.decode()
