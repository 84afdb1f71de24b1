"""Console forms of channels. They only shape input (lines of text into lists); the services validate and
name the field to fix."""

from __future__ import annotations

import re
import secrets as tokens
from typing import Any

from django import forms

from channels.models import ChannelConfig, Provider
from channels.services.config_fields import AWS_PROVIDERS, PROVIDER_SECRETS, PROVIDER_SETTINGS
from channels.transports.common import config_secrets
from segments.models.endpoint import ChannelType

_SECRET = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
_LINES = {"rows": 4, "class": "mono", "spellcheck": "false"}
COMMON = ("name", "enabled", "is_default", "messages_per_second")
SECRET_LABELS = {
    "aws_access_key_id": "Access key id",
    "aws_secret_access_key": "Secret access key",
    "password": "SMTP password",
    "signing_secret": "Signing secret",
}
# How each provider's fields are grouped on the page: (title, field names).
AWS_SECTION = (
    "AWS access",
    ("region", "endpoint_url", "aws_access_key_id", "aws_secret_access_key", "default_credentials"),
)
SECTIONS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    Provider.SANDBOX: [],
    Provider.SES: [
        ("Sender", ("from_address", "from_name", "reply_to", "configuration_set")),
        ("Unsubscribe", ("list_unsubscribe", "unsubscribe_mailto")),
        AWS_SECTION,
    ],
    Provider.SMTP: [
        ("Server", ("host", "port", "security", "timeout_seconds", "username", "password")),
        ("Sender", ("from_address", "from_name")),
        ("Unsubscribe", ("list_unsubscribe", "unsubscribe_mailto")),
    ],
    Provider.EUM_SMS: [
        ("Sending", ("message_type", "sender_id", "configuration_set")),
        ("Origination identities", ("origination_identities",)),
        ("Spend", ("prices", "monthly_spend_limit_usd")),
        AWS_SECTION,
    ],
    Provider.EUM_VOICE: [
        ("Calls", ("origination_number", "voice_id", "language_code", "message_body_type", "configuration_set")),
        AWS_SECTION,
    ],
    Provider.PUSH: [("Push application", ("application_id", "time_to_live", "priority")), AWS_SECTION],
    Provider.WEBHOOK: [("Webhook", ("url", "timeout_seconds", "endpoint_types", "signing_secret"))],
    Provider.KAKAO_ALIMTALK: [
        ("NHN Cloud KakaoTalk Bizmessage", ("appkey", "sender_key", "base_url", "timeout_seconds")),
        ("Credentials", ("secret_key", "webhook_signature")),
    ],
    Provider.IN_APP: [],
}
WIDE = ("origination_identities", "prices", "endpoint_types", "default_credentials", "list_unsubscribe")


def _text(label: str, help_text: str = "", placeholder: str = "", **kw: Any) -> forms.CharField:
    attrs = {"placeholder": placeholder} if placeholder else {}
    return forms.CharField(label=label, required=False, help_text=help_text, widget=forms.TextInput(attrs), **kw)


def _select(label: str, options: tuple[str, ...]) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[(o, o) for o in options])


