"""The event store: every ingested event and every system event (`_email.send`, `_campaign.send`, ...).

Built for volume: BigAutoField, bulk inserts, no foreign keys into it or out of it except the tenant, and
indexes that lead with (tenant, ..., arrival) so PostgreSQL range partitioning by arrival can be added later
without changing queries. Endpoint and user ids are stored as strings (no FK to Endpoint or Delivery).
"""

from __future__ import annotations

from django.db import models

from engage.tenancy.models import TenantScopedModel

RESERVED_EVENT_TYPES = frozenset(
    {
        "_session.start",
        "_session.stop",
        "_session.pause",
        "_session.resume",
        "_monetization.purchase",
        "_userauth.sign_in",
        "_userauth.sign_up",
        "_userauth.auth_fail",
    }
)
# System events are written by Engage itself (sends, deliveries, engagement); they never count as activity.
SYSTEM_PREFIXES = ("_email.", "_SMS.", "_sms.", "_campaign.", "_journey.", "_custom.", "_push.", "_voice.", "_inapp.")


def is_system_event(event_type: str) -> bool:
    return event_type.startswith(SYSTEM_PREFIXES)


class Event(TenantScopedModel):
    id = models.BigAutoField(primary_key=True)
    event_type = models.CharField(max_length=256)
    endpoint_id = models.CharField(max_length=256, blank=True)
    user_id = models.CharField(max_length=256, blank=True)
    client_event_id = models.CharField(max_length=256, blank=True, help_text="the key of the event in PutEvents")
    timestamp = models.DateTimeField(help_text="when it happened, as the client says")
    arrival = models.DateTimeField(help_text="when Engage received it")
    attributes = models.JSONField(default=dict, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    session = models.JSONField(null=True, blank=True)
    client = models.JSONField(default=dict, blank=True, help_text="AppPackageName, AppTitle, AppVersionCode, SDK")
    # For system events: what they belong to.
    campaign_id = models.CharField(max_length=64, blank=True)
    journey_id = models.CharField(max_length=64, blank=True)
    delivery_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "event_type", "arrival"], name="event_type_arrival"),
            models.Index(fields=["tenant", "endpoint_id", "arrival"], name="event_endpoint_arrival"),
            models.Index(fields=["tenant", "user_id", "arrival"], name="event_user_arrival"),
            # Event-stream export reads a tenant's events after a cursor, in id order.
            models.Index(fields=["tenant", "id"], name="event_tenant_id"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.endpoint_id} @ {self.arrival:%Y-%m-%d %H:%M:%S}"


# Registered here so Django finds the model under the `events` app label.
from engage.events.streams.models import EventStream  # noqa: E402

__all__ = ["RESERVED_EVENT_TYPES", "SYSTEM_PREFIXES", "Event", "EventStream", "is_system_event"]
