"""Sending N planned campaign emails through the sandbox transport with 2 Celery worker processes.

Setup (not timed): N email endpoints, a dispatch with a 1 KB HTML template (the render benchmark's), its
Delivery rows planned in 1,000-row chunks. Timed: from enqueueing the chunk tasks to the last row marked sent —
each worker claims its chunk (conditional UPDATE), reads the endpoints, renders, writes the rows back with
their payload (the Outbox) and records `_campaign.send` + `_email.send` events. The floor: a raw PostgreSQL
COPY of the same number of ledger rows, payload included, into an unlogged copy of the table.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.db import connection

from bench._common import bench_tenant, machine
from bench.render import ENDPOINT, TEMPLATE

DEFAULT_N = 100_000
USER_ATTRIBUTES: dict[str, Any] = ENDPOINT["User"]["UserAttributes"]  # type: ignore[index]
WORKERS = 2
ROOT = Path(__file__).resolve().parents[1]


def _endpoints(tenant: Any, n: int) -> list[str]:
    from engage import clock
    from segments.models import Endpoint

    now = clock.now()
    rows = [
        Endpoint(
            tenant=tenant,
            endpoint_id=f"b{i}",
            channel_type="EMAIL",
            address=f"b{i}@example.com",
            user_id=f"u{i}",
            user_attributes=USER_ATTRIBUTES,
            city="Springfield",
            country="US",
            cohort_id=str(i % 1000),
            effective_date=now,
            creation_date=now,
        )
        for i in range(n)
    ]
    Endpoint.objects.bulk_create(rows, batch_size=5000)
    return [r.endpoint_id for r in rows]


def _plan(tenant: Any, ids: list[str]) -> tuple[Any, list[int]]:
    from channels.services.dispatch import Recipient, deliveries_enqueue, dispatch_create

    message = {
        "content": {"Subject": "Hi {{User.UserAttributes.FirstName}}", "HtmlPart": TEMPLATE},
        "default_substitutions": {},
        "policy": "EMPTY",
        "options": {},
    }
    dispatch = dispatch_create(
        tenant=tenant,
        channel="EMAIL",
        source="campaign",
        message=message,
        campaign_id="bench",
        run_id="1",
        treatment_id="0",
    )
    recipients = (Recipient(key=f"bench:{e}", endpoint_id=e) for e in ids)
    return dispatch, deliveries_enqueue(dispatch=dispatch, recipients=recipients, send=False)


def _worker() -> subprocess.Popen[bytes]:
    from engage.celery import app

    app.control.purge()
    celery = str(Path(sys.executable).with_name("celery"))
    proc = subprocess.Popen(
        [
            celery,
            "-A",
            "engage",
            "worker",
            "-Q",
            "sends",
            "-c",
            str(WORKERS),
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"bench-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError("the Celery worker did not start")
    return proc


def _copy_floor(n: int, payload: dict[str, Any]) -> float:
    """Rows per second of a raw COPY of n ledger rows (payload included) into an unlogged twin table."""
    text = json.dumps(payload).replace("\\", "\\\\")
    buf = io.StringIO()
    stamp = "2026-11-23 00:00:00+00"
    for i in range(n):
        buf.write(
            f"{i}\t1\t1\t{i // 1000}\tbench:{i}\tEMAIL\tb{i}\tu{i}\tb{i}@example.com\tsent\t\t\tsandbox-{i}\t1\t"
            f"{stamp}\t{stamp}\t{stamp}\t0\t0\t{text}\n"
        )
    data = buf.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("CREATE UNLOGGED TABLE IF NOT EXISTS bench_delivery_copy (LIKE channels_delivery)")
        cursor.execute("TRUNCATE bench_delivery_copy")
        start = time.perf_counter()
        with cursor.cursor.copy(
            "COPY bench_delivery_copy (id, tenant_id, dispatch_id, chunk, key, channel, endpoint_id, user_id, address,"
            " status, reason, status_message, provider_message_id, attempts, queued_at, sent_at, updated_at, parts,"
            " price_millicents, payload) FROM STDIN"
        ) as copy:
            copy.write(data)
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_delivery_copy")
    return n / elapsed


def run(n: int) -> dict[str, Any]:
    from channels.models import Delivery
    from channels.tasks import chunk_enqueue
    from engage.events.models import Event

    with bench_tenant("send_sandbox") as tenant:
        dispatch, chunks = _plan(tenant, _endpoints(tenant, n))
        proc = _worker()
        try:
            start = time.perf_counter()
            for chunk in chunks:
                chunk_enqueue(tenant.pk, dispatch.pk, chunk)
            rows = Delivery.objects.filter(dispatch=dispatch, status="sent")
            while (sent := rows.count()) < n:
                if time.perf_counter() - start > 3600:
                    raise RuntimeError(f"only {sent} of {n} sent after an hour")
                time.sleep(0.2)
            elapsed = time.perf_counter() - start
        finally:
            proc.terminate()
            proc.wait(timeout=60)
        events = Event.objects.filter(tenant=tenant, delivery_id__isnull=False).count()
        sample = Delivery.objects.filter(dispatch=dispatch).values_list("payload", flat=True).first()
        floor = _copy_floor(n, sample or {})
    per_s = n / elapsed
    return {
        "per_s": round(per_s),
        "seconds": round(elapsed, 2),
        "workers": WORKERS,
        "events": events,
        "copy_per_s": round(floor),
        "ratio_to_copy": round(per_s / floor, 3),
        "target_per_s": 25_000,
        **machine(),
    }
