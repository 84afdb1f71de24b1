"""A tenant's delivery settings: how long the ledger and events are kept, and the deliverability guard."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from engage.tenancy.models import TenantScopedModel

MIN_RETENTION_DAYS = 90


class DeliverySettings(TenantScopedModel):
    """One per tenant (created with defaults when first read)."""

    retention_days = models.PositiveIntegerField(
        default=MIN_RETENTION_DAYS,
        validators=[MinValueValidator(MIN_RETENTION_DAYS), MaxValueValidator(3650)],
        help_text="delivery ledger rows and events older than this are deleted (90–3650 days)",
    )
    guard_enabled = models.BooleanField(default=True, help_text="pause a channel config whose rates pass the limits")
    bounce_warn_pct = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("5.00"))
    bounce_pause_pct = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("10.00"))
    complaint_warn_pct = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.10"))
    complaint_pause_pct = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.50"))
    min_volume = models.PositiveIntegerField(
        default=100, help_text="messages sent in the window before the rates can pause anything"
    )
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "delivery settings"
        constraints = [models.UniqueConstraint(fields=["tenant"], name="deliverysettings_one_per_tenant")]

    def __str__(self) -> str:
        return f"keep {self.retention_days} days; guard {'on' if self.guard_enabled else 'off'}"
