"""Bulk export (CreateExportJob): all endpoints, or an imported segment's, as gzip'd newline-delimited JSON.

Each line is the endpoint in Pinpoint's export shape (`endpoint_to_pinpoint`), so an export imports back
unchanged. The file is kept for download from the console, or written under an S3 prefix.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO

from django.core.files import File
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import QuerySet

from engage.accounts.models import User
from engage.errors import Conflict, Invalid
from engage.tenancy.audit import Actor, audit
from engage.tenancy.models import Tenant
from segments.codec import endpoint_to_pinpoint
from segments.compiler.query import segment_members
from segments.definition import parse_definition
from segments.models import Endpoint, ExportJob, ImportedMember, JobStatus, Segment, SegmentVersion
from segments.services.jobs import JobLost, bulk_gc_paused, job_claim, job_finish, job_report
from segments.services.s3 import S3_ERRORS, S3Error, s3_client, s3_describe, s3_parse

log = logging.getLogger(__name__)
EXPORT_CHUNK = 5000
Progress = Callable[[ExportJob], None]


class ExportError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@transaction.atomic
def export_create(
    *, tenant: Tenant, by: Actor, segment: Segment | None = None, s3_url_prefix: str = "", enqueue: bool = True
) -> ExportJob:
    """Create an export job (all endpoints, or an imported segment's); a worker runs it after commit.

    The CLI passes enqueue=False and runs the job itself.
    """
    from segments.tasks import export_run_task

    if s3_url_prefix:
        s3_parse(s3_url_prefix, field="S3UrlPrefix")
    if segment is not None and segment.tenant_id != tenant.pk:
        raise Invalid("the segment does not exist in this tenant", field="SegmentId")
    job = ExportJob.objects.create(
        tenant=tenant,
        segment=segment,
        segment_version=segment.version if segment is not None else None,
        s3_url_prefix=s3_url_prefix.strip(),
        created_by=by if isinstance(by, User) else None,
    )
    audit(
        tenant=tenant,
        actor=by,
        action="export.create",
        target=job,
        data={"segment": segment.public_id if segment else None, "s3_url_prefix": job.s3_url_prefix},
    )
    if enqueue:
        transaction.on_commit(lambda: export_run_task.delay(tenant.pk, job.pk))
    return job


def export_file_open(*, job: ExportJob) -> tuple[IO[bytes], str]:
    """A finished export's file and its download name; Conflict when it has none (running, failed or on S3)."""
    if not job.file:
        where = f"it was written to {job.output}" if job.output else "it has not finished"
        raise Conflict(f"export {job.pk} has no file to download: {where}")
    return job.file.open("rb"), f"endpoints-{job.tenant.public_id}-{job.pk}.jsonl.gz"


def export_endpoints(*, tenant: Tenant, segment: Segment | None, version: int | None = None) -> QuerySet[Endpoint]:
    """The endpoints an export writes: all, an imported segment's members, or a dynamic segment's matches
    (every endpoint matching the criteria, eligible or not, as Pinpoint exported them) at the job's version."""
    queryset = Endpoint.objects.for_tenant(tenant)
    if segment is None:
        return queryset  # type: ignore[no-any-return]
    if segment.kind == Segment.Kind.IMPORT:
        return queryset.filter(pk__in=ImportedMember.objects.filter(segment=segment).values("endpoint_id"))  # type: ignore[no-any-return]
    data = segment.definition
    if version is not None and version != segment.version:
        stored = SegmentVersion.objects.filter(segment=segment, version=version).first()
        data = stored.definition if stored is not None else data
    return segment_members(tenant=tenant, definition=parse_definition(data), eligible_only=False)


def export_write(
    *,
    tenant: Tenant,
    segment: Segment | None,
    out: IO[bytes],
    on_chunk: Callable[[int], None] | None = None,
    version: int | None = None,
) -> int:
    """Write the endpoints to `out` as gzip'd NDJSON, walking the table by primary key; returns how many."""
    queryset = export_endpoints(tenant=tenant, segment=segment, version=version).order_by("pk")
    written, last = 0, 0
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6, mtime=0) as archive:
        while True:
            batch = list(queryset.filter(pk__gt=last)[:EXPORT_CHUNK])
            if not batch:
                break
            lines = (
                json.dumps(endpoint_to_pinpoint(e, application_id=tenant.public_id), ensure_ascii=False) for e in batch
            )
            archive.write(("\n".join(lines) + "\n").encode())
            written += len(batch)
            last = batch[-1].pk
            if on_chunk:
                on_chunk(len(batch))
    return written


