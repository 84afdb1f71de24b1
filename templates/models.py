"""Message templates (one channel each, keyed like Pinpoint by name + channel) and their numbered versions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from engage.tenancy.models import TenantScopedModel

NAME_MAX = 128
VERSION_DESCRIPTION_MAX = 500
MAX_VERSIONS = 5_000
MAX_TAGS = 50

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$"
template_name_validator = RegexValidator(
    NAME_PATTERN,
    "Start with a letter or digit and use up to 128 letters, digits, hyphens (-) or underscores (_).",
)


class Channel(models.TextChoices):
    EMAIL = "EMAIL", "Email"
    SMS = "SMS", "SMS"
    PUSH = "PUSH", "Push notification"
    VOICE = "VOICE", "Voice"
    INAPP = "INAPP", "In-app"
    ALIMTALK = "ALIMTALK", "KakaoTalk AlimTalk"
    CUSTOM = "CUSTOM", "Custom"


class MissingVariablePolicy(models.TextChoices):
    EMPTY = "EMPTY", "Render empty"
    DEFAULT = "DEFAULT", "Use the default value"
    SKIP = "SKIP", "Skip the recipient"


class VersionBinding(models.TextChoices):
    """How a campaign or journey message picks its template version (Pinpoint's "template version behaviour")."""

    FROZEN = "FROZEN", "The version active now (frozen)"
    AT_SEND = "AT_SEND", "The version active when the message is sent"


class MessageTemplate(TenantScopedModel):
    """A named template for one channel; its content lives in versions, two of which are pointed at."""

    name = models.CharField(max_length=NAME_MAX, validators=[template_name_validator])
    channel = models.CharField(max_length=16, choices=Channel.choices)
    tags = models.JSONField(default=dict, blank=True)
    missing_variable_policy = models.CharField(
        max_length=8, choices=MissingVariablePolicy.choices, default=MissingVariablePolicy.DEFAULT
    )
    active_version = models.ForeignKey(
        "TemplateVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    latest_version = models.ForeignKey(
        "TemplateVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The highest number ever handed out: numbers are never reused, whatever happens to the rows.
    last_version_number = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "channel", "name"], name="template_unique_name_per_channel")
        ]
        indexes = [models.Index(fields=["tenant", "-updated_at"], name="template_recent")]

    def __str__(self) -> str:
        return f"{self.name} ({self.channel})"

    @property
    def description(self) -> str:
        return self.latest_version.description if self.latest_version_id and self.latest_version else ""


class TemplateVersion(TenantScopedModel):
    """One numbered snapshot: the channel content, its default substitutions and its description."""

    template = models.ForeignKey(MessageTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField(default=dict, blank=True)
    # Variable path (e.g. "User.UserAttributes.FirstName") → default value. Pinpoint sends it as a JSON string.
    default_substitutions = models.JSONField(default=dict, blank=True)
    description = models.CharField(max_length=VERSION_DESCRIPTION_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_label = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="template_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"
