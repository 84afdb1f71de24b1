"""Frequency-cap reservations and SMS spend, both kept in the database so every worker sees one truth."""

from __future__ import annotations

from django.db import models

from engage.tenancy.models import TenantScopedModel


class CapReservation(TenantScopedModel):
    """One message counted against an endpoint's caps. `key` is the delivery key: reserving again is a no-op."""

    id = models.BigAutoField(primary_key=True)
    endpoint_id = models.CharField(max_length=256)
    key = models.CharField(max_length=255)
    campaign_id = models.CharField(max_length=64, blank=True)
    journey_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="capreservation_unique_key")]
        indexes = [models.Index(fields=["tenant", "endpoint_id", "at"], name="capreservation_endpoint_at")]

    def __str__(self) -> str:
        return f"{self.endpoint_id} @ {self.at:%Y-%m-%d %H:%M}"


class SmsSpend(TenantScopedModel):
    """SMS spend of a tenant in one calendar month (UTC), raised atomically as messages are sent."""

    month = models.DateField(help_text="the first day of the month")
    parts = models.BigIntegerField(default=0)
    millicents = models.BigIntegerField(default=0, help_text="USD millicents (1 USD = 100,000)")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "month"], name="smsspend_unique_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.millicents / 100_000:.2f} USD"
