"""Addresses the tenant must never message (hard bounces, complaints, manual additions)."""

from __future__ import annotations

from django.db import models

from engage.tenancy.models import TenantScopedModel


class SuppressedAddress(TenantScopedModel):
    class Reason(models.TextChoices):
        BOUNCE = "BOUNCE", "Hard bounce"
        COMPLAINT = "COMPLAINT", "Complaint"
        MANUAL = "MANUAL", "Added manually"
        UNSUBSCRIBE = "UNSUBSCRIBE", "Unsubscribed"

    id = models.BigAutoField(primary_key=True)
    address = models.CharField(max_length=1024)
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.MANUAL)
    source = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "address"], name="suppressed_unique_address")]

    def __str__(self) -> str:
        return f"{self.address} ({self.reason})"
