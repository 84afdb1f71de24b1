"""Shared setup of the journey benchmarks: N endpoints (each with its UserId) in a segment, an email template, and
an ACTIVE journey "WAIT 1 h then SEND (email)" entered by that segment; Celery workers for the advancer; cleanup
with plain DELETEs (a cascade through the ORM would load a million participants)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
ACTIVITIES = {
    "wait": {"Wait": {"WaitTime": {"WaitFor": "PT1H"}, "NextActivity": "send"}},
    "send": {"EMAIL": {"TemplateName": "bench-journey"}},
}


def journey_setup(tenant: Any) -> Any:
    """The segment, template and published journey (version 1) for `tenant`, whose endpoints already exist."""
    from campaigns.models import Journey, JourneyVersion
    from engage import clock
    from segments.services.segments import segment_create
    from templates.codec import template_request_parse
    from templates.services.templates import template_create

    with connection.cursor() as cursor:
        # The endpoints were just written and autovacuum is off on the bench host: without statistics the planner
        # walks the whole tenant for each batch's endpoint lookup instead of probing the user_id index.
        cursor.execute("ANALYZE segments_endpoint")
    dims = {"Location": {"Country": {"DimensionType": "INCLUSIVE", "Values": ["US"]}}}
    segment = segment_create(tenant=tenant, body={"Name": "Everyone", "Dimensions": dims}, by="bench")
    body = {"TemplateName": "bench-journey", "TemplateType": "EMAIL", "Subject": "Hi", "HtmlPart": "<p>Hello</p>"}
    template_create(tenant=tenant, data=template_request_parse(body), by="bench")
    definition = {
        "Activities": ACTIVITIES,
        "StartActivity": "wait",
        "StartCondition": {"SegmentStartCondition": {"SegmentId": segment.public_id}},
    }
    now = clock.now()
    journey = Journey.objects.create(
        tenant=tenant,
        name="Bench",
        state=Journey.State.ACTIVE,
        definition=definition,
        version=1,
        segment=segment,
        starts_at=now,
        published_at=now,
        next_entry_at=now,
    )
    JourneyVersion.objects.create(tenant=tenant, journey=journey, number=1, definition=definition, published_at=now)
    return journey


def journeys_cleanup(tenant: Any) -> None:
    """Remove the journey rows of the bench tenant (bench_tenant's DELETEs do not know these tables)."""
    from segments.models import SegmentVersion
    from templates.models import MessageTemplate

    with connection.cursor() as cursor:
        for table in (
            "campaigns_participant",
            "campaigns_activitycount",
            "campaigns_journeyversion",
            "campaigns_journey",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])
    MessageTemplate.objects.filter(tenant=tenant).delete()
    SegmentVersion.objects.filter(segment__tenant=tenant).delete()


def workers(count: int, queues: str = "default") -> list[subprocess.Popen[bytes]]:
    """Start `count` Celery worker processes (one pool process each) and wait until they answer."""
    from engage.celery import app

    app.control.purge()
    celery = str(Path(sys.executable).with_name("celery"))
    procs = [
        subprocess.Popen(
            [celery, "-A", "engage", "worker", "-Q", queues, "-c", "1", "-l", "WARNING", "--without-gossip",
             "--without-mingle", "-n", f"journeys{i}-{os.getpid()}@%h"],
            cwd=ROOT, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for i in range(count)
    ]  # fmt: skip
    deadline = time.monotonic() + 90
    while len(app.control.ping(timeout=0.5) or []) < count:
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            raise RuntimeError("the Celery workers did not start")
    return procs


def workers_stop(procs: list[subprocess.Popen[bytes]]) -> None:
    from engage.celery import app

    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(timeout=60)
    app.control.purge()


def load() -> float:
    """The 1-minute load average (the machine is shared: figures read with it)."""
    return round(os.getloadavg()[0], 2)
