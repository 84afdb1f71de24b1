"""Which channel config a feedback URL belongs to, and the config settings feedback and tracking read.

A feedback URL names no tenant: `/hooks/ses/<token>/` or `/hooks/sms/<token>/`, where the token is a random
secret kept in ChannelConfig.settings["feedback_token"], made the first time the URL is asked for.

Settings (ChannelConfig.settings), per provider — see FEEDBACK_SETTINGS and `feedback_settings_clean`:
- `feedback_token` (made by Engage), `feedback_topic_arns` (optional list: only these SNS topics are accepted);
- email (sandbox, ses, smtp): `tracking` (bool, default true: open pixel and click redirects);
- SMS (eum_sms): `help_text` (the answer to HELP/AIDE; empty = no answer from Engage) and `keywords`
  ({KEYWORD: response}, auto-responses to custom keywords).
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Any

from django.db import transaction

from channels.models import ChannelConfig, Provider
from channels.tracking.rewrite import public_url
from engage.errors import Invalid
from templates.models import Channel

KINDS: dict[str, str] = {"ses": Channel.EMAIL, "sms": Channel.SMS}
MAX_TOKEN = 100
MAX_REPLY = 1600
MAX_KEYWORDS = 50
KEYWORD = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,29}$")
OPT_OUT_KEYWORDS = frozenset(
    {"ARRET", "CANCEL", "END", "OPT-OUT", "OPTOUT", "QUIT", "REMOVE", "STOP", "TD", "UNSUBSCRIBE"}
)
HELP_KEYWORDS = frozenset({"HELP", "AIDE"})
FEEDBACK_SETTINGS: dict[str, tuple[str, ...]] = {
    Provider.SANDBOX: ("tracking", "feedback_token", "feedback_topic_arns", "help_text", "keywords"),
    Provider.SES: ("tracking", "feedback_token", "feedback_topic_arns"),
    Provider.SMTP: ("tracking", "feedback_token", "feedback_topic_arns"),
    Provider.EUM_SMS: ("feedback_token", "feedback_topic_arns", "help_text", "keywords"),
}


def feedback_token_ensure(*, config: ChannelConfig) -> str:
    """The config's feedback token, made and saved the first time (under a row lock: one token, ever)."""
    token = str(config.setting("feedback_token", "") or "")
    if token:
        return token
    with transaction.atomic():
        locked = ChannelConfig.objects.select_for_update().get(pk=config.pk)
        token = str(locked.setting("feedback_token", "") or "")
        if not token:
            token = secrets.token_urlsafe(24)
            locked.settings = {**(locked.settings or {}), "feedback_token": token}
            locked.save(update_fields=["settings"])
    config.settings = locked.settings
    return token


def feedback_url(*, config: ChannelConfig) -> str | None:
    """The HTTPS subscription URL to give SNS for this config (None for channels without provider feedback)."""
    kind = next((k for k, channel in KINDS.items() if channel == config.channel), None)
    if kind is None:
        return None
    return public_url(f"/hooks/{kind}/{feedback_token_ensure(config=config)}/")


def config_for_feedback(*, kind: str, token: str) -> ChannelConfig | None:
    """The channel config a feedback URL's token belongs to (any tenant: the token is the credential)."""
    channel = KINDS.get(kind)
    if channel is None or not token or len(token) > MAX_TOKEN:
        return None
    candidates = ChannelConfig.objects.filter(channel=channel, settings__feedback_token=token).select_related("tenant")
    return next((c for c in candidates if hmac.compare_digest(str(c.setting("feedback_token")), token)), None)


def keyword_of(body: str) -> str:
    """The keyword of an inbound SMS: its first word, upper-cased, without trailing punctuation."""
    words = body.strip().split()
    return words[0].upper().rstrip(".!?,;:") if words else ""


def _reply(value: Any, field: str) -> str:
    text = str(value or "").strip()
    if len(text) > MAX_REPLY:
        raise Invalid(f"at most {MAX_REPLY} characters", field=field)
    return text


def feedback_settings_clean(*, provider: str, data: dict[str, Any], out: dict[str, Any]) -> None:
    """Validate the feedback and tracking settings a provider takes (config forms and the API call this)."""
    known = FEEDBACK_SETTINGS.get(provider, ())
    if "tracking" in known and "tracking" in data:
        out["tracking"] = data["tracking"] not in (False, "false", "0", 0, "off", "")
    if data.get("feedback_token"):
        out["feedback_token"] = str(data["feedback_token"])[:MAX_TOKEN]
    arns = data.get("feedback_topic_arns") or []
    if "feedback_topic_arns" in known and arns:
        if isinstance(arns, str):
            arns = arns.split()
        if not isinstance(arns, list) or not all(str(a).startswith("arn:aws") for a in arns):
            raise Invalid("a list of SNS topic ARNs (arn:aws:sns:...)", field="settings.feedback_topic_arns")
        out["feedback_topic_arns"] = [str(a) for a in arns]
    if "help_text" in known:
        out["help_text"] = _reply(data.get("help_text"), "settings.help_text")
    if "keywords" in known and data.get("keywords"):
        out["keywords"] = _keywords(data["keywords"])


def _keywords(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or len(value) > MAX_KEYWORDS:
        raise Invalid(f"keywords is an object of at most {MAX_KEYWORDS} KEYWORD: response", field="settings.keywords")
    out: dict[str, str] = {}
    for name, response in value.items():
        keyword = str(name).strip().upper()
        if not KEYWORD.match(keyword) or keyword in OPT_OUT_KEYWORDS | HELP_KEYWORDS:
            raise Invalid(
                f"{name!r} cannot be a keyword (one word of letters and digits, not an opt-out or help keyword)",
                field="settings.keywords",
            )
        out[keyword] = _reply(response, f"settings.keywords.{keyword}")
    return out
