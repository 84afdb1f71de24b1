"""What every channel's content parser shares: an error collector and typed readers that name the field."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from engage.errors import Invalid

HTTP_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
ANY_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
HEX_COLOUR = re.compile(r"^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$")
MAX_JSON_DEPTH = 20
RGB_COLOUR = re.compile(r"^rgba?\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*(,\s*(0|1|0?\.\d+)\s*)?\)$")


@dataclass(frozen=True)
class Position:
    line: int
    column: int


class TemplateInvalid(Invalid):
    """Several field-level problems at once; `field`/`message` carry the first, `errors` all of them."""

    def __init__(self, errors: dict[str, list[str]], positions: dict[str, Position] | None = None) -> None:
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=first_field)
        self.errors = errors
        self.positions = positions or {}


@dataclass
class Errors:
    items: dict[str, list[str]] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)

    def add(self, path: str, message: str, *, position: Position | None = None) -> None:
        self.items.setdefault(path, []).append(message)
        if position is not None and path not in self.positions:
            self.positions[path] = position

    def has(self, path: str) -> bool:
        return path in self.items

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise TemplateInvalid(self.items, self.positions)


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def obj(data: Any, path: str, errors: Errors) -> dict[str, Any]:
    """A JSON object, or {} (with an error) for anything else; absent means {}."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        errors.add(path, "must be a JSON object")
        return {}
    return data


def text(
    data: dict[str, Any],
    key: str,
    path: str,
    errors: Errors,
    *,
    limit: int,
    required: str = "",
) -> str:
    """A string member; `required` is the message to show when it is empty."""
    value = data.get(key)
    where = f"{path}.{key}" if path else key
    if value is None or value == "":
        if required:
            errors.add(where, required)
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        errors.add(where, "must be text")
        return ""
    value = str(value)
    if len(value) > limit:
        errors.add(where, f"is {plural(len(value), 'character')} long; the limit is {limit:,}. Shorten it.")
    return value


def choice(data: dict[str, Any], key: str, path: str, errors: Errors, allowed: list[str], *, default: str = "") -> str:
    value = data.get(key)
    if value in (None, ""):
        return default
    if value not in allowed:
        errors.add(f"{path}.{key}" if path else key, f"must be one of {', '.join(allowed)} (got {value!r})")
        return default
    return str(value)


def has_variables(value: str) -> bool:
    return "{{" in value


def url(value: str, where: str, errors: Errors, *, web_only: bool = True) -> None:
    """Check a URL unless it is built from variables (then only the rendered message can be checked)."""
    if not value or has_variables(value):
        return
    if web_only and not HTTP_URL.match(value):
        errors.add(where, "must be a web address starting with https:// (or http://)")
    elif not web_only and not ANY_URL.match(value):
        errors.add(where, "must be a URL or deep link with a scheme, for example https://… or myapp://…")


def colour(value: str, where: str, errors: Errors) -> None:
    if value and not (HEX_COLOUR.match(value) or RGB_COLOUR.match(value)):
        errors.add(where, "must be a colour such as #1A73E8 or rgb(26, 115, 232)")


def string_map(
    data: Any, path: str, errors: Errors, *, max_items: int, key_limit: int, value_limit: int, what: str
) -> dict[str, str]:
    """An object of string → string (tags, custom data), with Pinpoint's limits on count and lengths."""
    if data in (None, ""):
        return {}
    if not isinstance(data, dict):
        errors.add(path, f"must be an object of {what} names to values")
        return {}
    if len(data) > max_items:
        errors.add(path, f"has {plural(len(data), what)}; the limit is {max_items}. Remove some.")
    out: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not key.strip() or len(key) > key_limit:
            errors.add(path, f"{what} names must be 1–{key_limit} characters (check {str(key)[:40]!r})")
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            errors.add(f"{path}.{key}", "must be text")
            continue
        value = str(value)
        if len(value) > value_limit:
            errors.add(f"{path}.{key}", f"is longer than {value_limit:,} characters")
            continue
        out[key] = value
    return out


def json_object(value: Any, where: str, errors: Errors, *, limit: int) -> dict[str, Any] | None:
    """An object given as JSON text or as an object already; None when absent or broken (with an error)."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        if len(value) > limit:
            errors.add(where, f"is {plural(len(value), 'character')} long; the limit is {limit:,}")
            return None
        try:
            value = json.loads(value)
        except ValueError as exc:
            errors.add(where, f"is not valid JSON: {exc}. Check quotes and commas.")
            return None
        except RecursionError:
            value = None
    if not isinstance(value, dict):
        errors.add(where, "must be a JSON object ({…})")
        return None
    if json_depth(value) > MAX_JSON_DEPTH:
        errors.add(where, f"nests more than {MAX_JSON_DEPTH} levels deep; flatten it")
        return None
    if len(json.dumps(value, ensure_ascii=False)) > limit:
        errors.add(where, f"is longer than {limit:,} characters as JSON")
        return None
    return value


def json_depth(value: Any) -> int:
    """How deeply objects and lists nest (counted without recursion, so any input is safe to measure)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:
                stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def json_strings(value: Any, path: str) -> list[tuple[str, str]]:
    """Every string inside a JSON value with its path (where Handlebars may appear)."""
    found: list[tuple[str, str]] = []
    if isinstance(value, str):
        found.append((path, value))
    elif isinstance(value, dict):
        for key, item in value.items():
            found.extend(json_strings(item, f"{path}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(json_strings(item, f"{path}[{index}]"))
    return found


def compact(values: dict[str, Any]) -> dict[str, Any]:
    """Leave out unset members, as Pinpoint's JSON does."""
    return {k: v for k, v in values.items() if v not in ("", None, [], {})}
