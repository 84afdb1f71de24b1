"""Campaign fan-out: N endpoints in a segment, one immediate email campaign launched through `campaign_launch`, two
Celery worker processes (queues default + sends) planning (keyset pages, caps, bulk ledger insert) and sending
through the sandbox. Timed from the launch call to the last ledger row in a terminal state (`per_s`), and to the run
leaving PLANNING, i.e. its last chunk committed and enqueued (`plan_per_s`, polled every 0.25 s); checks sent = N and no
endpoint messaged twice; samples the workers' peak RSS; compares with a raw COPY of the same ledger rows."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench._common import bench_tenant, machine
from bench.render import TEMPLATE
from bench.send_sandbox import _copy_floor, _endpoints

DEFAULT_N = 100_000
WORKERS = 2
ROOT = Path(__file__).resolve().parents[1]


def _rss_kb(root: int) -> int:
    """Resident memory of a process and its children (the worker's pool processes), from /proc."""
    pids = {root}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == root:
                        pids.add(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                total += next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
        except OSError:
            continue
    return total


def _workers() -> list[subprocess.Popen[bytes]]:
    from engage.celery import app

    app.control.purge()
    celery = str(Path(sys.executable).with_name("celery"))
    procs = [
        subprocess.Popen(
            [celery, "-A", "engage", "worker", "-Q", "default,sends", "-c", "1", "-l", "WARNING", "--without-gossip",
             "--without-mingle", "-n", f"fanout{i}-{os.getpid()}@%h"],
            cwd=ROOT, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for i in range(WORKERS)
    ]  # fmt: skip
    deadline = time.monotonic() + 90
    while len(app.control.ping(timeout=0.5) or []) < WORKERS:
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            raise RuntimeError("the Celery workers did not start")
    return procs


def _campaign(tenant: Any) -> Any:
    from campaigns.services import campaign_create
    from segments.services.segments import segment_create

    dims = {"Location": {"Country": {"DimensionType": "INCLUSIVE", "Values": ["US"]}}}
    segment = segment_create(tenant=tenant, body={"Name": "Everyone", "Dimensions": dims}, by="bench")
    message = {"EmailMessage": {"Title": "Hi {{User.UserAttributes.FirstName}}", "HtmlBody": TEMPLATE}}
    body = {"Name": "Fan-out", "SegmentId": segment.public_id, "MessageConfiguration": message}
    return campaign_create(tenant=tenant, by="bench", body={**body, "Schedule": {"StartTime": "IMMEDIATE"}})


def run(n: int) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Count

    from campaigns.models import Campaign, CampaignRun
    from campaigns.services import campaign_launch
    from channels.models import Delivery
    from channels.models.ledger import PENDING_STATUSES
    from segments.models import SegmentVersion

    with bench_tenant("fanout") as tenant:
        _endpoints(tenant, n)
        with connection.cursor() as cursor:
            # Autovacuum is off on the benchmark host: without fresh statistics the planner's keyset page is
            # planned as a scan and sort of the whole tenant (1.3 s a page at a million).
            cursor.execute("ANALYZE segments_endpoint")
        campaign = _campaign(tenant)
        procs = _workers()
        peak = 0
        try:
            start = time.perf_counter()
            campaign_launch(campaign=campaign, by="bench")
            rows = Delivery.objects.filter(tenant=tenant)
            runs = CampaignRun.objects.filter(campaign=campaign)
            planned_s = None
            while True:
                peak = max(peak, sum(_rss_kb(p.pid) for p in procs))
                if planned_s is None and runs.exclude(status=CampaignRun.Status.PLANNING).exists():
                    planned_s = time.perf_counter() - start  # the last chunk committed and its send task enqueued
                if rows.count() >= n and not rows.filter(status__in=PENDING_STATUSES).exists():
                    break
                if time.perf_counter() - start > 3600:
                    raise RuntimeError(f"{rows.count()} rows after an hour")
                time.sleep(0.25)
            elapsed = time.perf_counter() - start
            planned_s = planned_s or elapsed
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(timeout=60)
        sent = rows.filter(status="sent").count()
        duplicates = rows.values("endpoint_id").annotate(c=Count("id")).filter(c__gt=1).count()
        floor = _copy_floor(n, rows.values_list("payload", flat=True).first() or {})
        # What bench_tenant's plain DELETEs do not know about.
        Campaign.objects.filter(tenant=tenant).delete()
        SegmentVersion.objects.filter(segment__tenant=tenant).delete()
    per_s = n / elapsed
    return {
        "per_s": round(per_s),
        "seconds": round(elapsed, 2),
        "plan_per_s": round(n / planned_s),
        "plan_seconds": round(planned_s, 2),
        "sent": sent,
        "sent_ok": sent == n,
        "duplicates": duplicates,
        "workers": WORKERS,
        "peak_worker_rss_mb": round(peak / 1024, 1),
        "copy_per_s": round(floor),
        "ratio_to_copy": round(per_s / floor, 3),
        "target_per_s": 20_000,
        **machine(),
    }
