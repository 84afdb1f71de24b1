"""Frequency caps: atomic per-endpoint reservations in the database, shared by campaigns and journeys.

Each granted message leaves a CapReservation row. Reserving takes a transaction-scoped lock per endpoint
(PostgreSQL advisory locks, taken in a fixed order so two callers never deadlock; SQLite serialises writers
anyway), counts the endpoint's reservations in every cap's window and grants only what fits — so two
campaigns and a journey racing for the same endpoint never together exceed a cap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction

from channels.models import CapReservation
from engage.tenancy.models import Tenant


@dataclass(frozen=True)
class Cap:
    """At most `limit` messages per endpoint within `window` (None = ever: a total cap).
    Which messages count: one campaign's (`campaign_id`), one journey's (`journey_id`), or by `scope`:
    "all", "campaigns" (any campaign) or "journeys" (any journey)."""

    limit: int
    window: timedelta | None = timedelta(hours=24)
    campaign_id: str = ""
    journey_id: str = ""
    scope: str = "all"

    def counts(self, campaign_id: str, journey_id: str) -> bool:
        if self.campaign_id:
            return campaign_id == self.campaign_id
        if self.journey_id:
            return journey_id == self.journey_id
        if self.scope == "campaigns":
            return bool(campaign_id)
        if self.scope == "journeys":
            return bool(journey_id)
        return True


def caps_dump(caps: Sequence[Cap]) -> list[dict[str, Any]]:
    """Caps as JSON, for a dispatch whose later messages (fallback hops) reserve against them."""
    return [
        {
            "limit": c.limit,
            "window": c.window.total_seconds() if c.window is not None else None,
            "campaign_id": c.campaign_id,
            "journey_id": c.journey_id,
            "scope": c.scope,
        }
        for c in caps
    ]


def caps_load(data: Any) -> list[Cap]:
    """The caps `caps_dump` wrote (an empty list for anything else)."""
    if not isinstance(data, list):
        return []
    return [
        Cap(
            limit=int(c["limit"]),
            window=timedelta(seconds=c["window"]) if c.get("window") is not None else None,
            campaign_id=str(c.get("campaign_id") or ""),
            journey_id=str(c.get("journey_id") or ""),
            scope=str(c.get("scope") or "all"),
        )
        for c in data
        if isinstance(c, dict) and isinstance(c.get("limit"), int)
    ]


@dataclass(frozen=True)
class CapRequest:
    key: str
    endpoint_id: str
    campaign_id: str = ""
    journey_id: str = ""


def _lock(tenant: Tenant, endpoint_ids: Sequence[str]) -> None:
    if connection.vendor != "postgresql" or not endpoint_ids:
        return
    names = sorted({f"cap:{tenant.pk}:{e}" for e in endpoint_ids})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(k) FROM "
            "(SELECT DISTINCT hashtextextended(n, 0) AS k FROM unnest(%s::text[]) AS n ORDER BY k) AS locks",
            [names],
        )


def _history(tenant: Tenant, endpoint_ids: set[str], caps: Sequence[Cap], now: datetime) -> list[CapReservation]:
    rows = CapReservation.objects.filter(tenant=tenant, endpoint_id__in=endpoint_ids)
    if all(c.window is not None for c in caps):
        rows = rows.filter(at__gt=now - max(c.window for c in caps if c.window is not None))
    return list(rows.only("endpoint_id", "campaign_id", "journey_id", "at", "key"))


@transaction.atomic
def caps_reserve(*, tenant: Tenant, requests: Sequence[CapRequest], caps: Sequence[Cap], now: datetime) -> set[str]:
    """Reserve a message for each request whose endpoint stays within every cap; returns the granted keys
    (a key reserved before is granted again without counting twice)."""
    caps = [c for c in caps if c.limit is not None and c.limit >= 0]
    endpoint_ids = {r.endpoint_id for r in requests}
    _lock(tenant, list(endpoint_ids))
    history = _history(tenant, endpoint_ids, caps, now) if caps else []
    known = set(
        CapReservation.objects.filter(tenant=tenant, key__in=[r.key for r in requests]).values_list("key", flat=True)
    )
    used: dict[tuple[str, int], int] = defaultdict(int)
    for row in history:
        for index, cap in enumerate(caps):
            if cap.counts(row.campaign_id, row.journey_id) and (cap.window is None or row.at > now - cap.window):
                used[(row.endpoint_id, index)] += 1
    granted: set[str] = set()
    new: list[CapReservation] = []
    for r in requests:
        if r.key in known or r.key in granted:
            granted.add(r.key)
            continue
        applying = [i for i, c in enumerate(caps) if c.counts(r.campaign_id, r.journey_id)]
        if any(used[(r.endpoint_id, i)] >= caps[i].limit for i in applying):
            continue
        for i, cap in enumerate(caps):
            if cap.counts(r.campaign_id, r.journey_id):
                used[(r.endpoint_id, i)] += 1
        granted.add(r.key)
        new.append(
            CapReservation(
                tenant=tenant,
                endpoint_id=r.endpoint_id,
                key=r.key,
                campaign_id=r.campaign_id,
                journey_id=r.journey_id,
                at=now,
            )
        )
    CapReservation.objects.bulk_create(new, ignore_conflicts=True)
    return granted


def caps_release(*, tenant: Tenant, keys: Sequence[str]) -> int:
    """Give back reservations of messages that were not sent after all (skipped or failed before the
    provider took them). Returns how many were released."""
    deleted, _ = CapReservation.objects.filter(tenant=tenant, key__in=list(keys)).delete()
    return deleted
