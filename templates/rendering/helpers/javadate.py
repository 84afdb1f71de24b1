"""Java SimpleDateFormat patterns (what Pinpoint's dateFormat took), formatted and parsed with CLDR names from
Babel — the same data Java 9+ uses — so `EEEE, MMMM d, yyyy h:mm a z` prints as Pinpoint printed it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from babel import Locale
from babel.dates import get_timezone_name

from templates.rendering.errors import TemplateError

_LETTERS = set("GyYMLwWDdFEuaHkKhmsSzZX")
_TOKEN = re.compile(r"'(?:[^']|'')*'?|([A-Za-z])\1*|[^A-Za-z']+")


def tokens(pattern: str) -> list[tuple[str, int, str]]:
    """(letter, count, literal) runs of a pattern; quoted text and punctuation are literals (letter "")."""
    out: list[tuple[str, int, str]] = []
    for match in _TOKEN.finditer(pattern):
        piece = match.group()
        if piece.startswith("'"):
            literal = "'" if piece == "''" else piece[1 : -1 if piece.endswith("'") and len(piece) > 1 else None]
            out.append(("", 0, literal.replace("''", "'")))
        elif piece[0].isalpha():
            if piece[0] not in _LETTERS:
                raise TemplateError(f"dateFormat: '{piece[0]}' is not a date pattern letter (in {pattern!r})")
            out.append((piece[0], len(piece), ""))
        else:
            out.append(("", 0, piece))
    return out


def _week_fields(day: date, locale: Locale) -> tuple[int, int, int]:
    """(week-based year, week of year, week of month) with the locale's first day and minimal days."""
    first, minimal = locale.first_week_day, locale.min_week_days

    def week_start(d: date) -> date:
        return d - timedelta(days=(d.weekday() - first) % 7)

    def first_week_start(year: int) -> date:
        jan1 = date(year, 1, 1)
        start = week_start(jan1)
        return start if (start + timedelta(days=7) - jan1).days >= minimal else start + timedelta(days=7)

    year = day.year
    if day < first_week_start(year):
        year -= 1
    elif day >= first_week_start(year + 1):
        year += 1
    week = (week_start(day) - first_week_start(year)).days // 7 + 1
    month_first = day.replace(day=1)
    month_start = week_start(month_first)
    if (month_start + timedelta(days=7) - month_first).days < minimal:
        month_start += timedelta(days=7)
    week_of_month = (week_start(day) - month_start).days // 7 + 1
    return year, week, week_of_month


def _offset(moment: datetime, count: int, letter: str) -> str:
    delta = moment.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    if letter == "X" and minutes == 0:
        return "Z"
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    if letter == "Z":
        return f"{sign}{hours:02d}{mins:02d}"
    if count == 1:
        return f"{sign}{hours:02d}" + (f"{mins:02d}" if mins else "")
    if count == 2:
        return f"{sign}{hours:02d}{mins:02d}"
    return f"{sign}{hours:02d}:{mins:02d}"


def _zone_name(moment: datetime, count: int, locale: Locale) -> str:
    if count >= 4:
        return str(get_timezone_name(moment, width="long", locale=locale))
    name = moment.tzname() or "UTC"
    if name[:1] in "+-":
        return "GMT" + _offset(moment, 3, "X")
    return name


