"""Segments. Imported (static) segments are created by import jobs; the segments work adds dynamic criteria."""

from __future__ import annotations

from django.db import models

from engage.tenancy.models import TenantScopedModel, new_public_id


class Segment(TenantScopedModel):
    class Kind(models.TextChoices):
        DIMENSIONAL = "DIMENSIONAL"
        IMPORT = "IMPORT"

    public_id = models.CharField(
        max_length=32, default=new_public_id, editable=False, help_text="the SegmentId of the API (32 hex characters)"
    )
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.DIMENSIONAL)
    version = models.PositiveIntegerField(default=1)
    # Pinpoint's WriteSegmentRequest definition (Dimensions / SegmentGroups) for dynamic segments.
    definition = models.JSONField(default=dict, blank=True)
    # For IMPORT segments: where the rows came from (SegmentImportResource).
    import_format = models.CharField(max_length=8, blank=True)
    import_source = models.CharField(max_length=1024, blank=True)
    import_size = models.PositiveIntegerField(default=0)
    channel_counts = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "public_id"], name="segment_unique_public_id")]

    def __str__(self) -> str:
        return self.name


class SegmentVersion(models.Model):
    """The definition a segment had at each version; campaigns record the version they used."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    definition = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["segment", "version"], name="segment_version_unique")]

    def __str__(self) -> str:
        return f"{self.segment_id} v{self.version}"


class ImportedMember(models.Model):
    """An endpoint that belongs to an imported segment."""

    id = models.BigAutoField(primary_key=True)
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey("segments.Endpoint", on_delete=models.CASCADE, related_name="+")
    # The import that last confirmed this member; re-importing into the segment drops members it did not confirm.
    import_job = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["segment", "endpoint"], name="imported_member_unique")]

    def __str__(self) -> str:
        return f"{self.endpoint_id} in segment {self.segment_id}"


class AudienceGuard(models.Model):
    """A tenant-wide definition ANDed into every campaign's, journey's and test send's eligible set."""

    tenant = models.OneToOneField("tenancy.Tenant", on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=False)
    definition = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"audience guard of tenant {self.tenant_id} ({'on' if self.enabled else 'off'})"
