"""caps_reserve: rolling daily caps, time-frame caps and totals, per scope, atomic under concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from channels.models import CapReservation
from channels.services.caps import Cap, CapRequest, caps_release, caps_reserve
from engage import clock
from engage.tenancy.models import Tenant

DAILY = timedelta(hours=24)


def _ask(prefix: str, endpoint: str = "e1", count: int = 1, **ids: str) -> list[CapRequest]:
    return [CapRequest(key=f"{prefix}:{i}", endpoint_id=endpoint, **ids) for i in range(count)]


@pytest.mark.django_db
def test_a_daily_cap_rolls_over_24_hours(tenant: Tenant) -> None:
    now = clock.now()
    caps = [Cap(limit=2, window=DAILY)]
    assert caps_reserve(tenant=tenant, requests=_ask("a", count=3), caps=caps, now=now) == {"a:0", "a:1"}
    assert caps_reserve(tenant=tenant, requests=_ask("b"), caps=caps, now=now + timedelta(hours=23)) == set()
    later = now + timedelta(hours=24, seconds=1)
    assert caps_reserve(tenant=tenant, requests=_ask("c", count=3), caps=caps, now=later) == {"c:0", "c:1"}


@pytest.mark.django_db
def test_a_time_frame_cap_and_a_total_cap(tenant: Tenant) -> None:
    now = clock.now()
    caps = [Cap(limit=3, window=timedelta(days=7)), Cap(limit=4, window=None)]
    assert len(caps_reserve(tenant=tenant, requests=_ask("a", count=5), caps=caps, now=now)) == 3
    assert caps_reserve(tenant=tenant, requests=_ask("b"), caps=caps, now=now + timedelta(days=6)) == set()
    assert caps_reserve(tenant=tenant, requests=_ask("c", count=3), caps=caps, now=now + timedelta(days=8)) == {"c:0"}


@pytest.mark.django_db
def test_scopes_count_only_their_messages(tenant: Tenant) -> None:
    now = clock.now()
    caps = [Cap(limit=1, campaign_id="c1"), Cap(limit=2, scope="journeys"), Cap(limit=3)]
    granted = caps_reserve(
        tenant=tenant,
        requests=[
            *_ask("c1", count=2, campaign_id="c1"),
            *_ask("j", count=3, journey_id="j1"),
            *_ask("c2", count=2, campaign_id="c2"),
        ],
        caps=caps,
        now=now,
    )
    # c1: 1 (its own cap); journeys: 2; then the tenant-wide 3 is full, so c2 gets nothing.
    assert granted == {"c1:0", "j:0", "j:1"}


@pytest.mark.django_db
def test_reserving_the_same_key_again_counts_once_and_release_gives_it_back(tenant: Tenant) -> None:
    now = clock.now()
    caps = [Cap(limit=1)]
    assert caps_reserve(tenant=tenant, requests=_ask("k"), caps=caps, now=now) == {"k:0"}
    assert caps_reserve(tenant=tenant, requests=_ask("k"), caps=caps, now=now) == {"k:0"}
    assert CapReservation.objects.filter(tenant=tenant).count() == 1
    assert caps_release(tenant=tenant, keys=["k:0"]) == 1
    assert caps_reserve(tenant=tenant, requests=_ask("m"), caps=caps, now=now) == {"m:0"}


@pytest.mark.django_db
def test_other_tenants_reservations_do_not_count(tenant: Tenant, other_tenant: Tenant) -> None:
    now = clock.now()
    caps_reserve(tenant=other_tenant, requests=_ask("o", count=3), caps=[Cap(limit=5)], now=now)
    assert caps_reserve(tenant=tenant, requests=_ask("t"), caps=[Cap(limit=1)], now=now) == {"t:0"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_never_exceed_a_cap(tenant: Tenant) -> None:
    now = clock.now()
    caps = [Cap(limit=5)]
    results: list[set[str]] = []
    barrier = threading.Barrier(8)

    def caller(n: int) -> None:
        try:
            barrier.wait()
            requests = [CapRequest(key=f"t{n}:{i}", endpoint_id=f"e{i % 3}", journey_id=f"j{n}") for i in range(9)]
            results.append(caps_reserve(tenant=tenant, requests=requests, caps=caps, now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8
    for endpoint in ("e0", "e1", "e2"):
        assert CapReservation.objects.filter(tenant=tenant, endpoint_id=endpoint).count() == 5
    assert sum(len(r) for r in results) == 15
