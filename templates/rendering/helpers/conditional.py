"""Pinpoint's conditional helpers: and, eq, gt, gte, if, lt, lte, neq, not, or.

Inline (`{{eq a b yes='y' no='n'}}`) they print yes/no (true/false when not given); as blocks
(`{{#eq a b}}…{{else}}…{{/eq}}`) they choose the block or its {{else}}. Attributes are lists of strings, so a
one-item list compares as its text, and text compares with a number as a number ("41" > 30).
"""

from __future__ import annotations

import math
from typing import Any

from templates.rendering.helpers.base import Args, Hash, Helper, truthy
from templates.rendering.runtime import js_falsy, js_str


def _plain(value: Any) -> Any:
    return js_str(value) if isinstance(value, (list, tuple)) else value


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return None if math.isnan(number) else number
    return None


def _compare(a: Any, b: Any) -> int | None:
    """-1, 0 or 1; None when the two cannot be ordered (then every comparison is false)."""
    a, b = _plain(a), _plain(b)
    if a is None or b is None or isinstance(a, dict) or isinstance(b, dict):
        return None
    if isinstance(a, bool) or isinstance(b, bool):
        if isinstance(a, bool) and isinstance(b, bool):
            return int(a) - int(b)
        return None
    if isinstance(a, str) and isinstance(b, str):
        return (a > b) - (a < b)
    x, y = _as_number(a), _as_number(b)
    if x is None or y is None:
        return None
    return (x > y) - (x < y)


def equal(a: Any, b: Any) -> bool:
    a, b = _plain(a), _plain(b)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) != isinstance(b, bool):
        return js_str(a) == js_str(b)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, (dict, bool)) or isinstance(b, (dict, bool)):
        return bool(a == b)
    x, y = _as_number(a), _as_number(b)
    return x is not None and x == y


def _eq(args: Args, hash_: Hash) -> bool:
    return equal(args[0], args[1] if len(args) > 1 else None)


def _neq(args: Args, hash_: Hash) -> bool:
    return not _eq(args, hash_)


def _ordered(test: str) -> Any:
    def check(args: Args, hash_: Hash) -> bool:
        result = _compare(args[0], args[1] if len(args) > 1 else None)
        if result is None:
            return False
        return {"gt": result > 0, "gte": result >= 0, "lt": result < 0, "lte": result <= 0}[test]

    return check


def _and(args: Args, hash_: Hash) -> bool:
    return all(truthy(value) for value in args)


def _or(args: Args, hash_: Hash) -> bool:
    return any(truthy(value) for value in args)


def _not(args: Args, hash_: Hash) -> bool:
    return not truthy(args[0])


def _if(args: Args, hash_: Hash) -> bool:
    value = args[0]
    if not js_falsy(hash_.get("includeZero")) and value.__class__ in (int, float) and value == 0:
        return True
    return truthy(value)


def _helper(name: str, fn: Any, lo: int, hi: int | None, usage: str) -> Helper:
    return Helper(name, fn, kind="test", min_args=lo, max_args=hi, usage=usage)


HELPERS = [
    _helper("and", _and, 2, None, "{{and a b yes='y' no='n'}} or {{#and a b}}…{{else}}…{{/and}}"),
    _helper("eq", _eq, 2, 2, "{{eq a b yes='y' no='n'}} or {{#eq a b}}…{{else}}…{{/eq}}"),
    _helper("gt", _ordered("gt"), 2, 2, "{{gt a b yes='y' no='n'}} or {{#gt a b}}…{{else}}…{{/gt}}"),
    _helper("gte", _ordered("gte"), 2, 2, "{{gte a b yes='y' no='n'}} or {{#gte a b}}…{{else}}…{{/gte}}"),
    _helper("if", _if, 1, 1, "{{if value yes='y' no='n'}} or {{#if value}}…{{else}}…{{/if}}"),
    _helper("lt", _ordered("lt"), 2, 2, "{{lt a b yes='y' no='n'}} or {{#lt a b}}…{{else}}…{{/lt}}"),
    _helper("lte", _ordered("lte"), 2, 2, "{{lte a b yes='y' no='n'}} or {{#lte a b}}…{{else}}…{{/lte}}"),
    _helper("neq", _neq, 2, 2, "{{neq a b yes='y' no='n'}} or {{#neq a b}}…{{else}}…{{/neq}}"),
    _helper("not", _not, 1, 1, "{{not value yes='y' no='n'}} or {{#not value}}…{{else}}…{{/not}}"),
    _helper("or", _or, 2, None, "{{or a b yes='y' no='n'}} or {{#or a b}}…{{else}}…{{/or}}"),
]
