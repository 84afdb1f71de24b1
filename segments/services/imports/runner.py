"""Running an import job: read every file in chunks, write each chunk in one transaction, report progress.

A chunk's endpoints, segment members, rejected rows and the job's counters commit together, so a row is
either fully applied or not at all, and the progress a reader sees is what is in the database. Rows the
database itself refuses (a NUL character, say) are found by splitting the chunk, never by aborting.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import psycopg
from django.db import DataError, IntegrityError, InterfaceError, OperationalError, transaction

from engage import clock
from segments.models import Endpoint, ImportFailure, ImportJob, JobStatus, Segment
from segments.services.attributes import attribute_names_forget
from segments.services.imports.csvfile import csv_rows
from segments.services.imports.forked import fork_available, forked
from segments.services.imports.formats import MAX_RAW, HeaderError, Row, json_rows
from segments.services.imports.pgwriter import PostgresWriter
from segments.services.imports.segments import import_segment_finish, import_segment_for
from segments.services.imports.sources import READ_ERRORS, Piece, SourceError, job_pieces, open_lines, prefetched
from segments.services.imports.writers import ChunkWriter, writer_for
from segments.services.jobs import JobLost, bulk_gc_paused, job_claim, job_finish, job_report
from segments.services.s3 import S3Error

log = logging.getLogger(__name__)
CHUNK_ROWS = 5000
DATA_ERRORS = (DataError, psycopg.DataError, UnicodeError)
TRANSIENT = (OperationalError, InterfaceError)
Progress = Callable[[ImportJob], None]


@dataclass
class Chunk:
    rows: list[Row]
    bytes_read: int
    now: datetime


@dataclass
class Run:
    """One run of a job: what it needs to write chunks and report."""

    job: ImportJob
    token: str
    writer: ChunkWriter
    segment: Segment | None
    chunk_rows: int
    on_progress: Progress | None
    base_bytes: int = 0
    # Read and parse in a forked process (its own core and GIL) rather than a thread: the rows it ships are
    # plain values on the PostgreSQL path; the generic path's would be whole request documents.
    fork: bool = False


def _chunks(piece: Piece, fmt: str, size: int, writer: ChunkWriter) -> Iterator[Chunk]:
    """The piece's rows in chunks, prepared by the writer (runs in the reader thread: no database here)."""
    raw = piece.opener()
    lines, counter = open_lines(raw)
    try:
        rows = csv_rows(lines) if fmt == ImportJob.Format.CSV else json_rows(lines)
        batch: list[Row] = []
        now = clock.now()
        for row in rows:
            writer.prepare(row, now=now)
            batch.append(row)
            if len(batch) >= size:
                yield Chunk(batch, counter.count, now)
                batch, now = [], clock.now()
        if batch:
            yield Chunk(batch, counter.count, now)
    finally:
        lines.close()
        raw.close()


def _failure(job: ImportJob, piece: Piece, line: int, reason: str, field: str | None, raw: str) -> ImportFailure:
    return ImportFailure(
        job=job, file=piece.name[:1024], line=line, field=(field or "")[:128], reason=reason, raw=raw[:MAX_RAW]
    )


COUNTERS = ("processed_bytes", "total_processed", "imported", "total_failures")


def _write(run: Run, piece: Piece, rows: list[Row], bytes_read: int, now: datetime) -> None:
    """Apply rows in one transaction; rows the database refuses are isolated by halving and reported."""
    job = run.job
    counted = {name: getattr(job, name) for name in COUNTERS}
    try:
        with transaction.atomic():
            _apply(run, piece, rows, bytes_read, now)
    except (IntegrityError, psycopg.IntegrityError):
        # A concurrent writer created one of the chunk's new endpoints: go again, they are updates now.
        _rolled_back(job, counted)
        with transaction.atomic():
            _apply(run, piece, rows, bytes_read, now)
    except DATA_ERRORS as exc:
        _rolled_back(job, counted)
        if len(rows) > 1:
            middle = len(rows) // 2
            _write(run, piece, rows[:middle], bytes_read, now)
            _write(run, piece, rows[middle:], bytes_read, now)
            return
        with transaction.atomic():
            reason = f"the database refused the row: {str(exc).splitlines()[0]}"
            _failure(job, piece, rows[0].line, reason, "", rows[0].raw).save()
            _report(run, bytes_read, processed=1, imported=0, failed=1)


def _rolled_back(job: ImportJob, counted: dict[str, int]) -> None:
    """Forget what the rolled-back transaction did in memory: the job's counters and the known attribute names."""
    for name, value in counted.items():
        setattr(job, name, value)
    attribute_names_forget(tenant=job.tenant)


