"""The lease that import and export runs hold on their job row.

A run claims its job with a conditional UPDATE and writes a heartbeat with every progress report. A task
delivered twice (Celery redelivers unacknowledged long tasks) finds the job claimed and fresh, and leaves;
a run whose worker died leaves a stale heartbeat, and the redelivered task takes the job over.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

from django.db.models import Q

from engage import clock
from segments.models import ExportJob, ImportJob, JobStatus

J = TypeVar("J", ImportJob, ExportJob)
LEASE = timedelta(minutes=2)
RUNNING = (JobStatus.INITIALIZING, JobStatus.PROCESSING, JobStatus.COMPLETING)


class JobLost(Exception):
    """Another run took the job over (this one was presumed dead); stop without writing anything more."""


def job_claim(model: type[J], *, tenant_id: int, job_id: int, token: str) -> J | None:
    """Take the job for this run: a new job, or a running one whose heartbeat is older than the lease."""
    now = clock.now()
    stale = Q(status__in=RUNNING) & (Q(heartbeat_at__lt=now - LEASE) | Q(heartbeat_at__isnull=True))
    claimed = (
        model.objects.filter(tenant_id=tenant_id, pk=job_id)
        .filter(Q(status=JobStatus.CREATED) | stale)
        .update(
            status=JobStatus.INITIALIZING, claim=token, heartbeat_at=now, started_at=now, completed_at=None, message=""
        )
    )
    if not claimed:
        return None
    return model.objects.select_related("tenant").get(pk=job_id)  # type: ignore[no-any-return]


def job_report(job: J, *, token: str, **changes: Any) -> None:
    """Save progress (and the heartbeat) on the job, in memory and in the database; JobLost if it was taken over."""
    now = clock.now()
    for name, value in changes.items():
        setattr(job, name, value)
    job.heartbeat_at = now
    updated = type(job).objects.filter(pk=job.pk, claim=token).update(heartbeat_at=now, **changes)
    if not updated:
        raise JobLost(f"{job} was taken over by another run")


def job_finish(job: J, *, token: str, status: str, message: str = "", **changes: Any) -> None:
    """Mark the job COMPLETED or FAILED."""
    job_report(job, token=token, status=status, message=message[:2000], completed_at=clock.now(), **changes)


@contextmanager
def bulk_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk job.

    Imports and exports make millions of short-lived dicts and lists that reference counting frees; the
    collector would otherwise rescan every live one again and again, which more than halves the row rate.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
