"""Display helpers of the import and export pages."""

from __future__ import annotations

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import filesizeformat

from segments.models import ExportJob, ImportJob

register = template.Library()


@register.filter
def progress_detail(job: ImportJob | ExportJob) -> str:
    """What the progress bar counts: bytes read of an import, endpoints written of an export."""
    if isinstance(job, ImportJob):
        if not job.total_bytes:
            return ""
        return f"{filesizeformat(job.processed_bytes)} of {filesizeformat(job.total_bytes)}"
    if not job.total_endpoints:
        return ""
    return f"{intcomma(job.total_processed)} of {intcomma(job.total_endpoints)} endpoints"
