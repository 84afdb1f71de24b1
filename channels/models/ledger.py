"""The message ledger: one Delivery row per message, grouped by the Dispatch that says what to send.

A Dispatch is one message for many recipients (a campaign run's treatment, a journey activity, one
transactional request): its channel config, the source ids, and a snapshot of the content to render. Its
Delivery rows are split into numbered chunks; one send task claims and sends one chunk.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models

from engage.tenancy.models import TenantScopedModel
from templates.models import Channel


class Source(models.TextChoices):
    CAMPAIGN = "campaign", "Campaign"
    JOURNEY = "journey", "Journey"
    TRANSACTIONAL = "transactional", "Transactional"
    TEST = "test", "Test message"


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    HELD = "held", "Held (quiet time)"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
    EXPIRED = "expired", "Expired"
    UNKNOWN = "unknown", "Unknown"


PENDING_STATUSES = (Status.QUEUED, Status.HELD, Status.SENDING)
TERMINAL_STATUSES = (
    Status.SENT,
    Status.DELIVERED,
    Status.FAILED,
    Status.SKIPPED,
    Status.EXPIRED,
    Status.UNKNOWN,
)


class Reason(models.TextChoices):
    NONE = "", "—"
    CAP = "cap", "Frequency cap reached"
    OPT_OUT = "opt_out", "Recipient opted out"
    SUPPRESSED = "suppressed", "Address on the suppression list"
    NO_CONSENT = "no_consent", "No recorded opt-in for a channel that requires one"
    NO_TIMEZONE = "no_timezone", "No time zone for a local-time send"
    QUIET_TIME = "quiet_time", "Quiet time"
    RENDERING_FAILURE = "rendering_failure", "The template could not be rendered"
    SPEND_LIMIT = "spend_limit", "Monthly SMS spend limit reached"
    FALLBACK = "fallback", "Sent on a fallback channel"
    THROTTLED = "throttled", "Throttled by the provider; retrying"
    NO_ADDRESS = "no_address", "No address for the channel"
    INACTIVE = "inactive", "Endpoint inactive"
    DUPLICATE = "duplicate", "Same address twice in one request"
    CHANNEL_DISABLED = "channel_disabled", "Channel disabled"
    PROVIDER_REJECTED = "provider_rejected", "The provider refused the message"
    PROVIDER_ERROR = "provider_error", "The provider failed repeatedly"
    WORKER_LOST = "worker_lost", "The worker stopped while the provider had the message"
    EXPIRED = "expired", "Not sent before the message expired"
    HOOK_DROPPED = "hook_dropped", "The campaign hook left the endpoint out"
    HOOK_FAILED = "hook_failed", "The campaign hook did not answer"


class Dispatch(TenantScopedModel):
    """What to send to a set of Delivery rows. `message` is a self-contained snapshot:
    {"channel", "content", "default_substitutions", "policy", "options", "template": {...} | None}."""

    config = models.ForeignKey(
        "channels.ChannelConfig", null=True, blank=True, on_delete=models.PROTECT, related_name="dispatches"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    provider = models.CharField(max_length=16, help_text="the provider when the dispatch was made")
    source = models.CharField(max_length=16, choices=Source.choices)
    campaign_id = models.CharField(max_length=64, blank=True)
    run_id = models.CharField(max_length=64, blank=True)
    treatment_id = models.CharField(max_length=16, blank=True)
    journey_id = models.CharField(max_length=64, blank=True)
    activity_id = models.CharField(max_length=64, blank=True)
    message = models.JSONField(default=dict)
    chunks = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Transactional requests: the client's Idempotency-Key and the per-recipient results it was answered with.
    # Channel fallback: the next hop's dispatch, and how long after sending a hard bounce still moves on.
    fallback = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    fallback_window = models.DurationField(default=timedelta(hours=1))
    request_key = models.CharField(max_length=255, blank=True)
    response = models.JSONField(null=True, blank=True)
    created_by = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "request_key"],
                condition=~models.Q(request_key=""),
                name="dispatch_unique_request_key",
            )
        ]
        indexes = [models.Index(fields=["tenant", "source", "created_at"], name="dispatch_source_created")]

    def __str__(self) -> str:
        return f"{self.source} {self.channel} dispatch {self.pk}"


class Delivery(TenantScopedModel):
    """One message to one recipient. `key` is unique per tenant: planning the same message twice inserts
    nothing new. `attempted_at` is set just before the provider gets the message: a row still `sending`
    past its lease without it was never handed over (safe to send again); with it, its fate is unknown."""

    id = models.BigAutoField(primary_key=True)
    # No single-column indexes on the two foreign keys: delivery_unique_key (tenant, key) and delivery_chunk_status
    # (dispatch, chunk, status) lead with them, and each index is one more write per ledger row inserted or moved.
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False)
    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    chunk = models.PositiveIntegerField(default=0)
    key = models.CharField(max_length=255)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    endpoint_id = models.CharField(max_length=256, blank=True)
    user_id = models.CharField(max_length=256, blank=True)
    address = models.CharField(max_length=1024, blank=True)
    context = models.JSONField(null=True, blank=True, help_text="per-recipient substitutions and overrides")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=24, choices=Reason.choices, blank=True, default="")
    status_message = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True, help_text="retry no earlier than this")
    lease_until = models.DateTimeField(null=True, blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()
    parts = models.PositiveSmallIntegerField(default=0, help_text="SMS message parts")
    price_millicents = models.BigIntegerField(default=0, help_text="SMS price in USD millicents")
    # The sandbox writes the rendered message here in the same transaction that marks the row sent (the Outbox).
    payload = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="delivery_unique_key")]
        indexes = [
            models.Index(fields=["dispatch", "chunk", "status"], name="delivery_chunk_status"),
            models.Index(
                fields=["status", "lease_until"],
                condition=models.Q(status__in=["queued", "sending"]),
                name="delivery_pending",
            ),
            models.Index(fields=["tenant", "provider_message_id"], name="delivery_provider_id"),
            models.Index(fields=["tenant", "endpoint_id", "queued_at"], name="delivery_endpoint"),
            models.Index(fields=["tenant", "-id"], condition=models.Q(payload__isnull=False), name="delivery_outbox"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.address or self.endpoint_id}: {self.status}"
