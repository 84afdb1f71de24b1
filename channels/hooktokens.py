"""Secret-token URLs of public provider callbacks (/hooks/...): the token names a channel config and proves the
caller was given the URL. It is `<config id>-<HMAC-SHA256 of the id under SECRET_KEY>`: nothing to store, an
edited token names no config, and rotating SECRET_KEY rotates every callback URL."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.crypto import salted_hmac

if TYPE_CHECKING:
    from channels.models import ChannelConfig

_SALT = "channels.hooks.alimtalk"
DIGEST_CHARS = 40


def _digest(config_id: int) -> str:
    return salted_hmac(_SALT, str(config_id), algorithm="sha256").hexdigest()[:DIGEST_CHARS]


def alimtalk_hook_token(config: ChannelConfig) -> str:
    return f"{config.pk}-{_digest(int(config.pk))}"


def alimtalk_hook_path(config: ChannelConfig) -> str:
    """The path to give NHN Cloud as the webhook URL of MESSAGE_RESULT_UPDATE (prefix it with the site's origin)."""
    return reverse("hooks:alimtalk", kwargs={"token": alimtalk_hook_token(config)})


def alimtalk_hook_config_id(token: str) -> int | None:
    """The config id a token names, or None when the token was not made by `alimtalk_hook_token`."""
    config_id, _, digest = token.partition("-")
    if not config_id.isdigit() or len(config_id) > 18 or len(digest) != DIGEST_CHARS:
        return None
    if not hmac.compare_digest(digest, _digest(int(config_id))):
        return None
    return int(config_id)
