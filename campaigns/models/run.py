"""One execution of a campaign. Unique per (campaign, scheduled_for), so a tick that fires twice, or catches up
after beat was down, starts each occurrence once."""

from __future__ import annotations

from django.db import models

from engage.tenancy.models import TenantScopedModel


class CampaignRun(TenantScopedModel):
    class Status(models.TextChoices):
        PLANNING = "PLANNING", "Planning"
        SENDING = "SENDING", "Sending"
        COMPLETED = "COMPLETED", "Completed"
        STOPPED = "STOPPED", "Stopped"

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="runs")
    scheduled_for = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNING)
    cursor = models.BigIntegerField(default=0, help_text="the last endpoint (pk) planned: planning resumes after it")
    planned = models.PositiveIntegerField(default=0)
    held_out = models.PositiveIntegerField(default=0, help_text="segment members in the holdout group")
    dispatches = models.JSONField(default=dict, blank=True, help_text="treatment id → dispatch id")
    treatments = models.JSONField(default=list, blank=True, help_text="the treatment ids it plans (empty: all)")
    # An event-triggered campaign's day (UTC): its dispatches are one per event batch and treatment, found by run_id.
    triggered = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True, help_text="ledger counts when the run completed")
    created_at = models.DateTimeField()
    planned_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "scheduled_for"], name="campaignrun_unique_occurrence")
        ]
        indexes = [models.Index(fields=["status"], name="campaignrun_status")]

    def __str__(self) -> str:
        return f"{self.campaign_id} @ {self.scheduled_for:%Y-%m-%d %H:%M}"
