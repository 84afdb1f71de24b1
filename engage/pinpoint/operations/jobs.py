"""Import and export jobs: CreateImportJob, GetImportJob(s), GetSegmentImportJobs, CreateExportJob, GetExportJob(s),
GetSegmentExportJobs. Workers run the jobs; RoleArn is accepted and unused (Engage reads and writes S3 with its
own credentials)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from engage.errors import Invalid, NotFound
from engage.pinpoint.operations.segments import segment_of
from engage.pinpoint.pages import page
from engage.pinpoint.registry import Call, operation
from engage.tenancy.models import Capability
from segments.job_json import MAX_FAILURE_MESSAGES, export_job_to_pinpoint, import_job_to_pinpoint
from segments.models import ExportJob, ImportFailure, ImportJob
from segments.services.exports import export_create
from segments.services.imports.create import import_create, import_segment_check


def _import_json(call: Call, job: ImportJob) -> dict[str, Any]:
    failures = getattr(job, "first_failures", None)
    if failures is None:
        failures = list(job.failures.order_by("id")[:MAX_FAILURE_MESSAGES])
    return import_job_to_pinpoint(job, application_id=call.application_id, failures=failures)


def _export_json(call: Call, job: ExportJob) -> dict[str, Any]:
    return export_job_to_pinpoint(job, application_id=call.application_id)


def _imports(call: Call) -> QuerySet[ImportJob]:
    first = Prefetch(
        "failures", queryset=ImportFailure.objects.order_by("id")[:MAX_FAILURE_MESSAGES], to_attr="first_failures"
    )
    jobs: QuerySet[ImportJob] = ImportJob.objects.for_tenant(call.tenant)
    return jobs.select_related("segment").prefetch_related(first).order_by("-created_at", "-id")


def _exports(call: Call) -> QuerySet[ExportJob]:
    jobs: QuerySet[ExportJob] = ExportJob.objects.for_tenant(call.tenant)
    return jobs.select_related("segment").order_by("-created_at", "-id")


def _job_id(call: Call) -> int:
    text = str(call.params["JobId"])
    if not text.isdigit() or len(text) > 18:
        raise NotFound(f"Job {text} not found")
    return int(text)


@operation("CreateImportJob", capability=Capability.EDIT)
def create_import_job(call: Call) -> dict[str, Any]:
    """An import from `s3://bucket/prefix` (CSV or newline-delimited JSON), optionally into an imported segment."""
    body = call.body
    segment = None
    if body.get("SegmentId"):
        segment = import_segment_check(tenant=call.tenant, segment_id=body["SegmentId"])
    job = import_create(
        tenant=call.tenant,
        by=call.key,
        format=body["Format"],
        s3_url=body["S3Url"],
        define_segment=bool(body.get("DefineSegment", False)),
        segment_name=body.get("SegmentName", ""),
        segment=segment,
        register_endpoints=bool(body.get("RegisterEndpoints", True)),
        external_id=body.get("ExternalId", ""),
    )
    return _import_json(call, job)


@operation("GetImportJob", capability=Capability.VIEW)
def get_import_job(call: Call) -> dict[str, Any]:
    job = _imports(call).filter(pk=_job_id(call)).first()
    if job is None:
        raise NotFound(f"Import job {call.params['JobId']} not found")
    return _import_json(call, job)


@operation("GetImportJobs", capability=Capability.VIEW)
def get_import_jobs(call: Call) -> dict[str, Any]:
    return page(_imports(call), params=call.params, render=lambda j: _import_json(call, j))


@operation("GetSegmentImportJobs", capability=Capability.VIEW)
def get_segment_import_jobs(call: Call) -> dict[str, Any]:
    rows = _imports(call).filter(segment=segment_of(call))
    return page(rows, params=call.params, render=lambda j: _import_json(call, j))


@operation("CreateExportJob", capability=Capability.EXPORT)
def create_export_job(call: Call) -> dict[str, Any]:
    """Export all endpoints, or a segment's (at its current version), as gzip'd JSON lines under S3UrlPrefix."""
    body = call.body
    segment = None
    if body.get("SegmentId"):
        segment = import_segment_check(tenant=call.tenant, segment_id=body["SegmentId"], dynamic_ok=True)
    version = body.get("SegmentVersion")
    if version is not None and (segment is None or version != segment.version):
        current = f"; the segment is at version {segment.version}" if segment is not None else ""
        raise Invalid(f"only the current version can be exported{current}", field="SegmentVersion")
    job = export_create(tenant=call.tenant, by=call.key, segment=segment, s3_url_prefix=body["S3UrlPrefix"])
    return _export_json(call, job)


@operation("GetExportJob", capability=Capability.VIEW)
def get_export_job(call: Call) -> dict[str, Any]:
    job = _exports(call).filter(pk=_job_id(call)).first()
    if job is None:
        raise NotFound(f"Export job {call.params['JobId']} not found")
    return _export_json(call, job)


@operation("GetExportJobs", capability=Capability.VIEW)
def get_export_jobs(call: Call) -> dict[str, Any]:
    return page(_exports(call), params=call.params, render=lambda j: _export_json(call, j))


@operation("GetSegmentExportJobs", capability=Capability.VIEW)
def get_segment_export_jobs(call: Call) -> dict[str, Any]:
    rows = _exports(call).filter(segment=segment_of(call))
    return page(rows, params=call.params, render=lambda j: _export_json(call, j))
