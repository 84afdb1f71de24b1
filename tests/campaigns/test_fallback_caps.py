"""Fallback hops reserve the campaign's frequency caps for the endpoint they send to: a hop past the cap is a row
skipped with `cap`, one within it reserves its slot (once, however often the fall-back is replayed)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from campaigns.models import CampaignRun
from campaigns.services.plan import run_plan
from channels.models import CapReservation, Delivery, Dispatch
from channels.services.caps import Cap, CapRequest, caps_reserve
from channels.services.fallback import Hop, deliveries_fall_back
from engage import clock
from engage.tenancy.models import Tenant
from tests.campaigns.support import endpoints, push_body, segment_all, url
from tests.campaigns.test_fallbacks_worker import FALLBACKS

pytestmark = pytest.mark.django_db


def launch(api: APIClient, tenant: Tenant, daily: int) -> tuple[int, CampaignRun]:
    body = push_body(segment_all(tenant), Fallbacks=FALLBACKS[:1], Limits={"Daily": daily})
    created = api.post(url(tenant), body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert api.post(url(tenant, f"{pk}/launch/")).status_code == 200
    run = CampaignRun.objects.get(campaign_id=pk)
    planned = run_plan(tenant_id=tenant.pk, run_id=run.pk)
    assert planned is not None
    return pk, planned


def test_a_fallback_hop_past_the_daily_cap_is_skipped_with_cap(api: APIClient, tenant: Tenant) -> None:
    endpoints(tenant, 1, prefix="push")  # u0 has a push endpoint
    endpoints(tenant, 3, channel="EMAIL", prefix="mail")  # u0, u1, u2 have email: u1 and u2 fall back to it
    earlier = [CapRequest("journey:mail1", "mail1", journey_id="7")]
    assert caps_reserve(tenant=tenant, requests=earlier, caps=[Cap(limit=5)], now=clock.now()) == {"journey:mail1"}
    pk, _ = launch(api, tenant, daily=1)
    rows = sorted(
        (r.channel, r.endpoint_id, r.status, r.reason) for r in Delivery.objects.filter(dispatch__campaign_id=str(pk))
    )
    assert rows == [
        ("EMAIL", "mail1", "skipped", "cap"),
        ("EMAIL", "mail2", "queued", "fallback"),
        ("PUSH", "push0", "queued", ""),
    ]
    hop_key = Delivery.objects.get(endpoint_id="mail2").key
    reserved = CapReservation.objects.filter(tenant=tenant, key=hop_key).get()
    assert (reserved.endpoint_id, reserved.campaign_id) == ("mail2", str(pk))
    assert not CapReservation.objects.filter(tenant=tenant, endpoint_id="mail1", campaign_id=str(pk)).exists()


def test_a_replayed_fall_back_reserves_nothing_twice(api: APIClient, tenant: Tenant) -> None:
    endpoints(tenant, 1, prefix="push")
    endpoints(tenant, 2, channel="EMAIL", prefix="mail")  # u1 falls back to mail1
    pk, run = launch(api, tenant, daily=1)
    first = Dispatch.objects.get(pk=run.dispatches["0"])
    reservations = CapReservation.objects.filter(tenant=tenant).count()
    assert deliveries_fall_back(dispatch=first, hops=[Hop(f"c{pk}:r{run.pk}:u:u1", None, "u1")]) == 1
    assert CapReservation.objects.filter(tenant=tenant).count() == reservations
    assert Delivery.objects.filter(endpoint_id="mail1").count() == 1
    # The push endpoint's own message used u0's slot on push0, not on mail0: u0 may still fall back to email.
    assert deliveries_fall_back(dispatch=first, hops=[Hop(f"c{pk}:r{run.pk}:push0", None, "u0")]) == 1
    assert Delivery.objects.get(endpoint_id="mail0").status == "queued"
    assert CapReservation.objects.filter(tenant=tenant, endpoint_id="mail0").count() == 1
