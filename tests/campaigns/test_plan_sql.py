"""Set-based planning (campaigns/services/plan_sql.py): its SQL holdout/treatment hash gives plan.treatment_for()'s
answer for every id, and a run planned in one statement per chunk has the rows, reasons, hold times, chunk numbers
and counters the per-member rules give."""

from __future__ import annotations

import random
import string
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from campaigns.models import Campaign, CampaignRun
from campaigns.services import campaign_create, campaign_launch
from campaigns.services.plan import Planner, run_plan, treatment_for
from campaigns.services.plan_sql import digest_sql, treatment_sql
from channels.models import Delivery, Dispatch
from engage import clock
from engage.tenancy.models import Tenant
from tests.campaigns.support import endpoints, push_body, segment_all

pytestmark = pytest.mark.django_db

SHARES = [
    {"SizePercent": 10, "MessageConfiguration": {"GCMMessage": {"Title": "B", "Body": "b"}}},
    {"SizePercent": 25, "MessageConfiguration": {"GCMMessage": {"Title": "C", "Body": "c"}}},
    {"SizePercent": 5, "MessageConfiguration": {"GCMMessage": {"Title": "D", "Body": "d"}}},
    {"SizePercent": 40, "MessageConfiguration": {"GCMMessage": {"Title": "E", "Body": "e"}}},
]


def make(tenant: Tenant, *, launch: bool = True, **extra: Any) -> Campaign:
    campaign = campaign_create(tenant=tenant, by="tests", body=push_body(segment_all(tenant), **extra))
    return campaign_launch(campaign=campaign, by="tests") if launch else campaign


def sql_treatments(campaign: Campaign, ids: list[str]) -> dict[str, str | None]:
    case, params = treatment_sql(campaign)
    sql = f"SELECT e, {case} FROM (SELECT e, {digest_sql('e')} AS d FROM unnest(%s::text[]) AS e) x"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, str(campaign.pk), ids])
        return dict(cursor.fetchall())


def odd_ids(count: int) -> list[str]:
    rng = random.Random(11)
    alphabet = string.ascii_letters + string.digits + ":-_@.+/ éüß漢字🙂"
    return [f"{i}-" + "".join(rng.choices(alphabet, k=rng.randint(0, 40))) for i in range(count)]


@pytest.mark.parametrize(
    ("holdout", "treatments"), [(0, []), (17, SHARES), (99, SHARES[:1]), (0, SHARES[1:3])], ids=str
)
def test_the_sql_hash_assigns_every_id_as_treatment_for_does(
    tenant: Tenant, holdout: int, treatments: list[dict[str, Any]]
) -> None:
    campaign = make(tenant, launch=False, HoldoutPercent=holdout, AdditionalTreatments=treatments)
    ids = [f"ep{i}" for i in range(20_000)] + odd_ids(5_000) + [""]
    got = sql_treatments(campaign, ids)
    expected = {e: treatment_for(campaign, e) for e in ids}
    assert got == expected
    assert len(set(expected.values())) == len(treatments) + 1 + (holdout > 0)  # every group is exercised


def test_a_set_based_run_plans_each_member_by_the_per_member_rules(tenant: Tenant) -> None:
    ids = endpoints(tenant, 250, prefix="utc", Demographic={"Timezone": "UTC"})
    ids += endpoints(tenant, 250, prefix="tokyo", Demographic={"Timezone": "Asia/Tokyo"})
    ids += endpoints(tenant, 250, prefix="nozone")
    now = clock.now()
    quiet = {"Start": (now - timedelta(hours=1)).strftime("%H:%M"), "End": (now + timedelta(hours=1)).strftime("%H:%M")}
    schedule = {"StartTime": "IMMEDIATE", "QuietTime": quiet, "Timezone": "UTC"}
    campaign = make(tenant, HoldoutPercent=15, AdditionalTreatments=SHARES[:2], Schedule=schedule)
    run = CampaignRun.objects.get(campaign=campaign)
    planner = Planner(run)
    assert planner.set_based
    while planner.chunk(100):
        pass
    run.refresh_from_db()
    dispatches = {int(pk): t for t, pk in run.dispatches.items()}
    rows = {d.endpoint_id: d for d in Delivery.objects.filter(dispatch_id__in=dispatches)}
    expected_out = [e for e in ids if treatment_for(campaign, e) is None]
    assert (run.planned, run.held_out, run.cursor > 0) == (len(ids) - len(expected_out), len(expected_out), True)
    assert set(rows) == set(ids) - set(expected_out)
    for endpoint_id, row in rows.items():
        timezone = {"utc": "UTC", "tok": "Asia/Tokyo"}.get(endpoint_id[:3], "")
        status, reason, until = planner.timing_of(timezone, row.queued_at)
        assert (row.key, dispatches[row.dispatch_id]) == (
            f"c{campaign.pk}:r{run.pk}:{endpoint_id}",
            treatment_for(campaign, endpoint_id),
        )
        assert (row.status, row.reason, row.not_before) == (status, reason, until)
    assert {r.status for r in rows.values()} == {"queued", "held"}  # Tokyo is outside the UTC quiet hours
    chunks: dict[int, set[int]] = defaultdict(set)
    for row in rows.values():
        chunks[row.dispatch_id].add(row.chunk)
    for dispatch in Dispatch.objects.filter(pk__in=chunks):
        assert chunks[dispatch.pk] == set(range(dispatch.chunks))  # one chunk per page, numbered without gaps


def test_a_set_based_replan_inserts_nothing_new_and_a_drop_skips_with_its_reason(tenant: Tenant) -> None:
    endpoints(tenant, 120, prefix="nozone")
    now = clock.now()
    quiet = {"Start": (now - timedelta(hours=1)).strftime("%H:%M"), "End": (now + timedelta(hours=1)).strftime("%H:%M")}
    schedule = {"StartTime": "IMMEDIATE", "QuietTime": quiet, "QuietTimeAction": "DROP", "Timezone": "UTC"}
    campaign = make(tenant, Schedule=schedule)
    run = CampaignRun.objects.get(campaign=campaign)
    run_plan(tenant_id=tenant.pk, run_id=run.pk, chunk_size=50)
    rows = Delivery.objects.filter(dispatch__campaign_id=str(campaign.pk))
    assert Counter(rows.values_list("status", "reason")) == {("skipped", "quiet_time"): 120}
    CampaignRun.objects.filter(pk=run.pk).update(status=CampaignRun.Status.PLANNING, cursor=0)
    run_plan(tenant_id=tenant.pk, run_id=run.pk, chunk_size=50)
    assert rows.count() == 120
