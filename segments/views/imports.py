"""Console pages of bulk import: upload or S3 form, job list with live progress, job detail, error report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from engage.errors import DomainError
from engage.tenancy.models import Capability
from engage.tenancy.web import TenantView, form_error
from segments.job_forms import ImportForm
from segments.job_json import error_report_lines
from segments.models import ImportJob
from segments.services.imports.create import import_create

RECENT_JOBS = 50
SHOWN_FAILURES = 200
FORM_FIELDS = {"S3Url": "s3_url", "Format": "format", "SegmentId": "segment_name"}


def _fragment(request: HttpRequest) -> str:
    return request.GET.get("fragment", "") if request.headers.get("HX-Request") else ""


class ImportListView(TenantView):
    """GET the page (or, for HTMX, the job list alone); POST creates a job from an upload or an S3 URL."""

    write_capability = Capability.EDIT

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        if _fragment(request) == "jobs":
            return render(request, "segments/_import_jobs.html", self._jobs())
        return self._render(ImportForm())

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = import_create(
                    tenant=self.tenant,
                    by=self.actor,
                    format=data["format"],
                    upload=data["file"] or None,
                    s3_url=data["s3_url"],
                    define_segment=data["define_segment"],
                    segment_name=data["segment_name"],
                )
            except DomainError as exc:
                exc.field = FORM_FIELDS.get(exc.field or "", exc.field)
                form_error(form, exc)
            else:
                messages.success(request, f"Import {job.pk} of {job.source} is queued; its progress shows below.")
                return redirect("segments:import", tenant_id, job.pk)
        return self._render(form, status=400)

    def _jobs(self) -> dict[str, Any]:
        jobs = list(ImportJob.objects.for_tenant(self.tenant).select_related("segment")[:RECENT_JOBS])
        return {"jobs": jobs, "running": any(not job.is_finished for job in jobs)}

    def _render(self, form: ImportForm, status: int = 200) -> HttpResponse:
        context = {"form": form, "tab": "imports", "can_import": self.can(Capability.EDIT), **self._jobs()}
        return render(self.request, "segments/imports.html", context, status=status)


class ImportDetailView(TenantView):
    """One job: its definition, live progress and the rejected rows (HTMX polls `?fragment=progress`)."""

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        job = get_object_or_404(
            ImportJob.objects.for_tenant(self.tenant).select_related("segment", "created_by"), pk=pk
        )
        context = {"job": job, "tab": "imports"}
        if _fragment(request) == "progress":
            response = render(request, "segments/_import_progress.html", context)
            if job.is_finished:
                response["HX-Refresh"] = "true"  # reload once: the rejected rows and the report link appear
            return response
        failures = list(job.failures.order_by("id")[:SHOWN_FAILURES])
        return render(request, "segments/import.html", {**context, "failures": failures})


class ImportErrorsView(TenantView):
    """The error report: every rejected row as CSV (file, line, field, reason, row)."""

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> StreamingHttpResponse:
        job = get_object_or_404(ImportJob.objects.for_tenant(self.tenant), pk=pk)
        lines = error_report_lines(job.failures.order_by("id").iterator())
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
        return response
