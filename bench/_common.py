"""Helpers shared by benchmarks: a throwaway tenant, timing, machine description, raw COPY floors."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

# The tables benchmarks fill and empty. Autovacuum is off on the benchmark host: without a VACUUM the dead rows of
# earlier runs (millions after a 1M run) stay in the tables and their indexes, and the planner's probes of index
# ends walk them on every statement (85 ms to plan one 100-row send claim after a few runs, against 0.4 ms).
VACUUMED = (
    "channels_delivery",
    "channels_dispatch",
    "channels_capreservation",
    "events_event",
    "segments_endpoint",
    "campaigns_participant",
    "campaigns_activitycount",
    "campaigns_campaignrun",
)


def vacuum() -> None:
    """VACUUM (ANALYZE) the benchmark tables, as autovacuum would have between runs (untimed)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in VACUUMED:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


@contextmanager
def bench_tenant(name: str) -> Iterator[Any]:
    """A tenant created for one run (on vacuumed tables); its rows are removed afterwards with plain DELETEs and
    the tables vacuumed again."""
    from engage.tenancy.services import tenant_create

    vacuum()
    tenant = tenant_create(name=f"bench {name} {int(time.time())}", by="bench")
    try:
        yield tenant
    finally:
        with connection.cursor() as cursor:
            for table in ("segments_importedmember",):
                cursor.execute(
                    f"DELETE FROM {table} WHERE segment_id IN (SELECT id FROM segments_segment WHERE tenant_id = %s)",
                    [tenant.pk],
                )
            for table in (
                "channels_delivery",
                "channels_dispatch",
                "channels_capreservation",
                "events_event",
                "segments_endpoint",
                "segments_attributename",
                "segments_segment",
                "tenancy_auditlog",
            ):
                cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])
        tenant.delete()
        vacuum()


def machine() -> dict[str, Any]:
    return {
        "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": connection.vendor,
    }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]
