"""Creating import jobs (CreateImportJob): from a file uploaded in the browser or the API, or from S3."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from engage.accounts.models import User
from engage.errors import Invalid
from engage.tenancy.audit import Actor, audit
from engage.tenancy.models import Tenant
from segments.models import ImportJob, Segment
from segments.services.s3 import s3_parse

MAX_UPLOAD_BYTES = 1 << 30  # Pinpoint's limit: files under 1 GB
FORMATS_BY_SUFFIX = {".csv": "CSV", ".json": "JSON", ".jsonl": "JSON", ".ndjson": "JSON"}


def import_format_check(value: Any, *, filename: str = "", field: str = "Format") -> str:
    """CSV or JSON (any case); when missing, guessed from the file name (.csv, .json, .jsonl; .gz after them)."""
    if value in (None, ""):
        name = filename.lower().removesuffix(".gz")
        guessed = FORMATS_BY_SUFFIX.get(PurePosixPath(name).suffix)
        if guessed:
            return guessed
        raise Invalid("say which format the file is in: CSV or JSON (newline-delimited)", field=field)
    text = str(value).strip().upper()
    if text not in ImportJob.Format.values:
        raise Invalid(f"{value!r} is not an import format: use CSV or JSON (newline-delimited)", field=field)
    return text


def import_segment_check(
    *, tenant: Tenant, segment_id: str, field: str = "SegmentId", dynamic_ok: bool = False
) -> Segment:
    """A segment of the tenant by its SegmentId (another tenant's id is simply unknown); imports need an
    imported one, exports (`dynamic_ok`) take either kind."""
    segment = Segment.objects.for_tenant(tenant).filter(public_id=str(segment_id).strip()).first()
    if segment is None:
        raise Invalid(f"there is no segment {segment_id!r} in this project", field=field)
    if segment.kind != Segment.Kind.IMPORT and not dynamic_ok:
        raise Invalid(
            f"segment {segment_id!r} is a dynamic segment; imports add rows to imported segments only", field=field
        )
    return segment


def import_upload_check(upload: UploadedFile, *, field: str = "file") -> None:
    if not upload.size:
        raise Invalid("the file is empty", field=field)
    if upload.size > MAX_UPLOAD_BYTES:
        raise Invalid("the file is larger than 1 GB: split it, or put the parts under one S3 prefix", field=field)


@transaction.atomic
def import_create(
    *,
    tenant: Tenant,
    by: Actor,
    format: str,
    upload: UploadedFile | None = None,
    s3_url: str = "",
    local_path: str = "",
    define_segment: bool = False,
    segment_name: str = "",
    segment: Segment | None = None,
    register_endpoints: bool = True,
    external_id: str = "",
    enqueue: bool = True,
) -> ImportJob:
    """Create an import job from an upload or an S3 URL; a worker starts it once the transaction commits.

    The CLI passes `local_path` (or an S3 URL) and runs the job itself: such jobs are not queued.
    """
    from segments.tasks import import_run_task

    if [bool(upload), bool(s3_url), bool(local_path)].count(True) != 1:
        raise Invalid("give either a file to upload or an s3:// URL", field="S3Url" if upload is None else "file")
    if upload is not None:
        import_upload_check(upload)
        source = PurePosixPath(upload.name or "upload").name[:1024]
    elif local_path:
        source = PurePosixPath(local_path).name[:1024]
    else:
        s3_parse(s3_url, field="S3Url")
        source = s3_url.strip()
    if segment is not None and segment.kind != Segment.Kind.IMPORT:
        raise Invalid("only imported segments take imports", field="SegmentId")
    job = ImportJob.objects.create(
        tenant=tenant,
        format=import_format_check(format, filename=source),
        source=source,
        define_segment=define_segment or segment is not None,
        segment_name=(segment_name or "").strip()[:255],
        segment=segment,
        register_endpoints=register_endpoints,
        external_id=(external_id or "")[:255],
        created_by=by if isinstance(by, User) else None,
    )
    if upload is not None:
        suffix = "".join(PurePosixPath(source).suffixes)[-16:]
        job.upload.save(f"{tenant.public_id}/{uuid.uuid4().hex}{suffix}", upload, save=True)
    audit(tenant=tenant, actor=by, action="import.create", target=job, data={"source": source, "format": job.format})
    if not local_path and enqueue:
        transaction.on_commit(lambda: import_run_task.delay(tenant.pk, job.pk))
    return job