def _field(letter: str, count: int, moment: datetime, locale: Locale) -> str:
    def num(value: int) -> str:
        return str(value).zfill(count)

    if letter == "G":
        return str(locale.eras["wide" if count >= 4 else "abbreviated"][1 if moment.year > 0 else 0])
    if letter in "yY":
        year = moment.year if letter == "y" else _week_fields(moment.date(), locale)[0]
        return f"{year % 100:02d}" if count == 2 else num(year)
    if letter in "ML":
        context = "format" if letter == "M" else "stand-alone"
        if count >= 3:
            return str(locale.months[context]["wide" if count >= 4 else "abbreviated"][moment.month])
        return num(moment.month)
    if letter == "E":
        return str(locale.days["format"]["wide" if count >= 4 else "abbreviated"][moment.weekday()])
    if letter == "a":
        return str(locale.periods["am" if moment.hour < 12 else "pm"])
    if letter in "zZX":
        if letter == "X" and count > 3:
            raise TemplateError("dateFormat: the X pattern letter repeats at most three times")
        return _zone_name(moment, count, locale) if letter == "z" else _offset(moment, count, letter)
    values = {
        "d": moment.day,
        "D": moment.timetuple().tm_yday,
        "F": (moment.day - 1) // 7 + 1,
        "u": moment.isoweekday(),
        "H": moment.hour,
        "k": moment.hour or 24,
        "K": moment.hour % 12,
        "h": moment.hour % 12 or 12,
        "m": moment.minute,
        "s": moment.second,
        "S": moment.microsecond // 1000,
    }
    if letter in "wW":
        _, week, week_of_month = _week_fields(moment.date(), locale)
        return num(week if letter == "w" else week_of_month)
    return num(values[letter])


def format_pattern(moment: datetime, pattern: str, locale: Locale) -> str:
    return "".join(
        literal if not letter else _field(letter, count, moment, locale) for letter, count, literal in tokens(pattern)
    )


def _names(mapping: Any) -> dict[str, int]:
    return {str(name).lower(): int(key) for key, name in mapping.items()}


def parse_pattern(value: str, pattern: str, locale: Locale, tz: Any) -> datetime:
    """Read `value` written in a SimpleDateFormat pattern (leniently, like Java: numbers may be short)."""
    parts = tokens(pattern)
    regex, fields = "", []
    months = _names(locale.months["format"]["wide"]) | _names(locale.months["format"]["abbreviated"])
    for i, (letter, count, literal) in enumerate(parts):
        if not letter:
            regex += re.escape(literal)
            continue
        numeric_next = i + 1 < len(parts) and parts[i + 1][0] in "yYMdHhKkmsSDu" and parts[i + 1][0] != ""
        if (letter in "ML" and count >= 3) or letter in "Ea" or letter == "G":
            regex += r"([^\W\d_]+\.?)"
        elif letter in "zZX":
            regex += r"(Z|[+-]\d{2}:?\d{0,2}|[A-Za-z_/+\-0-9:]+)"
        else:
            regex += rf"(\d{{{count}}})" if numeric_next else r"([+-]?\d+)"
        fields.append((letter, count))
    match = re.fullmatch(regex, value.strip(), re.IGNORECASE)
    if match is None:
        raise TemplateError(f"dateFormat could not read {value[:40]!r} with inputFormat {pattern!r}")
    found = {"y": 1970, "M": 1, "d": 1, "H": 0, "m": 0, "s": 0, "S": 0}
    pm: bool | None = None
    zone = tz
    for (letter, count), raw in zip(fields, match.groups(), strict=True):
        if letter in "ML" and count >= 3:
            key = raw.lower().rstrip(".")
            if key not in months and raw.lower() not in months:
                raise TemplateError(f"dateFormat: {raw!r} is not a month name")
            found["M"] = months.get(raw.lower(), months.get(key, 1))
        elif letter == "a":
            pm = raw.lower() == str(locale.periods["pm"]).lower()
        elif letter in "zZX":
            zone = _zone_of(raw, tz)
        elif letter in "yMdmsS":
            number = int(raw)
            found[letter] = number + (2000 if letter == "y" and count == 2 and len(raw) <= 2 else 0)
        elif letter in "Hk":
            found["H"] = int(raw) % 24
        elif letter in "hK":
            found["H"] = int(raw) % 12
    if pm is not None:
        found["H"] = found["H"] % 12 + (12 if pm else 0)
    try:
        return datetime(found["y"], found["M"], found["d"], found["H"], found["m"], found["s"], found["S"] * 1000, zone)
    except ValueError as exc:
        raise TemplateError(f"dateFormat could not read {value[:40]!r}: {exc}") from None


def _zone_of(raw: str, default: Any) -> Any:
    if raw in ("Z", "z"):
        return UTC
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})?", raw)
    if match:
        minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
        return timezone(timedelta(minutes=-minutes if match.group(1) == "-" else minutes))
    from templates.rendering.helpers.dates import zone

    return zone(raw) or default
