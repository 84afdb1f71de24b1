"""Import and export jobs (Pinpoint's CreateImportJob / CreateExportJob), run by workers on the imports queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from engage.tenancy.models import TenantScopedModel


class JobStatus(models.TextChoices):
    CREATED = "CREATED"
    PREPARING_FOR_INITIALIZATION = "PREPARING_FOR_INITIALIZATION"
    INITIALIZING = "INITIALIZING"
    PROCESSING = "PROCESSING"
    PENDING_JOB = "PENDING_JOB"
    COMPLETING = "COMPLETING"
    COMPLETED = "COMPLETED"
    FAILING = "FAILING"
    FAILED = "FAILED"


FINISHED = (JobStatus.COMPLETED, JobStatus.FAILED)


class Job(TenantScopedModel):
    """What import and export jobs share: status, progress counters, who and when, and the run's lease."""

    status = models.CharField(max_length=32, choices=JobStatus.choices, default=JobStatus.CREATED)
    segment = models.ForeignKey("segments.Segment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    total_pieces = models.PositiveIntegerField(default=0)
    completed_pieces = models.PositiveIntegerField(default=0)
    failed_pieces = models.PositiveIntegerField(default=0)
    total_processed = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The run that owns the job and when it last reported: a redelivered task only takes over a stale run.
    claim = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    def _percent(self, done: int, total: int) -> int:
        if self.status == JobStatus.COMPLETED:
            return 100
        return min(99, int(done * 100 / total)) if total else 0


class ImportJob(Job):
    class Format(models.TextChoices):
        CSV = "CSV"
        JSON = "JSON"

    format = models.CharField(max_length=8, choices=Format.choices)
    source = models.CharField(max_length=1024, help_text="s3://bucket/prefix, or the uploaded file's name")
    upload = models.FileField(upload_to="imports/", blank=True)
    define_segment = models.BooleanField(default=False)
    segment_name = models.CharField(max_length=255, blank=True)
    register_endpoints = models.BooleanField(default=True)
    external_id = models.CharField(max_length=255, blank=True)
    total_bytes = models.BigIntegerField(default=0)
    processed_bytes = models.BigIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    total_failures = models.PositiveIntegerField(default=0)

    class Meta(Job.Meta):
        abstract = False

    def __str__(self) -> str:
        return f"import {self.pk} ({self.source})"

    @property
    def progress_percent(self) -> int:
        return self._percent(self.processed_bytes, self.total_bytes)


class ImportFailure(models.Model):
    """One rejected row of an import: where it was and why (the downloadable error report)."""

    id = models.BigAutoField(primary_key=True)
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="failures")
    file = models.CharField(max_length=1024, blank=True)
    line = models.PositiveIntegerField()
    field = models.CharField(max_length=128, blank=True)
    reason = models.TextField()
    raw = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class ExportJob(Job):
    segment_version = models.PositiveIntegerField(null=True, blank=True)
    s3_url_prefix = models.CharField(max_length=1024, blank=True)
    file = models.FileField(upload_to="exports/", blank=True)
    total_endpoints = models.PositiveIntegerField(default=0)
    # Where the finished file went: an s3:// URL, or empty when it is kept for download (`file`).
    output = models.CharField(max_length=1024, blank=True)

    class Meta(Job.Meta):
        abstract = False

    def __str__(self) -> str:
        return f"export {self.pk}"

    @property
    def progress_percent(self) -> int:
        return self._percent(self.total_processed, self.total_endpoints)
