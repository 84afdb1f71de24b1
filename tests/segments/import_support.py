"""Helpers of the import/export tests: files in Pinpoint's formats, running jobs in-process, reading exports."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from engage.tenancy.models import Tenant
from segments.codec import endpoint_to_pinpoint
from segments.models import Endpoint, ImportJob
from segments.services.imports.create import import_create
from segments.services.imports.runner import import_run


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def ndjson_gz(items: list[dict[str, Any]]) -> bytes:
    return gzip.compress("".join(json.dumps(item) + "\n" for item in items).encode())


def run_upload(
    tenant: Tenant,
    content: bytes,
    name: str,
    *,
    fmt: str = "",
    define_segment: bool = False,
    segment_name: str = "",
    fast: bool | None = None,
    chunk_rows: int = 5000,
) -> ImportJob:
    """Create an import of an uploaded file and run it here (the worker's service, without the worker)."""
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    job = import_create(
        tenant=tenant, by="tests", format=fmt, upload=upload, define_segment=define_segment, segment_name=segment_name
    )
    done = import_run(tenant_id=tenant.pk, job_id=job.pk, fast=fast, chunk_rows=chunk_rows)
    assert done is not None
    done.refresh_from_db()
    return done


def run_local(tenant: Tenant, path: Path, *, fmt: str = "", fast: bool | None = None, **kwargs: Any) -> ImportJob:
    job = import_create(tenant=tenant, by="tests", format=fmt, local_path=str(path), enqueue=False, **kwargs)
    done = import_run(tenant_id=tenant.pk, job_id=job.pk, local_path=str(path), fast=fast)
    assert done is not None
    done.refresh_from_db()
    return done


def documents(tenant: Tenant, *, drop: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    """Every endpoint of the tenant in Pinpoint's JSON, by id (ApplicationId left out)."""
    out = {}
    for endpoint in Endpoint.objects.for_tenant(tenant).order_by("endpoint_id"):
        doc = endpoint_to_pinpoint(endpoint, application_id="")
        for key in ("ApplicationId", *drop):
            doc.pop(key, None)
        out[endpoint.endpoint_id] = doc
    return out


def failures(job: ImportJob) -> list[tuple[int, str, str]]:
    return list(job.failures.order_by("id").values_list("line", "field", "reason"))


def read_ndjson_gz(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(data).decode().splitlines() if line.strip()]