def _deliver(job: ExportJob, path: Path, out_path: str | None) -> str:
    """Put the finished file where the job says; returns the s3:// URL, or "" when kept for download."""
    if out_path is not None and not out_path.startswith("s3://"):
        os.replace(path, out_path)
        return str(Path(out_path).resolve())
    prefix = out_path or job.s3_url_prefix
    if prefix:
        bucket, key_prefix = s3_parse(prefix, field="S3UrlPrefix")
        key = f"{key_prefix.rstrip('/')}/export-{job.pk}.jsonl.gz".lstrip("/")
        try:
            s3_client().upload_file(str(path), bucket, key, ExtraArgs={"ContentType": "application/gzip"})
        except S3_ERRORS as exc:
            raise S3Error(f"could not write s3://{bucket}/{key}: {s3_describe(exc)}") from exc
        return f"s3://{bucket}/{key}"
    with path.open("rb") as handle:
        job.file.save(
            f"{job.tenant.public_id}/export-{job.pk}-{uuid.uuid4().hex[:8]}.jsonl.gz", File(handle), save=False
        )
    ExportJob.objects.filter(pk=job.pk).update(file=job.file.name)
    return ""


def export_run(
    *, tenant_id: int, job_id: int, out_path: str | None = None, on_progress: Progress | None = None
) -> ExportJob | None:
    """Run an export job to the end (None when another run holds it); the CLI passes a local path or S3 URL."""
    token = uuid.uuid4().hex
    job = job_claim(ExportJob, tenant_id=tenant_id, job_id=job_id, token=token)
    if job is None:
        return None
    folder = Path(out_path).resolve().parent if out_path and not out_path.startswith("s3://") else None
    handle, name = tempfile.mkstemp(suffix=".jsonl.gz", dir=folder)
    os.close(handle)
    path = Path(name)
    try:
        if job.segment_version is not None and job.segment is None:
            raise ExportError("the segment was deleted before the export ran")
        total = export_endpoints(tenant=job.tenant, segment=job.segment, version=job.segment_version).count()
        job_report(
            job,
            token=token,
            status=JobStatus.PROCESSING,
            total_endpoints=total,
            total_pieces=1,
            total_processed=0,
            completed_pieces=0,
            failed_pieces=0,
        )

        def chunk_done(count: int) -> None:
            job_report(job, token=token, total_processed=job.total_processed + count)
            if on_progress:
                on_progress(job)

        with bulk_gc_paused(), path.open("wb") as out:
            export_write(
                tenant=job.tenant, segment=job.segment, version=job.segment_version, out=out, on_chunk=chunk_done
            )
        output = _deliver(job, path, out_path)
        job_finish(job, token=token, status=JobStatus.COMPLETED, completed_pieces=1, output=output)
    except JobLost:
        log.warning("export %s was taken over by another run", job_id)
        return None
    except (S3Error, ExportError) as exc:
        job_finish(job, token=token, status=JobStatus.FAILED, message=exc.message, failed_pieces=1)
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        log.exception("export %s failed", job_id)
        job_finish(
            job,
            token=token,
            status=JobStatus.FAILED,
            failed_pieces=1,
            message="The export stopped on an internal error; it has been logged for the operators.",
        )
    finally:
        path.unlink(missing_ok=True)
    if on_progress:
        on_progress(job)
    return job
