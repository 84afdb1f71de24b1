"""A tenant's event-stream destinations and where each one's export has got to."""

from __future__ import annotations

from django.db import models

from engage.crypto import EncryptedTextField
from engage.tenancy.models import TenantScopedModel

# What the export writes as it delivers: shown everywhere, edited nowhere.
DELIVERY_STATE_FIELDS = (
    "cursor",
    "exported_count",
    "last_success_at",
    "last_error",
    "last_error_at",
    "failures",
    "next_attempt_at",
)


class EventStream(TenantScopedModel):
    """One destination. `cursor` is the id of the last Event the destination accepted."""

    class Kind(models.TextChoices):
        S3 = "s3", "Amazon S3"
        KINESIS = "kinesis", "Kinesis Data Streams"
        FIREHOSE = "firehose", "Amazon Data Firehose"
        WEBHOOK = "webhook", "Signed webhook"

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    enabled = models.BooleanField(default=True)
    # Where records go (which fields apply depends on the kind).
    bucket = models.CharField(max_length=63, blank=True)
    prefix = models.CharField(max_length=512, blank=True)
    stream_name = models.CharField(max_length=2048, blank=True, help_text="Kinesis stream name or ARN; Firehose name")
    url = models.CharField(max_length=2048, blank=True)
    webhook_secret = EncryptedTextField(blank=True)
    timeout_seconds = models.PositiveSmallIntegerField(default=10)
    # AWS access: empty keys mean the default credential chain (environment, instance or task role).
    region = models.CharField(max_length=32, blank=True)
    endpoint_url = models.CharField(max_length=2048, blank=True)
    access_key_id = EncryptedTextField(blank=True)
    secret_access_key = EncryptedTextField(blank=True)
    # Export state.
    cursor = models.BigIntegerField(default=0)
    exported_count = models.BigIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="consecutive failed attempts")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="eventstream_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def is_aws(self) -> bool:
        return self.kind != self.Kind.WEBHOOK

    @property
    def uses_access_key(self) -> bool:
        return bool(self.access_key_id and self.secret_access_key)

    @property
    def s3_url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.bucket else ""

    @property
    def target(self) -> str:
        """Where records go, in one line for lists and logs."""
        if self.kind == self.Kind.S3:
            return self.s3_url
        if self.kind == self.Kind.WEBHOOK:
            return self.url
        return self.stream_name
