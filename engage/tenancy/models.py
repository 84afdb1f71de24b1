"""Tenants (Pinpoint projects), who belongs to them, API keys and the audit trail."""

from __future__ import annotations

import uuid
import zoneinfo
from typing import Any, ClassVar, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from engage.crypto import EncryptedTextField
from engage.errors import Invalid

M = TypeVar("M", bound=models.Model)


def new_public_id() -> str:
    return uuid.uuid4().hex


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone (for example Europe/Berlin or Asia/Seoul)")


class Capability(models.TextChoices):
    VIEW = "view", "Read everything in the tenant"
    EXPORT = "export", "Export data"
    INGEST = "ingest", "Write endpoints and events"
    EDIT = "edit", "Create, edit and launch segments, templates, campaigns and journeys"
    MANAGE = "manage", "Manage settings, members and API keys"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MARKETER = "marketer", "Marketer"
    ANALYST = "analyst", "Analyst"
    VIEWER = "viewer", "Viewer"


_ALL = frozenset(Capability)
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.OWNER: _ALL,
    Role.ADMIN: _ALL,
    Role.MARKETER: frozenset({Capability.VIEW, Capability.EXPORT, Capability.INGEST, Capability.EDIT}),
    Role.ANALYST: frozenset({Capability.VIEW, Capability.EXPORT}),
    Role.VIEWER: frozenset({Capability.VIEW}),
}

tenant_name_validator = RegexValidator(
    r"^[A-Za-z0-9 ,.@_=+\-]{1,64}$",
    "Use 1–64 letters, digits, spaces or , . @ _ = + - in the name.",
)


def validate_hook_url(value: str) -> None:
    """The default campaign hook follows the webhook URL rules (https, no credentials, no private addresses)."""
    from channels.transports.httpclient import Unresolvable, webhook_url_check  # channels builds on tenancy

    try:
        webhook_url_check(value)
    except Unresolvable:
        pass  # a name that does not resolve now may later: the planner retries, then skips with a reason
    except Invalid as exc:
        raise ValidationError(exc.message) from None


class Tenant(models.Model):
    """The unit of isolation; equals a Pinpoint project (its public id is the ApplicationId)."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=64, validators=[tenant_name_validator])
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    # Project defaults as in Pinpoint's general settings; empty means "no limit".
    quiet_time_start = models.TimeField(null=True, blank=True)
    quiet_time_end = models.TimeField(null=True, blank=True)
    campaign_daily_cap = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Most messages an endpoint receives from all campaigns in a rolling 24 hours.",
    )
    campaign_total_cap = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Most messages an endpoint receives from one campaign across all its runs.",
    )
    messages_per_second = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(50), MaxValueValidator(20000)],
        help_text="Campaign send rate (50–20,000 per second).",
    )
    campaign_max_duration = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(60)],
        help_text="Seconds after a run's scheduled start that sending may continue (at least 60).",
    )
    campaign_hook_url = models.CharField(
        max_length=2048,
        blank=True,
        validators=[validate_hook_url],
        help_text="https:// only. Empty: no default hook.",
    )
    journey_daily_cap = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Most messages an endpoint receives from all journeys in a rolling 24 hours.",
    )
    journey_timeframe_cap = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Most journey messages an endpoint receives within the time frame below.",
    )
    journey_timeframe_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="Length of that time frame in days (1–30).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.quiet_time_start is None) != (self.quiet_time_end is None):
            raise ValidationError({"quiet_time_end": "Set both the start and the end of quiet time, or neither."})
        if (self.journey_timeframe_cap is None) != (self.journey_timeframe_days is None):
            raise ValidationError({"journey_timeframe_days": "Set both the time-frame cap and its days, or neither."})


class TenantQuerySet(models.QuerySet[M], Generic[M]):
    def for_tenant(self, tenant: Tenant) -> TenantQuerySet[M]:
        return self.filter(tenant=tenant)


class TenantScopedModel(models.Model):
    """Base of every tenant-owned row: a tenant FK and a `.for_tenant(tenant)` queryset."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")

    objects: ClassVar[Any] = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class Membership(TenantScopedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique_user")]
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant} ({self.role})"

    @property
    def capabilities(self) -> frozenset[str]:
        return ROLE_CAPABILITIES[self.role]


class MemberRemoval(TenantScopedModel):
    """Someone an admin took out of the tenant: single sign-on does not let them back in until invited again."""

    email = models.EmailField()
    removed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "email"], name="member_removal_unique_email")]

    def __str__(self) -> str:
        return f"{self.email} removed from {self.tenant}"


class ApiKey(models.Model):
    """An access key id + secret. Tenant keys act inside one tenant; operator keys only manage tenants."""

    class Role(models.TextChoices):
        INGEST = "ingest", "Ingest (endpoints and events only)"
        MARKETER = "marketer", "Marketer"
        ADMIN = "admin", "Admin"
        OPERATOR = "operator", "Operator (manages tenants)"

    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    key_id = models.CharField(max_length=32, unique=True)
    # Stored encrypted, not hashed: SigV4 verification needs the secret itself.
    secret = EncryptedTextField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MARKETER)
    allowed_cidrs = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # Not a TenantScopedModel (operator keys have no tenant), but tenant views scope it the same way.
    objects: ClassVar[Any] = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="operator", tenant__isnull=True)
                | (~models.Q(role="operator") & models.Q(tenant__isnull=False)),
                name="apikey_operator_has_no_tenant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def capabilities(self) -> frozenset[str]:
        return API_KEY_CAPABILITIES[self.role]


# The roles a tenant's own key may have (operator keys belong to no tenant).
TENANT_KEY_ROLES = [choice for choice in ApiKey.Role.choices if choice[0] != ApiKey.Role.OPERATOR]

API_KEY_CAPABILITIES: dict[str, frozenset[str]] = {
    ApiKey.Role.INGEST: frozenset({Capability.INGEST}),
    ApiKey.Role.MARKETER: frozenset({Capability.VIEW, Capability.EXPORT, Capability.INGEST, Capability.EDIT}),
    ApiKey.Role.ADMIN: _ALL,
    ApiKey.Role.OPERATOR: frozenset(),
}


class AuditLog(models.Model):
    """Who did what to which object in which tenant (null tenant: an operator action)."""

    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=255)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    objects: ClassVar[Any] = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="audit_tenant_time")]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.target_repr}"
