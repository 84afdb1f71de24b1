"""Endpoints (Pinpoint's schema: one row per device/address) and the tenant's custom attribute names."""

from __future__ import annotations

from django.db import models

from engage.tenancy.models import TenantScopedModel


class ChannelType(models.TextChoices):
    APNS = "APNS"
    APNS_SANDBOX = "APNS_SANDBOX"
    APNS_VOIP = "APNS_VOIP"
    APNS_VOIP_SANDBOX = "APNS_VOIP_SANDBOX"
    GCM = "GCM"
    BAIDU = "BAIDU"
    ADM = "ADM"
    EMAIL = "EMAIL"
    SMS = "SMS"
    VOICE = "VOICE"
    CUSTOM = "CUSTOM"
    IN_APP = "IN_APP"
    PUSH = "PUSH"


PUSH_CHANNELS = frozenset({"APNS", "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX", "GCM", "BAIDU", "ADM", "PUSH"})


class Endpoint(TenantScopedModel):
    class Status(models.TextChoices):
        ACTIVE = "ACTIVE"
        INACTIVE = "INACTIVE"

    class OptOut(models.TextChoices):
        ALL = "ALL"
        NONE = "NONE"

    id = models.BigAutoField(primary_key=True)
    endpoint_id = models.CharField(max_length=256)
    channel_type = models.CharField(max_length=24, choices=ChannelType.choices, blank=True)
    address = models.CharField(max_length=1024, blank=True)
    endpoint_status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    opt_out = models.CharField(max_length=4, choices=OptOut.choices, default=OptOut.NONE)
    attributes = models.JSONField(default=dict, blank=True)  # name -> [str, ...]
    metrics = models.JSONField(default=dict, blank=True)  # name -> number
    user_id = models.CharField(max_length=256, blank=True)
    user_attributes = models.JSONField(default=dict, blank=True)  # name -> [str, ...]
    # Demographic.* and Location.* are columns: segments filter on them on every campaign run.
    app_version = models.CharField(max_length=64, blank=True)
    locale = models.CharField(max_length=32, blank=True)
    make = models.CharField(max_length=64, blank=True)
    model = models.CharField(max_length=64, blank=True)
    model_version = models.CharField(max_length=64, blank=True)
    platform = models.CharField(max_length=64, blank=True)
    platform_version = models.CharField(max_length=64, blank=True)
    timezone = models.CharField(max_length=64, blank=True)
    city = models.CharField(max_length=128, blank=True)
    country = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    postal_code = models.CharField(max_length=32, blank=True)
    region = models.CharField(max_length=128, blank=True)
    cohort_id = models.CharField(max_length=4)
    effective_date = models.DateTimeField()
    creation_date = models.DateTimeField()
    request_id = models.CharField(max_length=64, blank=True)
    # Arrival of the latest non-system event; segment recency compiles to it.
    last_active_at = models.DateTimeField(null=True, blank=True)
    # Recorded consent (an Engage extension: EngageOptIn in the endpoint JSON); channels' ConsentPolicy reads it.
    opt_in_at = models.DateTimeField(null=True, blank=True)
    opt_in_source = models.CharField(max_length=255, blank=True, default="", db_default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "endpoint_id"], name="endpoint_unique_id")]
        indexes = [
            # varchar_pattern_ops (PostgreSQL; ignored elsewhere) serves both = and the console's prefix search.
            models.Index(
                fields=["tenant", "user_id"], name="endpoint_user", opclasses=["int8_ops", "varchar_pattern_ops"]
            ),
            models.Index(
                fields=["tenant", "address"], name="endpoint_address", opclasses=["int8_ops", "varchar_pattern_ops"]
            ),
            models.Index(
                fields=["tenant", "endpoint_id"],
                name="endpoint_id_prefix",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["tenant", "channel_type", "endpoint_status"], name="endpoint_channel"),
            models.Index(fields=["tenant", "last_active_at"], name="endpoint_recency"),
            # Keyset pages of a tenant's endpoints (segment members, campaign fan-out) walk (tenant, id).
            models.Index(fields=["tenant", "id"], name="endpoint_tenant_id"),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint_id} ({self.channel_type} {self.address})"

    @property
    def is_push(self) -> bool:
        return self.channel_type in PUSH_CHANNELS


class AttributeName(TenantScopedModel):
    """Every custom attribute/metric name a tenant has used (Pinpoint caps them at 250 per project)."""

    class Kind(models.TextChoices):
        ATTRIBUTE = "attribute"
        METRIC = "metric"
        USER_ATTRIBUTE = "user_attribute"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "kind", "name"], name="attribute_name_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"
