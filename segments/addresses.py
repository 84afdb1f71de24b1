"""One spelling per address, so the suppression list, the send path and the segment compiler agree.

Email addresses are lower-cased (SES and every mailbox provider treat them case-insensitively); phone numbers
become E.164 (separators dropped, a leading 00 read as +); anything else (push tokens, webhook URLs, ids) is
kept as given, trimmed — but only for a channel that has such addresses (push, custom...): with no channel,
an address must be an email address or a phone number, so a typo is refused rather than listed.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from engage.errors import Invalid

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
PHONE_LIKE = re.compile(r"^(\+|00)?[\d\s().\-/]{4,}$")
PHONE_SEPARATORS = re.compile(r"[\s().\-/]")
EMAIL_CHANNELS = frozenset({"EMAIL"})
PHONE_CHANNELS = frozenset({"SMS", "VOICE"})
MAX_ADDRESS = 1024


def _phone(text: str, field: str) -> str:
    digits = PHONE_SEPARATORS.sub("", text)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        raise Invalid(f"{text!r} has no country code: write phone numbers in E.164, e.g. +12065550100", field=field)
    if not E164.match(digits):
        raise Invalid(f"{text!r} is not an E.164 phone number (+ country code, up to 15 digits)", field=field)
    return digits


def address_normalize(address: str, *, channel: str = "", field: str = "address") -> str:
    """The stored spelling of an address for `channel` ("" = any); Invalid names what is wrong with it."""
    text = (address or "").strip()
    if not text:
        raise Invalid("the address is empty", field=field)
    if len(text) > MAX_ADDRESS:
        raise Invalid(f"the address is longer than {MAX_ADDRESS} characters", field=field)
    if channel in EMAIL_CHANNELS or (not channel and "@" in text and "://" not in text):
        try:
            validate_email(text)
        except ValidationError:
            raise Invalid(f"{text!r} is not a valid email address", field=field) from None
        return text.lower()
    if channel in PHONE_CHANNELS or (not channel and PHONE_LIKE.match(text)):
        return _phone(text, field)
    if not channel:
        raise Invalid(
            f"{text!r} is neither an email address nor an E.164 phone number; to suppress a device token or "
            "another address, name its channel (PUSH, CUSTOM...)",
            field=field,
        )
    return text


def address_spellings(address: str) -> list[str]:
    """The spellings an endpoint may store an address under (as given, and normalised when that is valid)."""
    text = (address or "").strip()
    try:
        normal = address_normalize(text)
    except Invalid:
        return [text] if text else []
    return [text] if normal == text else [text, normal]


def address_key(address: str) -> str:
    """The spelling to look an address up by, cheaply (the send path calls it per message; never raises)."""
    text = (address or "").strip()
    if "@" in text and "://" not in text:
        return text.lower()
    if text[:1] == "+" or (text[:2] == "00" and PHONE_LIKE.match(text)):
        digits = PHONE_SEPARATORS.sub("", text)
        return "+" + digits[2:] if digits.startswith("00") else digits
    return text
