"""Settings and secrets of the kakao_alimtalk and in_app providers, in the shape config_fields.py expects:
the known keys, and a cleaner that fills `out` or raises Invalid naming the key to fix."""

from __future__ import annotations

import re
from typing import Any

from channels.services.field_types import text, whole
from engage.errors import Invalid

ALIMTALK_SETTINGS = ("base_url", "appkey", "sender_key", "timeout_seconds")
ALIMTALK_SECRETS = ("secret_key", "webhook_signature")
INAPP_SETTINGS: tuple[str, ...] = ()
INAPP_SECRETS: tuple[str, ...] = ()
DEFAULT_BASE_URL = "https://api-alimtalk.cloud.toast.com"
APPKEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SENDER_KEY = re.compile(r"^[A-Za-z0-9]{1,64}$")
MAX_TIMEOUT = 60


def clean_alimtalk(data: dict[str, Any], out: dict[str, Any]) -> None:
    """NHN Cloud KakaoTalk Bizmessage: base URL (https), appkey, default sender profile key, timeout."""
    from channels.services.config_fields import webhook_url  # (config_fields imports this module)

    base = text(data, "base_url", 2048) or DEFAULT_BASE_URL
    try:
        out["base_url"] = webhook_url(base).rstrip("/")
    except Invalid as exc:
        raise Invalid(exc.message.replace("webhook URL", "base_url"), field="settings.base_url") from None
    appkey = text(data, "appkey", 64, required="give the KakaoTalk Bizmessage appkey from the NHN Cloud console")
    if not APPKEY.match(appkey):
        raise Invalid("the appkey holds letters, digits, _ and - only", field="settings.appkey")
    out["appkey"] = appkey
    sender = text(data, "sender_key", 64)
    if sender and not SENDER_KEY.match(sender):
        raise Invalid("a sender profile key holds letters and digits only", field="settings.sender_key")
    out["sender_key"] = sender
    out["timeout_seconds"] = whole(data, "timeout_seconds", low=1, high=MAX_TIMEOUT, default=10)


def alimtalk_secrets_check(secrets: dict[str, str]) -> None:
    """The secret key NHN issued is what every call is authenticated with."""
    if not secrets.get("secret_key"):
        raise Invalid("give the X-Secret-Key from the NHN Cloud console", field="secrets.secret_key")
