"""Typed readers for the members of a journey definition: each returns the value in its normalised form or raises
Invalid naming the member (a dotted path such as `Limits.DailyCap`) and what to write instead."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from campaigns.journeys.graph import duration_parse
from engage.errors import Invalid

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def obj(value: Any, path: str) -> dict[str, Any]:
    """A JSON object (None reads as empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"{path} must be a JSON object", field=path)
    return value


def items(value: Any, path: str) -> list[Any]:
    """A JSON list (None reads as empty)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(f"{path} must be a list", field=path)
    return value


def text(value: Any, path: str, *, limit: int = 1000) -> str:
    """A string of at most `limit` characters, surrounding blanks removed."""
    if not isinstance(value, str):
        raise Invalid(f"{path} must be text", field=path)
    value = value.strip()
    if len(value) > limit:
        raise Invalid(f"{path} is longer than {limit:,} characters; shorten it", field=path)
    return value


def integer(value: Any, path: str, low: int, high: int | None = None) -> int:
    """A whole number in [low, high]; a string of digits is read as one, as Pinpoint read it."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{path} must be a whole number", field=path)
    if value < low or (high is not None and value > high):
        bounds = f"from {low} to {high:,}" if high is not None else f"{low} or more"
        raise Invalid(f"{path} must be {bounds} (got {value})", field=path)
    return value


def boolean(value: Any, path: str) -> bool:
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if not isinstance(value, bool):
        raise Invalid(f"{path} must be true or false", field=path)
    return value


def choice(value: Any, path: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise Invalid(f"{path} must be one of {', '.join(allowed)} (got {value!r})", field=path)
    return str(value)


def instant(value: Any, path: str) -> datetime:
    """An ISO 8601 date-time (a missing offset means UTC, as botocore sends naive times) or epoch seconds."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(float(value), tz=UTC)
        if not isinstance(value, str):
            raise ValueError
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise Invalid(f"{path} must be an ISO 8601 date and time, e.g. 2026-05-01T09:00:00Z", field=path) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def instant_text(value: Any, path: str) -> str:
    """A date-time as UTC text ending in Z; a UTC text as sent is kept as sent (so exports match imports)."""
    parsed = instant(value, path)
    if isinstance(value, str) and value.strip().upper().endswith("Z"):
        return value.strip()
    return utc_text(parsed)


def utc_text(value: datetime) -> str:
    """UTC with a Z; no fraction for whole seconds, milliseconds when they are all there is."""
    value = value.astimezone(UTC)
    if not value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if value.microsecond % 1000 == 0:
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def duration(value: Any, path: str, *, low: timedelta | None = None, high: timedelta | None = None) -> str:
    """An ISO 8601 duration within bounds, kept as written (upper-cased)."""
    try:
        span = duration_parse(value)
    except ValueError:
        raise Invalid(f"{path} must be an ISO 8601 duration such as PT1H or P1D (got {value!r})", field=path) from None
    if low is not None and span < low:
        raise Invalid(f"{path} must be at least {_human(low)} (got {value})", field=path)
    if high is not None and span > high:
        raise Invalid(f"{path} must be at most {_human(high)} (got {value})", field=path)
    return str(value).strip().upper()


def _human(span: timedelta) -> str:
    if span.days and not span.seconds:
        return f"{span.days} day{'s' if span.days != 1 else ''}"
    hours = int(span.total_seconds() // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"


def hhmm(value: Any, path: str) -> str:
    """A 24-hour time of day, HH:MM."""
    if not isinstance(value, str) or not _HHMM.match(value.strip()):
        raise Invalid(f"{path} must be a 24-hour time of day, HH:MM (e.g. 08:30)", field=path)
    return value.strip()


def compact(values: dict[str, Any]) -> dict[str, Any]:
    """The members that were given (None means not given)."""
    return {k: v for k, v in values.items() if v is not None}
