"""Validating a channel config's settings and secrets, per provider. Every refusal names the key to fix
(`settings.<key>` or `secrets.<key>`); the keys are the contract transports read (docs/channels.md)."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings as django_settings

from channels.feedback.config import FEEDBACK_SETTINGS, feedback_settings_clean
from channels.models import Provider
from channels.services.alimtalk_fields import (
    ALIMTALK_SECRETS,
    ALIMTALK_SETTINGS,
    alimtalk_secrets_check,
    clean_alimtalk,
)
from channels.services.field_types import choice, configuration_set, email, flag, text, whole
from channels.services.sms_fields import E164, clean_sms, sms_origination
from engage.errors import Invalid
from engage.events.streams.config import ACCESS_KEY_ID, MAX_TIMEOUT, MIN_SECRET, REGION, _http_url
from segments.models.endpoint import ChannelType

AWS_SETTINGS = ("region", "endpoint_url")
AWS_SECRETS = ("aws_access_key_id", "aws_secret_access_key")
PROVIDER_SETTINGS: dict[str, tuple[str, ...]] = {
    Provider.SANDBOX: (),
    Provider.SES: (
        *AWS_SETTINGS,
        *("from_address", "from_name", "configuration_set", "reply_to", "list_unsubscribe", "unsubscribe_mailto"),
    ),
    Provider.SMTP: (
        *("host", "port", "security", "username", "from_address", "from_name", "timeout_seconds"),
        *("list_unsubscribe", "unsubscribe_mailto"),
    ),
    Provider.EUM_SMS: (
        *AWS_SETTINGS,
        *("message_type", "configuration_set", "sender_id", "origination_identities", "prices"),
        "monthly_spend_limit_usd",
    ),
    Provider.EUM_VOICE: (
        *AWS_SETTINGS,
        *("origination_number", "voice_id", "language_code", "configuration_set", "message_body_type"),
    ),
    Provider.PUSH: (*AWS_SETTINGS, "application_id", "time_to_live", "priority"),
    Provider.WEBHOOK: ("url", "timeout_seconds", "connect_timeout_seconds", "endpoint_types"),
    Provider.KAKAO_ALIMTALK: ALIMTALK_SETTINGS,
    Provider.IN_APP: (),
}
PROVIDER_SECRETS: dict[str, tuple[str, ...]] = {
    Provider.SANDBOX: (),
    Provider.SES: AWS_SECRETS,
    Provider.SMTP: ("password",),
    Provider.EUM_SMS: AWS_SECRETS,
    Provider.EUM_VOICE: AWS_SECRETS,
    Provider.PUSH: AWS_SECRETS,
    Provider.WEBHOOK: ("signing_secret",),
    Provider.KAKAO_ALIMTALK: ALIMTALK_SECRETS,
    Provider.IN_APP: (),
}
AWS_PROVIDERS = frozenset(p for p, keys in PROVIDER_SETTINGS.items() if "region" in keys)

HOST = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
APPLICATION_ID = re.compile(r"^[0-9a-fA-F]{32}$")
VOICE_ID = re.compile(r"^[A-Za-z]{2,32}$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}-[A-Z]{2}$")
MAX_TTL = 28 * 24 * 3600
SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


def _aws(data: dict[str, Any], out: dict[str, Any]) -> None:
    region = text(data, "region", 32) or "us-east-1"
    if not REGION.match(region):
        raise Invalid(f"{region!r} is not an AWS region (for example us-east-1)", field="settings.region")
    out["region"] = region
    endpoint_url = text(data, "endpoint_url", 2048)
    if endpoint_url:
        out["endpoint_url"] = _http_url(endpoint_url, "settings.endpoint_url", "endpoint URL")


def _ses(data: dict[str, Any], out: dict[str, Any]) -> None:
    given = text(data, "from_address", 320, required="give the From address (an SES-verified address or domain)")
    out["from_address"] = email(given, "settings.from_address", "From address")
    out["from_name"] = text(data, "from_name")
    out["configuration_set"] = configuration_set(data)
    replies = data.get("reply_to") or []
    if isinstance(replies, str):
        replies = [r for r in re.split(r"[,\s]+", replies) if r]
    if not isinstance(replies, list) or len(replies) > 50:
        raise Invalid("reply_to is a list of at most 50 addresses", field="settings.reply_to")
    out["reply_to"] = [email(str(r).strip(), "settings.reply_to", "Reply-To address") for r in replies]
    _unsubscribe(data, out)


def _unsubscribe(data: dict[str, Any], out: dict[str, Any]) -> None:
    out["list_unsubscribe"] = flag(data, "list_unsubscribe", True)
    mailto = text(data, "unsubscribe_mailto", 320).removeprefix("mailto:")
    if mailto:
        out["unsubscribe_mailto"] = email(mailto, "settings.unsubscribe_mailto", "unsubscribe address")


def _smtp(data: dict[str, Any], out: dict[str, Any]) -> None:
    host = text(data, "host", 253, required="give the SMTP server's host name")
    if not (HOST.match(host) or _ip(host)):
        raise Invalid(f"{host!r} is not a host name (like email-smtp.us-east-1.amazonaws.com)", field="settings.host")
    out["host"] = host
    out["security"] = choice(data, "security", ("starttls", "ssl", "none"))
    out["port"] = whole(data, "port", low=1, high=65535, default=SMTP_PORTS[out["security"]])
    out["username"] = text(data, "username")
    given = text(data, "from_address", 320, required="give the From address")
    out["from_address"] = email(given, "settings.from_address", "From address")
    out["from_name"] = text(data, "from_name")
    out["timeout_seconds"] = whole(data, "timeout_seconds", low=1, high=120, default=None)
    _unsubscribe(data, out)


def _voice(data: dict[str, Any], out: dict[str, Any]) -> None:
    number = text(data, "origination_number", 256, required="give the voice-capable origination number (E.164)")
    out["origination_number"] = sms_origination(number, "settings.origination_number", voice=True)
    voice_id = text(data, "voice_id", 32)
    if voice_id and not VOICE_ID.match(voice_id):
        raise Invalid("voice_id is an Amazon Polly voice name, like MATTHEW", field="settings.voice_id")
    out["voice_id"] = voice_id.upper()
    language = text(data, "language_code", 16)
    if language and not LANGUAGE_CODE.match(language):
        raise Invalid("language_code looks like en-US", field="settings.language_code")
    out["language_code"] = language
    out["configuration_set"] = configuration_set(data)
    out["message_body_type"] = choice(data, "message_body_type", ("TEXT", "SSML"))


def _push(data: dict[str, Any], out: dict[str, Any]) -> None:
    app = text(data, "application_id", 64, required="give the push application (project) id")
    if not APPLICATION_ID.match(app):
        raise Invalid(
            "application_id is the 32-character hex id of the push application", field="settings.application_id"
        )
    out["application_id"] = app.lower()
    out["time_to_live"] = whole(data, "time_to_live", low=0, high=MAX_TTL, default=None)
    out["priority"] = choice(data, "priority", ("normal", "high"))


def _webhook(data: dict[str, Any], out: dict[str, Any]) -> None:
    out["url"] = webhook_url(text(data, "url", 2048, required="give the webhook URL (https://...)"))
    out["timeout_seconds"] = whole(data, "timeout_seconds", low=1, high=MAX_TIMEOUT, default=10)
    out["connect_timeout_seconds"] = whole(data, "connect_timeout_seconds", low=1, high=MAX_TIMEOUT, default=None)
    types = data.get("endpoint_types") or [ChannelType.CUSTOM.value]
    if not isinstance(types, list) or any(t not in ChannelType.values for t in types):
        raise Invalid(
            f"endpoint_types is a list of endpoint channel types ({', '.join(ChannelType.values)})",
            field="settings.endpoint_types",
        )
    out["endpoint_types"] = list(dict.fromkeys(types))


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _private(host: str, *, resolve: bool) -> bool:
    literal = _ip(host)
    if literal is not None:
        return not literal.is_global
    if host == "localhost" or host.endswith(".localhost"):
        return True
    if not resolve:
        return False
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Invalid(f"cannot resolve {host}", field="settings.url") from None
    return all(not ipaddress.ip_address(str(i[4][0]).split("%")[0]).is_global for i in infos)


def webhook_url(url: str) -> str:
    """https:// only; http:// and private addresses only when the operator allows private networks (as event
    streams do). Host names are checked again by the transport at send time (DNS can change)."""
    _http_url(url, "settings.url", "webhook URL")
    parts = urlsplit(url)
    host = parts.hostname or ""
    allowed = django_settings.EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS
    private = _private(host, resolve=allowed and parts.scheme == "http")
    if private and not allowed:
        raise Invalid(
            f"{host} is a private or reserved address; use a public address, or ask an operator to set "
            "EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS=1",
            field="settings.url",
        )
    if parts.scheme != "https" and not private:
        raise Invalid("the webhook URL must start with https://", field="settings.url")
    return url


CLEANERS: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {
    Provider.SES: _ses,
    Provider.SMTP: _smtp,
    Provider.EUM_SMS: clean_sms,
    Provider.EUM_VOICE: _voice,
    Provider.PUSH: _push,
    Provider.WEBHOOK: _webhook,
    Provider.KAKAO_ALIMTALK: clean_alimtalk,
}


def settings_clean(*, provider: str, data: dict[str, Any]) -> dict[str, Any]:
    """The provider's settings, normalized and with defaults filled in; unknown keys are refused. A provider
    that declares no keys here (a newer transport) keeps its settings as given: its transport validates them."""
    if provider not in PROVIDER_SETTINGS:
        return {k: v for k, v in data.items() if v not in ("", None)}
    known = (*PROVIDER_SETTINGS[provider], *FEEDBACK_SETTINGS.get(provider, ()))
    for key in data:
        if key not in known:
            listed = ", ".join(known) or "none"
            raise Invalid(f"{key!r} is not a setting of {provider} (its settings: {listed})", field=f"settings.{key}")
    out: dict[str, Any] = {}
    if provider in AWS_PROVIDERS:
        _aws(data, out)
    if provider in CLEANERS:
        CLEANERS[provider](data, out)
    feedback_settings_clean(provider=provider, data=data, out=out)
    return {k: v for k, v in out.items() if v not in ("", None)}


def secrets_merge(*, provider: str, stored: dict[str, str], given: dict[str, Any]) -> dict[str, str]:
    """Stored secrets with `given` applied: a blank value keeps the stored one, null removes it."""
    known = PROVIDER_SECRETS.get(provider)
    merged = dict(stored)
    for key, value in given.items():
        if known is not None and key not in known:
            listed = ", ".join(known) or "none"
            raise Invalid(f"{key!r} is not a secret of {provider} (its secrets: {listed})", field=f"secrets.{key}")
        if value is None:
            merged.pop(key, None)
        elif not isinstance(value, str):
            raise Invalid(f"{key} must be a string", field=f"secrets.{key}")
        elif value.strip():
            merged[key] = value.strip()
    return {k: v for k, v in merged.items() if known is None or k in known}


def secrets_check(*, provider: str, secrets: dict[str, str], settings: dict[str, Any]) -> None:
    """Rules that need the merged secrets (and settings): key pairs, lengths, a password for a user name."""
    if provider in AWS_PROVIDERS:
        key_id, secret = secrets.get("aws_access_key_id", ""), secrets.get("aws_secret_access_key", "")
        if bool(key_id) != bool(secret):
            field = "secrets.aws_secret_access_key" if key_id else "secrets.aws_access_key_id"
            raise Invalid("give both the access key id and its secret, or neither (default credentials)", field=field)
        if key_id and not ACCESS_KEY_ID.match(key_id):
            raise Invalid(
                "the access key id holds only letters and digits (like AKIA…)", field="secrets.aws_access_key_id"
            )
    if provider == Provider.WEBHOOK and len(secrets.get("signing_secret", "")) < MIN_SECRET:
        raise Invalid(f"the signing secret needs at least {MIN_SECRET} characters", field="secrets.signing_secret")
    if provider == Provider.KAKAO_ALIMTALK:
        alimtalk_secrets_check(secrets)
    if provider == Provider.SMTP and settings.get("username") and not secrets.get("password"):
        raise Invalid("give the password of the SMTP user name", field="secrets.password")


__all__ = ["E164", "secrets_check", "secrets_merge", "settings_clean", "webhook_url"]
