"""A tenant's channel configurations: which provider sends each channel, as whom, how fast."""

from __future__ import annotations

from typing import Any

from django.db import models

from engage.crypto import EncryptedTextField
from engage.tenancy.models import TenantScopedModel
from templates.models import Channel


class Provider(models.TextChoices):
    SANDBOX = "sandbox", "Sandbox (Outbox)"
    SMTP = "smtp", "SMTP"
    SES = "ses", "Amazon SES"
    EUM_SMS = "eum_sms", "AWS End User Messaging SMS"
    EUM_VOICE = "eum_voice", "AWS End User Messaging Voice"
    PUSH = "push", "AWS End User Messaging Push"
    WEBHOOK = "webhook", "Signed webhook"
    KAKAO_ALIMTALK = "kakao_alimtalk", "KakaoTalk AlimTalk (NHN Cloud)"
    IN_APP = "in_app", "In-app messages (stored for the app)"


# Which providers can carry which channel.
PROVIDERS_FOR_CHANNEL: dict[str, tuple[str, ...]] = {
    Channel.EMAIL: (Provider.SANDBOX, Provider.SES, Provider.SMTP),
    Channel.SMS: (Provider.SANDBOX, Provider.EUM_SMS),
    Channel.VOICE: (Provider.SANDBOX, Provider.EUM_VOICE),
    Channel.PUSH: (Provider.SANDBOX, Provider.PUSH),
    Channel.CUSTOM: (Provider.SANDBOX, Provider.WEBHOOK),
    Channel.ALIMTALK: (Provider.SANDBOX, Provider.KAKAO_ALIMTALK),
    Channel.INAPP: (Provider.SANDBOX, Provider.IN_APP),
}


class ChannelConfig(TenantScopedModel):
    """How one channel is sent. `settings` holds the provider's non-secret options (sender identity,
    configuration set, region, URL...); `secrets` holds a JSON object of credentials, encrypted at rest and
    never shown again after saving. A channel without an enabled config sends through the sandbox."""

    name = models.CharField(max_length=100)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    provider = models.CharField(max_length=16, choices=Provider.choices, default=Provider.SANDBOX)
    enabled = models.BooleanField(default=True)
    is_default = models.BooleanField(default=True, help_text="the config campaigns and journeys use for the channel")
    messages_per_second = models.PositiveIntegerField(
        default=0, help_text="0 = no limit of ours (the provider's published quota still applies)"
    )
    provider_max_rate = models.FloatField(
        null=True, blank=True, help_text="the provider's published send rate (SES GetAccount MaxSendRate)"
    )
    settings = models.JSONField(default=dict, blank=True)
    secrets = EncryptedTextField(blank=True)
    # The deliverability guard: rolling rates as last computed, and a pause it (or an admin) set.
    guard = models.JSONField(default=dict, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_reason = models.CharField(max_length=500, blank=True)
    last_check_at = models.DateTimeField(null=True, blank=True)
    last_check = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["channel", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="channelconfig_unique_name"),
            models.UniqueConstraint(
                fields=["tenant", "channel"],
                condition=models.Q(is_default=True),
                name="channelconfig_one_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_channel_display()} via {self.get_provider_display()})"

    @property
    def effective_rate(self) -> float:
        """Messages per second all workers together may send: ours and the provider's, whichever is lower
        (0 = unlimited)."""
        rates = [r for r in (float(self.messages_per_second), self.provider_max_rate or 0.0) if r > 0]
        return min(rates) if rates else 0.0

    def setting(self, name: str, default: Any = "") -> Any:
        return (self.settings or {}).get(name, default)


class EmailIdentity(TenantScopedModel):
    """An SES identity (address or domain) as SES last reported it; From addresses must be verified."""

    class Kind(models.TextChoices):
        EMAIL_ADDRESS = "EMAIL_ADDRESS", "Email address"
        DOMAIN = "DOMAIN", "Domain"

    config = models.ForeignKey(ChannelConfig, on_delete=models.CASCADE, related_name="identities")
    identity = models.CharField(max_length=320)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    verified = models.BooleanField(default=False)
    verification_status = models.CharField(max_length=32, blank=True)
    dkim_status = models.CharField(max_length=32, blank=True)
    dkim_tokens = models.JSONField(default=list, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["identity"]
        constraints = [models.UniqueConstraint(fields=["config", "identity"], name="emailidentity_unique")]

    def __str__(self) -> str:
        return self.identity