def _apply(run: Run, piece: Piece, rows: list[Row], bytes_read: int, now: datetime) -> None:
    job = run.job
    failures = [_failure(job, piece, r.line, r.error.message, r.error.field, r.raw) for r in rows if r.error]
    endpoint_rows = [r for r in rows if r.error is None and r.endpoint_id]
    user_rows = [r for r in rows if r.error is None and r.user_id]
    members: list[str] = []
    if endpoint_rows:
        results = run.writer.write(endpoint_rows, now=now)
        for row, result in zip(endpoint_rows, results, strict=True):
            if result.ok:
                members.append(row.endpoint_id)
            else:
                failures.append(_failure(job, piece, row.line, result.message, result.field, row.raw))
    imported = len(members)
    if user_rows:
        known = set(
            Endpoint.objects.for_tenant(job.tenant)
            .filter(user_id__in={r.user_id for r in user_rows})
            .values_list("user_id", flat=True)
            .distinct()
        )
        for row in user_rows:
            if row.user_id in known:
                imported += 1
            else:
                message = f"no endpoint has the user id {row.user_id!r}; import the user's endpoints first"
                failures.append(_failure(job, piece, row.line, message, "User.UserId", row.raw))
        if run.segment is not None and known:
            user_ids = list(known)
            endpoint_ids = list(
                Endpoint.objects.for_tenant(job.tenant)
                .filter(user_id__in=user_ids)
                .values_list("endpoint_id", flat=True)
            )
            members += endpoint_ids
    if run.segment is not None and members:
        run.writer.add_members(segment=run.segment, endpoint_ids=members, job_id=job.pk)
    if failures:
        ImportFailure.objects.bulk_create(sorted(failures, key=lambda f: f.line))
    _report(run, bytes_read, processed=len(rows), imported=imported, failed=len(failures))


def _report(run: Run, bytes_read: int, *, processed: int, imported: int, failed: int) -> None:
    job = run.job
    job_report(
        job,
        token=run.token,
        processed_bytes=run.base_bytes + bytes_read,
        total_processed=job.total_processed + processed,
        imported=job.imported + imported,
        total_failures=job.total_failures + failed,
    )


def _run_piece(run: Run, piece: Piece) -> None:
    """Import one file; a file that cannot be read (or stops being readable) is one line of the error report."""
    job = run.job
    last = 0
    try:
        make = lambda: _chunks(piece, job.format, run.chunk_rows, run.writer)  # noqa: E731
        for chunk in forked(make) if run.fork else prefetched(make, depth=1):
            _write(run, piece, chunk.rows, chunk.bytes_read, chunk.now)
            run.writer.after_chunk(imported=job.imported)
            last = chunk.rows[-1].line
            if run.on_progress:
                run.on_progress(job)
    except HeaderError as exc:
        reason, line = exc.message, 1
    except S3Error as exc:
        reason, line = exc.message, last + 1
    except READ_ERRORS as exc:
        reason, line = f"reading stopped after line {last}: {exc}", last + 1
    else:
        job_report(job, token=run.token, completed_pieces=job.completed_pieces + 1)
        return
    with transaction.atomic():
        _failure(job, piece, line, reason, "", "").save()
        job_report(job, token=run.token, failed_pieces=job.failed_pieces + 1, total_failures=job.total_failures + 1)


def import_run(
    *,
    tenant_id: int,
    job_id: int,
    local_path: str | None = None,
    on_progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
    fast: bool | None = None,
) -> ImportJob | None:
    """Run an import job to the end (None when another run holds it). The CLI passes its local file."""
    token = uuid.uuid4().hex
    job = job_claim(ImportJob, tenant_id=tenant_id, job_id=job_id, token=token)
    if job is None:
        return None
    try:
        with bulk_gc_paused():
            _run(job, token, local_path, on_progress, chunk_rows, fast)
    except JobLost:
        log.warning("import %s was taken over by another run", job_id)
        return None
    except TRANSIENT:
        raise  # the task retries once this run's lease has lapsed
    except Exception:
        log.exception("import %s failed", job_id)
        job_finish(
            job,
            token=token,
            status=JobStatus.FAILED,
            message="The import stopped on an internal error; "
            "it has been logged for the operators. Rows imported before it stopped are kept.",
        )
    finally:
        if job.upload and local_path is None and job.is_finished:
            job.upload.delete(save=False)
            ImportJob.objects.filter(pk=job.pk).update(upload="")
    return job


def _run(
    job: ImportJob, token: str, local_path: str | None, on_progress: Progress | None, chunk_rows: int, fast: bool | None
) -> None:
    ImportFailure.objects.filter(job=job).delete()
    zero = {
        "processed_bytes": 0,
        "total_processed": 0,
        "imported": 0,
        "total_failures": 0,
        "completed_pieces": 0,
        "failed_pieces": 0,
    }
    try:
        pieces = job_pieces(job, local_path=local_path)
    except (S3Error, SourceError) as exc:
        job_finish(job, token=token, status=JobStatus.FAILED, message=exc.message, **zero)
        return
    segment = import_segment_for(job=job)
    writer = writer_for(tenant=job.tenant, request_id=f"import-{job.pk}", fast=fast)
    job_report(
        job,
        token=token,
        status=JobStatus.PROCESSING,
        total_pieces=len(pieces),
        total_bytes=sum(p.size for p in pieces),
        segment=segment,
        **zero,
    )
    run = Run(
        job,
        token,
        writer,
        segment,
        chunk_rows,
        on_progress,
        fork=isinstance(writer, PostgresWriter) and fork_available(),
    )
    for piece in pieces:
        _run_piece(run, piece)
        run.base_bytes += piece.size
    job_report(job, token=token, status=JobStatus.COMPLETING, processed_bytes=run.base_bytes)
    if not job.completed_pieces:
        job_finish(job, token=token, status=JobStatus.FAILED, message="No file could be read: see the error report.")
        return
    if segment is not None:
        job.segment = import_segment_finish(segment=segment, job=job)
    job_finish(job, token=token, status=JobStatus.COMPLETED)
    if on_progress:
        on_progress(job)
