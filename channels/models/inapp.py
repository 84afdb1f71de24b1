"""In-app messages: what the `in_app` transport delivered, kept for the app to fetch, with its caps and counts.

The app fetches the eligible messages of its endpoint (GET .../endpoints/{id}/in-app-messages/) and reports
display, click and dismiss as `_inapp.message_*` events; the counts below are what those events raised, so the
session, daily and total caps hold on the server.
"""

from __future__ import annotations

from django.db import models

from engage.tenancy.models import TenantScopedModel


class InAppMessage(TenantScopedModel):
    """One in-app message for one endpoint. `message_key` is the CampaignId the app sees and reports back in its
    events' `campaign_id` attribute (the campaign, else the journey, else `inapp-<delivery id>`). Caps of 0 mean
    none. `session_id`/`session_count` count displays in the latest session seen, `day`/`day_count` in the latest
    UTC day seen."""

    id = models.BigAutoField(primary_key=True)
    endpoint_id = models.CharField(max_length=256)
    delivery = models.OneToOneField("channels.Delivery", on_delete=models.CASCADE, related_name="inapp_message")
    message_key = models.CharField(max_length=64)
    campaign_id = models.CharField(max_length=64, blank=True)
    journey_id = models.CharField(max_length=64, blank=True)
    treatment_id = models.CharField(max_length=16, blank=True)
    priority = models.PositiveSmallIntegerField(default=3, help_text="1 (highest) to 5, as Pinpoint")
    content = models.JSONField(default=dict, help_text="the rendered InApp content: Layout, Content, CustomConfig")
    schedule = models.JSONField(default=dict, blank=True, help_text="Pinpoint's InAppCampaignSchedule")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    session_cap = models.PositiveIntegerField(default=0)
    daily_cap = models.PositiveIntegerField(default=0)
    total_cap = models.PositiveIntegerField(default=0)
    displayed_count = models.PositiveIntegerField(default=0)
    clicked_count = models.PositiveIntegerField(default=0)
    dismissed_count = models.PositiveIntegerField(default=0)
    session_id = models.CharField(max_length=256, blank=True)
    session_count = models.PositiveIntegerField(default=0)
    day = models.DateField(null=True, blank=True)
    day_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "endpoint_id", "message_key"], name="inapp_endpoint_key"),
            models.Index(fields=["tenant", "endpoint_id", "priority", "-id"], name="inapp_endpoint_priority"),
        ]

    def __str__(self) -> str:
        return f"in-app {self.message_key} for {self.endpoint_id}"
