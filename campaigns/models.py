"""Campaigns. This is the minimal model the console lands on; the campaigns work extends it by migration."""

from __future__ import annotations

from django.db import models

from engage.tenancy.models import TenantScopedModel


class Campaign(TenantScopedModel):
    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        SCHEDULED = "SCHEDULED", "Scheduled"
        EXECUTING = "EXECUTING", "Executing"
        PENDING_NEXT_RUN = "PENDING_NEXT_RUN", "Pending next run"
        COMPLETED = "COMPLETED", "Completed"
        PAUSED = "PAUSED", "Paused"
        DELETED = "DELETED", "Deleted"
        INVALID = "INVALID", "Invalid"

    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "status"], name="campaign_tenant_status")]

    def __str__(self) -> str:
        return self.name

    @property
    def can_edit(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.PAUSED)