class ChannelConfigForm(forms.Form):
    name = forms.CharField(max_length=100)
    enabled = forms.BooleanField(label="Enabled", required=False, initial=True)
    is_default = forms.BooleanField(
        label="Default for the channel (campaigns and journeys send through it)", required=False, initial=True
    )
    messages_per_second = forms.IntegerField(
        label="Messages per second", min_value=0, initial=0, help_text="0 = no limit of ours (the provider's applies)"
    )
    region = _text("AWS region", placeholder="us-east-1")
    endpoint_url = _text("Endpoint URL", "Leave empty for AWS; set it for LocalStack or a test server.")
    from_address = _text("From address", placeholder="news@example.com")
    from_name = _text("From name", placeholder="Acme News")
    configuration_set = _text("Configuration set", "Optional: events and dedicated IP pool of the sends.")
    reply_to = _text("Reply-To addresses", "Separate several with commas.")
    list_unsubscribe = forms.BooleanField(
        label="Add List-Unsubscribe headers (one-click unsubscribe, RFC 8058)", required=False, initial=True
    )
    unsubscribe_mailto = _text("Unsubscribe mailbox", "Optional mailto: target of List-Unsubscribe.")
    host = _text("SMTP host", placeholder="email-smtp.us-east-1.amazonaws.com")
    port = _text("Port", "Empty = 587 for STARTTLS, 465 for TLS, 25 without.")
    security = _select("Security", ("starttls", "ssl", "none"))
    username = _text("User name")
    timeout_seconds = _text("Timeout (seconds)", placeholder="30")
    message_type = _select("Default message type", ("TRANSACTIONAL", "PROMOTIONAL"))
    sender_id = _text("Sender ID", "1–11 letters and digits, at least one letter (not used in US/CA/BR).")
    origination_identities = forms.CharField(
        label="Origination identities (tried in this order)",
        required=False,
        widget=forms.Textarea(_LINES | {"placeholder": "+12065550100, 10dlc, US, transactional"}),
        help_text="One per line: number, sender ID or ARN, then kind (short_code, 10dlc, long_code, toll_free, "
        "sender_id), country (US) and route (transactional or promotional).",
    )
    prices = forms.CharField(
        label="Prices (USD per message part)",
        required=False,
        widget=forms.Textarea(_LINES | {"placeholder": "+1 0.00581\n+44 0.0392\ndefault 0.05"}),
        help_text='One per line: "+prefix price" (longest prefix wins) or "default price".',
    )
    monthly_spend_limit_usd = _text(
        "Monthly spend limit (USD)", "Messages past it are skipped (reason spend_limit). Empty = no limit."
    )
    origination_number = _text("Origination number", placeholder="+12065550100")
    voice_id = _text("Voice", placeholder="MATTHEW")
    language_code = _text("Language", placeholder="en-US")
    message_body_type = _select("Message body", ("TEXT", "SSML"))
    application_id = _text("Push application id", "The End User Messaging push application holding FCM/APNs keys.")
    time_to_live = _text("Time to live (seconds)", "Empty = the push service's maximum.")
    priority = _select("Priority", ("normal", "high"))
    url = _text("Webhook URL", placeholder="https://hooks.example.com/engage")
    endpoint_types = forms.MultipleChoiceField(
        label="Endpoint types forwarded",
        required=False,
        choices=[(t, t) for t in ChannelType.values],
        initial=[ChannelType.CUSTOM],
        widget=forms.CheckboxSelectMultiple,
    )
    default_credentials = forms.BooleanField(
        label="Use the default credential chain (instance or task role) instead of keys", required=False
    )
    aws_access_key_id = forms.CharField(label="Access key id", required=False, widget=_SECRET)
    aws_secret_access_key = forms.CharField(label="Secret access key", required=False, widget=_SECRET)
    password = forms.CharField(label="SMTP password", required=False, widget=_SECRET)
    signing_secret = forms.CharField(label="Signing secret", required=False, widget=_SECRET)
    appkey = _text("App key", "The AlimTalk app key from the NHN Cloud console.")
    sender_key = _text("Sender key", "The KakaoTalk channel's sender key (발신 프로필 키).")
    base_url = _text("API base URL", placeholder="https://api-alimtalk.cloud.toast.com")
    secret_key = forms.CharField(label="Secret key (X-Secret-Key)", required=False, widget=_SECRET)
    webhook_signature = forms.CharField(
        label="Result callback signature",
        required=False,
        widget=_SECRET,
        help_text="Optional: NHN's webhook signature; when set, result callbacks must carry it.",
    )

    def __init__(self, *args: Any, provider: str, config: ChannelConfig | None = None, **kwargs: Any) -> None:
        if config is not None and "initial" not in kwargs and not args:
            kwargs["initial"] = config_initial(config)
        super().__init__(*args, **kwargs)
        self.provider, self.config = provider, config
        keep = {*COMMON, *PROVIDER_SETTINGS.get(provider, ()), *PROVIDER_SECRETS.get(provider, ())}
        if config is not None and provider in AWS_PROVIDERS and config_secrets(config).get("aws_access_key_id"):
            keep.add("default_credentials")
        for field in list(self.fields):
            if field not in keep:
                del self.fields[field]
        if "timeout_seconds" in self.fields and provider == Provider.WEBHOOK:
            self.fields["timeout_seconds"].help_text = "1 to 30 seconds."
            self.fields["timeout_seconds"].widget.attrs["placeholder"] = "10"
        self._explain_secrets()

    def _explain_secrets(self) -> None:
        stored = set(config_secrets(self.config)) if self.config is not None else set()
        for key in PROVIDER_SECRETS.get(self.provider, ()):
            field = self.fields[key]
            if key in stored:
                field.help_text = "Saved — leave blank to keep."
                field.widget.attrs["placeholder"] = "•••••••• saved"
            elif key == "signing_secret" and self.config is None:
                field.widget = forms.TextInput(attrs={"class": "mono"})
                field.initial = tokens.token_urlsafe(32)
                field.help_text = "Copy it into your receiver now: Engage never shows it again. At least 16 characters."
            elif key == "aws_secret_access_key":
                field.help_text = "Leave both empty to use the default credential chain (instance or task role)."

    def sections(self) -> list[tuple[str, list[tuple[Any, bool]]]]:
        """(title, [(bound field, full width)]) for the provider's fields, in page order."""
        return [
            (title, [(self[name], name in WIDE) for name in names if name in self.fields])
            for title, names in SECTIONS.get(self.provider, [])
        ]

    def clean_origination_identities(self) -> list[dict[str, str]]:
        items = []
        for number, line in enumerate(self.cleaned_data.get("origination_identities", "").splitlines(), 1):
            parts = [p for p in re.split(r"[,\s]+", line.strip()) if p]
            if not parts:
                continue
            if len(parts) < 3 or len(parts) > 4:
                raise forms.ValidationError(f"line {number}: give identity, kind, country and (optionally) route")
            items.append(dict(zip(("identity", "kind", "country", "route"), parts, strict=False)))
        return items

    def clean_prices(self) -> dict[str, str]:
        prices = {}
        for number, line in enumerate(self.cleaned_data.get("prices", "").splitlines(), 1):
            parts = [p for p in re.split(r"[\s=:]+", line.strip()) if p]
            if not parts:
                continue
            if len(parts) != 2:
                raise forms.ValidationError(f'line {number}: write "+prefix price", like "+44 0.0392"')
            prices[parts[0]] = parts[1]
        return prices

    def settings(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in PROVIDER_SETTINGS.get(self.provider, ()) if k in self.cleaned_data}

    def secrets(self) -> dict[str, Any]:
        """Secrets for the service: blank keeps the stored value; the default-chain box removes the keys."""
        given: dict[str, Any] = {k: self.cleaned_data.get(k, "") for k in PROVIDER_SECRETS.get(self.provider, ())}
        if self.cleaned_data.get("default_credentials"):
            given.update(aws_access_key_id=None, aws_secret_access_key=None)
        return given

    def common(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in COMMON}


def config_initial(config: ChannelConfig) -> dict[str, Any]:
    """A config's stored values as form input (lists back into lines of text)."""
    initial: dict[str, Any] = {k: getattr(config, k) for k in COMMON}
    for key, value in config.settings.items():
        if key == "origination_identities":
            keys = ("identity", "kind", "country", "route")
            value = "\n".join(", ".join(str(item.get(k, "")) for k in keys) for item in value)
        elif key == "prices":
            value = "\n".join(f"{prefix} {price}" for prefix, price in value.items())
        elif key == "reply_to":
            value = ", ".join(value)
        initial[key] = value
    return initial
