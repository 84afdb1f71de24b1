"""Journey counters: (journey, activity, metric) → count, added to in bulk with one upsert per call."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.db import connection

# (tenant id, journey id, activity id or "" for the journey level, metric)
CountKey = tuple[int, int, str, str]


def counts_add(counts: Mapping[CountKey, int]) -> None:
    """Add to the counters in one statement. Keys go in sorted order, so two transactions adding to the same rows
    lock them in the same order and never deadlock."""
    rows = sorted((k, n) for k, n in counts.items() if n)
    if not rows:
        return
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    for (tenant_id, journey_id, activity, metric), n in rows:
        params += [tenant_id, journey_id, activity, metric[:140], n]
    sql = f"""INSERT INTO campaigns_activitycount (tenant_id, journey_id, activity, metric, count) VALUES {values}
        ON CONFLICT (journey_id, activity, metric) DO UPDATE SET count = campaigns_activitycount.count + excluded.count
    """  # noqa: S608 (placeholders only)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def counter() -> Counter[CountKey]:
    """An empty tally to fill and hand to counts_add."""
    return Counter()
