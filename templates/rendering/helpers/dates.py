"""dateFormat and now: `full`/`long`/`medium`/`short` (dates, as Handlebars.java's DateFormat styles) or a Java
SimpleDateFormat pattern, in a time zone (zoneinfo) and a locale (Babel's CLDR data)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from templates.rendering.errors import TemplateError
from templates.rendering.helpers.base import Args, Hash, Helper, text
from templates.rendering.helpers.javadate import format_pattern, parse_pattern

STYLES = ("full", "long", "medium", "short")
DEFAULT_LOCALE = "en_US"
# Pinpoint remapped these retired zone names (inventory §2.1).
_RENAMED = {"US/Pacific-New": "America/Los_Angeles", "Canada/East-Saskatchewan": "America/Regina"}
_CUSTOM_ZONE = re.compile(r"(?:GMT|UTC)?([+-])(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)


@lru_cache(maxsize=512)
def zone(name: str) -> tzinfo | None:
    """A time zone by tz database name (or GMT+05:30 / UTC-3); None when there is no such zone."""
    name = _RENAMED.get(name.strip(), name.strip())
    if name.upper() in ("UTC", "GMT", "Z"):
        return UTC
    custom = _CUSTOM_ZONE.fullmatch(name)
    if custom:
        minutes = int(custom.group(2)) * 60 + int(custom.group(3) or 0)
        if minutes > 18 * 60:
            return None
        return timezone(timedelta(minutes=-minutes if custom.group(1) == "-" else minutes))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _zone_arg(value: Any) -> tzinfo:
    """The tz= argument; like Java's TimeZone.getTimeZone, an unknown zone means UTC."""
    if value is None or value == "" or value == []:
        return UTC
    return zone(text(value)) or UTC


@lru_cache(maxsize=256)
def _locale(name: str) -> Locale:
    try:
        return Locale.parse(name.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise TemplateError(f"unknown locale {name!r}; use a language and region such as en_US or fr_FR") from None


def _locale_arg(value: Any) -> Locale:
    if value is None or value == "" or value == []:
        return _locale(DEFAULT_LOCALE)
    return _locale(text(value))


def read_date(value: Any, *, input_format: str | None, tz: tzinfo, locale: Locale) -> datetime:
    """The moment a value names: ISO 8601 text, epoch milliseconds, or text in the given inputFormat.

    A value without a UTC offset (e.g. "2024-05-01") is a wall-clock time in the tz= zone."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC).astimezone(tz)
    else:
        raw = text(value).strip()
        if input_format:
            moment = parse_pattern(raw, input_format, locale, None)
        elif raw.isdigit() and len(raw) > 8:
            return datetime.fromtimestamp(int(raw) / 1000, UTC).astimezone(tz)
        else:
            try:
                moment = datetime.fromisoformat(raw)
            except ValueError:
                raise TemplateError(
                    f"dateFormat could not read {raw[:40]!r} as a date; use ISO 8601 (2024-05-01T09:30:00Z) "
                    'or say how it is written with inputFormat="dd/MM/yyyy"'
                ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(tz)


def render_date(moment: datetime, style: Any, locale: Locale) -> str:
    pattern = text(style) if style is not None else "medium"
    if pattern in STYLES:
        return str(format_date(moment.date(), pattern, locale=locale))
    return format_pattern(moment, pattern, locale)


def _date_format(args: Args, hash_: Hash) -> str:
    value = args[0]
    if value is None or value == "" or value == []:
        return ""
    style = hash_.get("outputFormat", hash_.get("format", args[1] if len(args) > 1 else None))
    locale = _locale_arg(hash_.get("locale", args[2] if len(args) > 2 else None))
    tz = _zone_arg(hash_.get("tz"))
    input_format = hash_.get("inputFormat")
    moment = read_date(value, input_format=text(input_format) if input_format else None, tz=tz, locale=locale)
    return render_date(moment, style, locale)


def _now(args: Args, hash_: Hash) -> str:
    from engage import clock

    style = hash_.get("outputFormat", hash_.get("format", args[0] if args else None))
    locale = _locale_arg(hash_.get("locale", args[1] if len(args) > 1 else None))
    return render_date(clock.now().astimezone(_zone_arg(hash_.get("tz"))), style, locale)


_LITERAL = frozenset({"tz", "locale", "format", "outputFormat", "inputFormat"})

HELPERS = [
    Helper(
        "dateFormat",
        _date_format,
        min_args=1,
        max_args=3,
        literal_hash=_LITERAL,
        literal_params=frozenset({1, 2}),
        usage='{{dateFormat date inputFormat="yyyy-MM-dd" outputFormat="full" tz=America/New_York locale=en_US}}',
    ),
    Helper(
        "now",
        _now,
        min_args=0,
        max_args=2,
        uses_this=False,
        literal_hash=_LITERAL,
        literal_params=frozenset({0, 1}),
        usage='{{now "medium" tz=America/Los_Angeles locale=en_US}}',
    ),
]
