"""Compact signed tokens for tracking URLs: `<tenant>.<delivery>[.<data>].<signature>`.

Numbers are base 36, data is unpadded URL-safe base64 and the signature is 128 bits of an HMAC-SHA256 keyed from
SECRET_KEY (salted_hmac's construction, a different salt per kind), so a token signed for an open pixel is
no click token. SECRET_KEY_FALLBACKS are accepted while keys rotate. Any edit makes the token unreadable.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

KINDS = ("open", "click", "unsubscribe")
SIGNATURE_BYTES = 16
MAX_TOKEN = 4096


@dataclass(frozen=True)
class Token:
    kind: str
    tenant_id: int
    delivery_id: int
    data: str = ""


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_PAIRS = [a + b for a in _DIGITS for b in _DIGITS]  # two digits per step: half the divisions


def _b36(number: int) -> str:
    out = ""
    while number >= 1296:
        number, rest = divmod(number, 1296)
        out = _PAIRS[rest] + out
    return (_PAIRS[number] if number >= 36 else _DIGITS[number]) + out


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=32)
def _keyed(kind: str, secret: str) -> hmac.HMAC:
    # django.utils.crypto.salted_hmac's key derivation and the HMAC's keyed inner/outer state, done once per kind
    # and secret instead of per token (the send path signs two or more tokens per email); each token copies it.
    key = hashlib.sha256(f"engage.channels.tracking.{kind}{secret}".encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def _signature(kind: str, payload: str, secret: str) -> str:
    mac = _keyed(kind, secret).copy()
    mac.update(payload.encode())
    return _b64(mac.digest()[:SIGNATURE_BYTES])


def token_make(*, kind: str, tenant_id: int, delivery_id: int, data: str = "") -> str:
    """A token for one delivery; `data` (a URL, an address) travels inside it, readable but not changeable."""
    if kind not in KINDS:
        raise ValueError(f"unknown token kind {kind!r}")
    fields = [_b36(tenant_id), _b36(delivery_id)]
    if data:
        fields.append(_b64(data.encode()))
    payload = ".".join(fields)
    return f"{payload}.{_signature(kind, payload, settings.SECRET_KEY)}"


def token_read(*, kind: str, token: str) -> Token | None:
    """The token's contents, or None when it was not signed by us for `kind` (edited, truncated, made up)."""
    if kind not in KINDS or not token or len(token) > MAX_TOKEN:
        return None
    payload, _, signature = token.rpartition(".")
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(hmac.compare_digest(signature, _signature(kind, payload, s)) for s in secrets):
        return None
    fields = payload.split(".")
    if len(fields) not in (2, 3):
        return None
    try:
        data = _unb64(fields[2]).decode() if len(fields) == 3 else ""
        return Token(kind=kind, tenant_id=int(fields[0], 36), delivery_id=int(fields[1], 36), data=data)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
