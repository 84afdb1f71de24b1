"""Background work of the audience: bulk import and export jobs (both on the `imports` queue)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from segments.services.exports import export_run
from segments.services.imports.runner import import_run
from segments.services.jobs import LEASE

# The database went away mid-run. The run's lease must lapse before a retry may take the job over, so the
# retry waits longer than the lease; it then starts the job again (imports are idempotent).
TRANSIENT = (OperationalError, InterfaceError)
RETRY_DELAY = int(LEASE.total_seconds()) + 30


@shared_task(
    name="segments.import_run",
    acks_late=True,
    autoretry_for=TRANSIENT,
    default_retry_delay=RETRY_DELAY,
    max_retries=5,
    ignore_result=True,
)
def import_run_task(tenant_id: int, job_id: int) -> None:
    """Run one import job; a second delivery finds the job held by a live run and returns."""
    import_run(tenant_id=tenant_id, job_id=job_id)


@shared_task(
    name="segments.export_run",
    acks_late=True,
    autoretry_for=TRANSIENT,
    default_retry_delay=RETRY_DELAY,
    max_retries=5,
    ignore_result=True,
)
def export_run_task(tenant_id: int, job_id: int) -> None:
    """Run one export job; a second delivery finds the job held by a live run and returns."""
    export_run(tenant_id=tenant_id, job_id=job_id)
