"""Addresses the tenant must never message, the soft bounces counted towards suppressing one, and the tenant's
deliverability and consent policies."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from engage.tenancy.models import TenantScopedModel


class SuppressionChannel(models.TextChoices):
    """The channels a suppression or consent policy can name (the values of templates.Channel)."""

    EMAIL = "EMAIL", "Email"
    SMS = "SMS", "SMS"
    VOICE = "VOICE", "Voice"
    PUSH = "PUSH", "Push notification"
    INAPP = "INAPP", "In-app"
    ALIMTALK = "ALIMTALK", "KakaoTalk AlimTalk"
    CUSTOM = "CUSTOM", "Custom"


class SuppressedAddress(TenantScopedModel):
    """One address on the list, for one channel or (channel "") for all. Addresses are stored normalised
    (segments.addresses): email lower-cased, phone numbers in E.164."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "HARD_BOUNCE", "Hard bounce"
        SOFT_BOUNCE = "SOFT_BOUNCE", "Repeated soft bounces"
        COMPLAINT = "COMPLAINT", "Complaint"
        UNSUBSCRIBE = "UNSUBSCRIBE", "Unsubscribed"
        SMS_STOP = "SMS_STOP", "SMS STOP"
        MANUAL = "MANUAL", "Added manually"
        IMPORT = "IMPORT", "Imported"

    Channel = SuppressionChannel

    id = models.BigAutoField(primary_key=True)
    address = models.CharField(max_length=1024)
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.MANUAL)
    channel = models.CharField(
        max_length=16, choices=SuppressionChannel.choices, blank=True, default="", help_text="empty = every channel"
    )
    source = models.CharField(max_length=255, blank=True, help_text='e.g. "ses-feedback", "manual", "import:<file>"')
    note = models.CharField(max_length=1000, blank=True)
    created_by = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "suppressed addresses"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "address", "channel"], name="suppressed_unique_address_channel")
        ]
        indexes = [
            # varchar_pattern_ops (PostgreSQL; ignored elsewhere) serves the console's starts-with search.
            models.Index(
                fields=["tenant", "address"],
                name="suppressed_address_prefix",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            # Newest-first pages of one tenant's list.
            models.Index(fields=["tenant", "id"], name="suppressed_tenant_id"),
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.reason}{', ' + self.channel if self.channel else ''})"


class BounceRecord(TenantScopedModel):
    """One soft bounce of an address. Only the tenant's window is kept: older rows are pruned as new ones
    arrive, so the table stays as small as the bounce rate."""

    id = models.BigAutoField(primary_key=True)
    address = models.CharField(max_length=1024)
    source = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["tenant", "address", "at"], name="bouncerecord_address_at")]

    def __str__(self) -> str:
        return f"{self.address} soft bounce @ {self.at:%Y-%m-%d %H:%M}"


class DeliverabilityPolicy(TenantScopedModel):
    """How many soft bounces within how many days suppress an address (default: 3 within 7 days)."""

    DEFAULT_THRESHOLD = 3
    DEFAULT_WINDOW_DAYS = 7

    soft_bounce_threshold = models.PositiveSmallIntegerField(
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="soft bounces that suppress an address (1–100)",
    )
    soft_bounce_window_days = models.PositiveSmallIntegerField(
        default=DEFAULT_WINDOW_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="counted within this many days (1–90)",
    )
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "deliverability policies"
        constraints = [models.UniqueConstraint(fields=["tenant"], name="deliverabilitypolicy_one_per_tenant")]

    def __str__(self) -> str:
        return f"{self.soft_bounce_threshold} soft bounces in {self.soft_bounce_window_days} days"


class ConsentPolicy(TenantScopedModel):
    """Whether a channel needs a recorded opt-in (Endpoint.opt_in_at) before messages go out.

    `applies_to` PROMOTIONAL exempts transactional sends (the transactional send API and test messages);
    ALL requires the opt-in for every message on the channel.
    """

    class AppliesTo(models.TextChoices):
        PROMOTIONAL = "PROMOTIONAL", "Campaigns and journeys"
        ALL = "ALL", "All messages"

    channel = models.CharField(max_length=16, choices=SuppressionChannel.choices)
    require_opt_in = models.BooleanField(default=False)
    applies_to = models.CharField(max_length=16, choices=AppliesTo.choices, default=AppliesTo.PROMOTIONAL)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "consent policies"
        ordering = ["channel"]
        constraints = [models.UniqueConstraint(fields=["tenant", "channel"], name="consentpolicy_unique_channel")]

    def __str__(self) -> str:
        needed = "opt-in required" if self.require_opt_in else "no opt-in required"
        return f"{self.channel}: {needed} ({self.get_applies_to_display().lower()})"

    def requires(self, *, transactional: bool) -> bool:
        """Whether a send of this kind needs the recipient's recorded opt-in."""
        return self.require_opt_in and (self.applies_to == self.AppliesTo.ALL or not transactional)
