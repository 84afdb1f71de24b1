"""Validating the SMS settings of an `eum_sms` config: sender ID, origination identities, prices, spend limit."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from channels.services.field_types import choice, configuration_set, text
from engage.errors import Invalid

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
SHORT_CODE = re.compile(r"^\d{3,8}$")
SENDER_ID = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$")
# What AWS End User Messaging accepts as an origination identity besides a number: an id or an ARN.
EUM_ID = re.compile(r"^(phone|pool|senderid)-[0-9a-fA-F]{32}$")
EUM_ARN = re.compile(
    r"^arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:(phone-number|pool|sender-id)/[A-Za-z0-9_:+-]{1,128}$"
)
COUNTRY = re.compile(r"^[A-Z]{2}$")
PREFIX = re.compile(r"^\+\d{1,15}$")

KINDS = ("short_code", "10dlc", "long_code", "toll_free", "sender_id")
ROUTES = ("transactional", "promotional")
MESSAGE_TYPES = ("TRANSACTIONAL", "PROMOTIONAL")
MAX_IDENTITIES = 50
MAX_PRICE = Decimal(100)


def sender_id_clean(value: str, field: str) -> str:
    if not SENDER_ID.match(value):
        raise Invalid(
            f"{value!r} is not a sender ID: 1–11 letters and digits with at least one letter, no spaces", field=field
        )
    return value


def sms_origination(value: str, field: str, *, voice: bool = False, kind: str = "") -> str:
    """An E.164 number (a short code for kind short_code), a phone/pool id or an End User Messaging ARN."""
    if E164.match(value) or EUM_ID.match(value) or EUM_ARN.match(value):
        return value
    if kind == "short_code" and SHORT_CODE.match(value):
        return value
    what = "voice-capable number" if voice else "origination number"
    raise Invalid(
        f"{value!r} is not an E.164 {what} (like +12065550100), a phone or pool id, or an End User Messaging ARN",
        field=field,
    )


def _identity(index: int, item: Any) -> dict[str, str]:
    where = f"origination identity {index + 1}"
    field = "settings.origination_identities"
    if not isinstance(item, dict):
        raise Invalid(f"{where}: give an object with identity, kind, country and route", field=field)
    unknown = set(item) - {"identity", "kind", "country", "route"}
    if unknown:
        raise Invalid(f"{where}: unknown key {sorted(unknown)[0]!r}", field=field)
    identity = str(item.get("identity") or "").strip()
    kind = str(item.get("kind") or "").strip().lower()
    country = str(item.get("country") or "").strip().upper()
    route = str(item.get("route") or "transactional").strip().lower()
    if kind not in KINDS:
        raise Invalid(f"{where}: kind is one of {', '.join(KINDS)}", field=field)
    if not identity:
        raise Invalid(f"{where}: give the number, sender ID or ARN", field=field)
    try:
        if kind == "sender_id" and not identity.startswith("arn:") and not EUM_ID.match(identity):
            sender_id_clean(identity, field)
        elif kind != "sender_id":
            sms_origination(identity, field, kind=kind)
    except Invalid as exc:
        raise Invalid(f"{where}: {exc.message}", field=field) from None
    if not COUNTRY.match(country):
        raise Invalid(f"{where}: country is a two-letter ISO code, like US", field=field)
    if route not in ROUTES:
        raise Invalid(f"{where}: route is transactional or promotional", field=field)
    return {"identity": identity, "kind": kind, "country": country, "route": route}


def identities_clean(value: Any) -> list[dict[str, str]]:
    """The origination identities in the order they are tried (inventory §7.2), each checked for its kind."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > MAX_IDENTITIES:
        raise Invalid(
            f"origination_identities is a list of at most {MAX_IDENTITIES} objects",
            field="settings.origination_identities",
        )
    items = [_identity(i, item) for i, item in enumerate(value)]
    seen: set[str] = set()
    for item in items:
        if item["identity"] in seen:
            raise Invalid(f"{item['identity']} is listed twice", field="settings.origination_identities")
        seen.add(item["identity"])
    return items


def usd(value: Any, field: str, what: str, *, high: Decimal | None = None) -> str:
    """A non-negative decimal amount in USD, as a string (floats are taken by their shortest text)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise Invalid(f"{what} is a decimal amount in USD, like 0.00581", field=field)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid(f"{what}: {value!r} is not a decimal amount in USD, like 0.00581", field=field) from None
    if not amount.is_finite() or amount < 0 or (high is not None and amount > high):
        limit = f" and at most {high}" if high is not None else ""
        raise Invalid(f"{what} must be 0 or more{limit}", field=field)
    return str(amount)


def prices_clean(value: Any) -> dict[str, str]:
    """USD per message part by "+prefix" (longest prefix wins) and an optional "default"."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise Invalid('prices maps "+prefix" to USD per part, like {"+1": "0.00581"}', field="settings.prices")
    out: dict[str, str] = {}
    for prefix, price in value.items():
        key = str(prefix).strip()
        if key != "default" and not PREFIX.match(key):
            raise Invalid(
                f'{key!r} is not a price prefix: use "+" and the country calling code (like +44), or "default"',
                field="settings.prices",
            )
        out[key] = usd(price, "settings.prices", f"the price for {key}", high=MAX_PRICE)
    return out


def clean_sms(data: dict[str, Any], out: dict[str, Any]) -> None:
    """The `eum_sms` settings into `out`."""
    out["message_type"] = choice(data, "message_type", MESSAGE_TYPES)
    out["configuration_set"] = configuration_set(data)
    sender = text(data, "sender_id", 64)
    out["sender_id"] = sender_id_clean(sender, "settings.sender_id") if sender else ""
    out["origination_identities"] = identities_clean(data.get("origination_identities"))
    out["prices"] = prices_clean(data.get("prices"))
    limit = data.get("monthly_spend_limit_usd")
    if limit not in (None, ""):
        out["monthly_spend_limit_usd"] = usd(limit, "settings.monthly_spend_limit_usd", "the monthly spend limit")
