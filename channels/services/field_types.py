"""Typed readers for config settings: each returns the normalized value or raises Invalid naming the key."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from engage.errors import Invalid

CONFIGURATION_SET = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def text(data: dict[str, Any], key: str, limit: int = 256, *, required: str = "") -> str:
    """A stripped string setting ('' when absent); `required` is the message when it must be given."""
    value = data.get(key)
    field = f"settings.{key}"
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{key} must be a string", field=field)
    value = value.strip()
    if len(value) > limit:
        raise Invalid(f"{key} is longer than {limit} characters", field=field)
    if "\n" in value or "\r" in value:
        raise Invalid(f"{key} must fit on one line", field=field)
    if required and not value:
        raise Invalid(required, field=field)
    return value


def whole(data: dict[str, Any], key: str, *, low: int, high: int, default: int | None) -> int | None:
    value = data.get(key)
    if value in (None, ""):
        return default
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(f"{key} is a whole number from {low} to {high}", field=f"settings.{key}")
    return value


def choice(data: dict[str, Any], key: str, options: tuple[str, ...]) -> str:
    value = text(data, key, 32) or options[0]
    for option in options:
        if value.lower() == option.lower():
            return option
    raise Invalid(f"{key} is one of {', '.join(options)}", field=f"settings.{key}")


def flag(data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "on", "1", "yes", "false", "off", "0", "no", ""):
        return value.strip().lower() in ("true", "on", "1", "yes")
    raise Invalid(f"{key} is true or false", field=f"settings.{key}")


def email(value: str, field: str, what: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise Invalid(f"{value!r} is not a valid {what} (like news@example.com)", field=field) from None
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def configuration_set(data: dict[str, Any]) -> str:
    """An SES / End User Messaging configuration set name ('' for none)."""
    name = text(data, "configuration_set", 64)
    if name and not CONFIGURATION_SET.match(name):
        raise Invalid(
            "a configuration set name holds letters, digits, _ and - (1–64)", field="settings.configuration_set"
        )
    return name
