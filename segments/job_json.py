"""Pinpoint's ImportJobResponse / ExportJobResponse JSON (plus Engage's live progress), and the error report."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from segments.models import ExportJob, ImportFailure, ImportJob, JobStatus
from segments.segment_json import iso

MAX_FAILURE_MESSAGES = 100
ERROR_REPORT_COLUMNS = ["file", "line", "field", "reason", "row"]


def failure_message(failure: ImportFailure) -> str:
    where = f"{failure.file} line {failure.line}" if failure.file else f"line {failure.line}"
    return f"{where}: {failure.reason}"


def import_job_to_pinpoint(job: ImportJob, *, application_id: str, failures: Iterable[ImportFailure]) -> dict[str, Any]:
    """ImportJobResponse; `Failures` holds the first 100 rejected rows (all of them are in the error report)."""
    from_s3 = job.source.startswith("s3://")
    out: dict[str, Any] = {
        "ApplicationId": application_id,
        "Id": str(job.pk),
        "Type": "IMPORT",
        "JobStatus": job.status,
        "CreationDate": iso(job.created_at),
        "Definition": {
            "Format": job.format,
            "S3Url": job.source if from_s3 else "",
            "DefineSegment": job.define_segment,
            "SegmentName": job.segment.name if job.segment else job.segment_name,
            "SegmentId": job.segment.public_id if job.segment else None,
            "RegisterEndpoints": job.register_endpoints,
            "ExternalId": job.external_id,
            "RoleArn": "",
        },
        "TotalPieces": job.total_pieces,
        "CompletedPieces": job.completed_pieces,
        "FailedPieces": job.failed_pieces,
        "TotalProcessed": job.total_processed,
        "TotalFailures": job.total_failures,
        "Failures": [failure_message(f) for f in list(failures)[:MAX_FAILURE_MESSAGES]],
        "File": "" if from_s3 else job.source,
        "Imported": job.imported,
        "Progress": {
            "ProcessedBytes": job.processed_bytes,
            "TotalBytes": job.total_bytes,
            "Percent": job.progress_percent,
        },
    }
    if job.completed_at:
        out["CompletionDate"] = iso(job.completed_at)
    if job.message:
        out["Message"] = job.message
    return out


def export_job_to_pinpoint(job: ExportJob, *, application_id: str) -> dict[str, Any]:
    """ExportJobResponse, plus where the file went (`Output`) and whether it can be downloaded."""
    out: dict[str, Any] = {
        "ApplicationId": application_id,
        "Id": str(job.pk),
        "Type": "EXPORT",
        "JobStatus": job.status,
        "CreationDate": iso(job.created_at),
        "Definition": {
            "S3UrlPrefix": job.s3_url_prefix,
            "SegmentId": job.segment.public_id if job.segment else None,
            "SegmentVersion": job.segment_version,
            "RoleArn": "",
        },
        "TotalPieces": job.total_pieces,
        "CompletedPieces": job.completed_pieces,
        "FailedPieces": job.failed_pieces,
        "TotalProcessed": job.total_processed,
        "TotalFailures": job.failed_pieces,
        "Failures": [job.message] if job.status == JobStatus.FAILED and job.message else [],
        "TotalEndpoints": job.total_endpoints,
        "Progress": {"Percent": job.progress_percent},
        "Output": job.output,
        "Downloadable": bool(job.file),
    }
    if job.completed_at:
        out["CompletionDate"] = iso(job.completed_at)
    return out


def error_report_lines(failures: Iterable[ImportFailure]) -> Iterator[str]:
    """The downloadable error report: one CSV line per rejected row (file, line, field, reason, the row itself)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ERROR_REPORT_COLUMNS)
    for failure in failures:
        writer.writerow([failure.file, failure.line, failure.field, failure.reason, failure.raw])
        if buffer.tell() > 1 << 16:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
