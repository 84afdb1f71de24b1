"""A campaign: Pinpoint's WriteCampaignRequest as columns (what the scheduler and planner query) and JSON
(message and template configurations, treatments, hook, event filter — stored as written, checked on save)."""

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

    class Frequency(models.TextChoices):
        ONCE = "ONCE", "Once"
        HOURLY = "HOURLY", "Hourly"
        DAILY = "DAILY", "Daily"
        WEEKLY = "WEEKLY", "Weekly"
        MONTHLY = "MONTHLY", "Monthly"
        EVENT = "EVENT", "When an event occurs"
        IN_APP_EVENT = "IN_APP_EVENT", "In-app event"

    class NoTimezone(models.TextChoices):
        SKIP = "SKIP", "Skip endpoints without a time zone"
        CAMPAIGN_ZONE = "CAMPAIGN_ZONE", "Send in the campaign's time zone"

    class QuietTimeAction(models.TextChoices):
        HOLD = "HOLD", "Hold until quiet time ends"
        DROP = "DROP", "Drop"

    ACTIVE = (Status.SCHEDULED, Status.EXECUTING, Status.PENDING_NEXT_RUN)

    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.DRAFT)
    # Active campaigns keep their segment through the segments' usage check; a draft just loses it.
    segment = models.ForeignKey("segments.Segment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    segment_version = models.PositiveIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=16, blank=True)
    message_configuration = models.JSONField(default=dict, blank=True)
    template_configuration = models.JSONField(default=dict, blank=True)
    treatment_name = models.CharField(max_length=255, blank=True)
    treatment_description = models.TextField(blank=True)
    additional_treatments = models.JSONField(default=list, blank=True, help_text="WriteTreatmentResource list")
    fallbacks = models.JSONField(default=list, blank=True, help_text="[{Channel, MessageConfiguration, ...}]")
    holdout_percent = models.PositiveSmallIntegerField(default=0)
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    tags = models.JSONField(default=dict, blank=True)
    # Limits (None = the tenant's default, or none)
    daily_cap = models.PositiveSmallIntegerField(null=True, blank=True)
    total_cap = models.PositiveSmallIntegerField(null=True, blank=True)
    messages_per_second = models.PositiveIntegerField(null=True, blank=True)
    maximum_duration = models.PositiveIntegerField(null=True, blank=True, help_text="seconds")
    session_cap = models.PositiveSmallIntegerField(null=True, blank=True)
    # Schedule
    start_immediate = models.BooleanField(default=False)
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    frequency = models.CharField(max_length=16, choices=Frequency.choices, default=Frequency.ONCE)
    is_local_time = models.BooleanField(default=False)
    timezone = models.CharField(max_length=64, blank=True, help_text="IANA name or UTC±HH[:MM]")
    quiet_time_start = models.TimeField(null=True, blank=True)
    quiet_time_end = models.TimeField(null=True, blank=True)
    event_filter = models.JSONField(null=True, blank=True)
    no_timezone = models.CharField(max_length=16, choices=NoTimezone.choices, default=NoTimezone.SKIP)
    quiet_time_action = models.CharField(max_length=8, choices=QuietTimeAction.choices, default=QuietTimeAction.HOLD)
    hook = models.JSONField(null=True, blank=True)
    custom_delivery = models.JSONField(null=True, blank=True)
    is_paused = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    next_run_at = models.DateTimeField(null=True, blank=True)
    # With per-treatment schedules: when each schedule group ("" the campaign's, else a treatment id) is due next;
    # next_run_at is then the earliest of them. Empty without treatment schedules.
    schedule_next = models.JSONField(default=dict, blank=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "status"], name="campaign_tenant_status"),
            models.Index(
                fields=["next_run_at"],
                condition=models.Q(status__in=["SCHEDULED", "EXECUTING", "PENDING_NEXT_RUN"]),
                name="campaign_due",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def can_edit(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.PAUSED)

    @property
    def can_launch(self) -> bool:
        return self.status == self.Status.DRAFT
