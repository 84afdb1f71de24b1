"""Refused entries kept per key, so the participants lookup can say why an endpoint or a user is not in a journey:
one EntryRefusal row per (journey, key, reason) with its first and latest time and a count (a key's history stays a
few rows however often it is refused). Rows past the tenant's delivery retention period are pruned here too."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import connection

from campaigns.models import EntryRefusal, Journey

UPSERT_ROWS = 1000  # 7 parameters a row


def refusals_record(*, journey: Journey, refused: Sequence[tuple[str, str, str]], now: datetime) -> None:
    """Record (kind, key, reason) refusals of one entry pass (the caller's transaction), then prune old ones."""
    if not refused:
        return
    rows = list({(key, reason): (kind, key, reason) for kind, key, reason in refused}.values())
    for start in range(0, len(rows), UPSERT_ROWS):
        _upsert(journey, rows[start : start + UPSERT_ROWS], now)
    refusals_prune(journey=journey, now=now)


def _upsert(journey: Journey, rows: list[tuple[str, str, str]], now: datetime) -> None:
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, 1)"] * len(rows))
    params: list[str | int | datetime] = []
    for kind, key, reason in rows:
        params += [journey.tenant_id, journey.pk, kind, key, reason, now, now]
    table = EntryRefusal._meta.db_table
    sql = f"""INSERT INTO {table} (tenant_id, journey_id, kind, key, reason, first_at, at, times) VALUES {values}
        ON CONFLICT (journey_id, key, reason) DO UPDATE SET at = EXCLUDED.at, kind = EXCLUDED.kind,
        times = {table}.times + 1"""  # noqa: S608 (placeholders only)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def refusals_prune(*, journey: Journey, now: datetime) -> int:
    """Delete the journey's refusals last seen before the tenant's delivery retention period."""
    from channels.services.delivery_settings import delivery_settings_for

    days = delivery_settings_for(tenant=journey.tenant).retention_days
    return EntryRefusal.objects.filter(journey=journey, at__lt=now - timedelta(days=days)).delete()[0]
