"""Console pages of bulk export: create (all endpoints or an imported segment), list with progress, download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render

from engage.errors import DomainError
from engage.tenancy.models import Capability
from engage.tenancy.web import TenantView, form_error
from segments.job_forms import ExportForm
from segments.models import ExportJob
from segments.services.exports import export_create, export_file_open

RECENT_JOBS = 50
FORM_FIELDS = {"S3UrlPrefix": "s3_url_prefix", "SegmentId": "segment"}


class ExportListView(TenantView):
    """GET the page (or, for HTMX, the job list alone); POST starts an export (export capability)."""

    write_capability = Capability.EXPORT

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        if request.headers.get("HX-Request") and request.GET.get("fragment") == "jobs":
            return render(request, "segments/_export_jobs.html", self._jobs())
        # `?segment=<id>` preselects an imported segment (the segment page's "Export endpoints…" link).
        return self._render(ExportForm(tenant=self.tenant, initial={"segment": request.GET.get("segment", "")}))

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        form = ExportForm(request.POST, tenant=self.tenant)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = export_create(
                    tenant=self.tenant, by=self.actor, segment=data["segment"], s3_url_prefix=data["s3_url_prefix"]
                )
            except DomainError as exc:
                exc.field = FORM_FIELDS.get(exc.field or "", exc.field)
                form_error(form, exc)
            else:
                messages.success(request, f"Export {job.pk} is queued; its progress shows below.")
                return redirect("segments:exports", tenant_id)
        return self._render(form, status=400)

    def _jobs(self) -> dict[str, Any]:
        jobs = list(ExportJob.objects.for_tenant(self.tenant).select_related("segment")[:RECENT_JOBS])
        return {
            "jobs": jobs,
            "running": any(not job.is_finished for job in jobs),
            "can_download": self.can(Capability.EXPORT),
        }

    def _render(self, form: ExportForm, status: int = 200) -> HttpResponse:
        context = {"form": form, "tab": "exports", "can_export": self.can(Capability.EXPORT), **self._jobs()}
        return render(self.request, "segments/exports.html", context, status=status)


class ExportDownloadView(TenantView):
    """The finished file, streamed (export capability)."""

    read_capability = Capability.EXPORT

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponseBase:
        job = get_object_or_404(ExportJob.objects.for_tenant(self.tenant).select_related("tenant"), pk=pk)
        try:
            handle, name = export_file_open(job=job)
        except DomainError as exc:
            messages.error(request, exc.message[:1].upper() + exc.message[1:] + ".")
            return redirect("segments:exports", tenant_id)
        return FileResponse(handle, as_attachment=True, filename=name, content_type="application/gzip")
