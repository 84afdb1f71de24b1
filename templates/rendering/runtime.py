"""What a render sees at run time, and JavaScript's rules for values (handlebars.js runs on them).

The context is JSON data: dicts, lists, strings, numbers, booleans and None. Property access only ever reads
dict keys, list items and a list's or string's `length` (handlebars.js reads own properties only); nothing
here calls getattr, so a template can never reach into Python objects.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from templates.rendering.errors import RenderLimitExceeded

MAX_TEMPLATE_CHARS = 500_000  # Pinpoint's limit for a template part
MAX_OUTPUT_BYTES = 1_000_000  # per render
MAX_RENDER_SECONDS = 1.0  # per render, checked in loops, partials and helpers
MAX_NESTING = 64  # blocks and subexpressions inside each other, in the source
MAX_PARTIAL_DEPTH = 32  # partials calling partials while rendering
MAX_EACH_ITEMS = 15  # Pinpoint's `each` renders at most 15 items

# JavaScript's \s (the lexer, the standalone-line rules and the whitespace helpers all use it).
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_SPACES = frozenset("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | frozenset(
    chr(c) for c in range(0x2000, 0x200B)
)
JS_SPACE_CHARS = "".join(sorted(_JS_SPACES))  # for str.strip()

_ESCAPE_RE = re.compile("[&<>\"'`=]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "`": "&#x60;", "=": "&#x3D;"}
_ESCAPE_TABLE = str.maketrans(_ESCAPES)


class NullContext(dict):  # type: ignore[type-arg]
    """handlebars.js calls helpers with a sealed empty object as `this` when the context is null/undefined."""


NULL_CONTEXT = NullContext()


class State:
    """One render's bookkeeping: the deadline, the output produced so far, the visible inline partials."""

    __slots__ = ("deadline", "missing", "partial_depth", "partials", "size")

    def __init__(self, deadline: float, missing: Callable[[str], None] | None) -> None:
        self.deadline = deadline
        self.missing = missing
        self.size = 0
        self.partials: dict[str, Any] = {}
        self.partial_depth = 0


class Scope:
    """Where a statement runs: the context (`this`), the chain of outer contexts for `../`, the @data frame,
    the block parameters in force, and the render's State."""

    __slots__ = ("bp", "ctx", "data", "depths", "st")

    def __init__(self, ctx: Any, depths: Any, data: dict[str, Any], bp: Any, st: State) -> None:
        self.ctx = ctx
        self.depths = depths  # (context, parent-depths) linked pairs; depths[0] is ctx
        self.data = data
        self.bp = bp  # (values, parent) linked pairs, one per enclosing block that declares |params|
        self.st = st


def too_big() -> RenderLimitExceeded:
    return RenderLimitExceeded(
        f"the message would be larger than {MAX_OUTPUT_BYTES:,} bytes; check loops ({{{{#each}}}}) and partials "
        "that repeat content"
    )


def too_slow() -> RenderLimitExceeded:
    return RenderLimitExceeded(
        f"rendering took longer than {MAX_RENDER_SECONDS:g} s and was stopped; check nested loops ({{{{#each}}}}) "
        "and partials that call themselves"
    )


def escape(text: str) -> str:
    """handlebars.js escapeExpression for a string."""
    if _ESCAPE_RE.search(text) is None:
        return text
    return text.translate(_ESCAPE_TABLE)


def js_number(value: float | int) -> str:
    """Number.prototype.toString(): shortest round-trip digits, exponent only below 1e-6 or from 1e21."""
    if isinstance(value, int) and -(2**53) < value < 2**53:
        return str(int(value))
    value = float(value)
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    sign = "-" if value < 0 else ""
    mantissa, _, exp = repr(abs(value)).partition("e")
    whole, _, frac = mantissa.partition(".")
    significant = (whole + frac).lstrip("0")
    # value = 0.<digits> x 10^n
    n = len(whole) + int(exp or 0) - (len(whole) + len(frac) - len(significant))
    digits = significant.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    return sign + (digits if k == 1 else digits[0] + "." + digits[1:]) + (f"e+{e}" if e >= 0 else f"e-{-e}")


def js_str(value: Any) -> str:
    """String(value) as JavaScript computes it; undefined/null give "" (as Handlebars appends them)."""
    cls = value.__class__
    if cls is str:
        return value  # type: ignore[no-any-return]
    if value is None:
        return ""
    if cls is bool:
        return "true" if value else "false"
    if cls is int or cls is float:
        return js_number(value)
    if cls is list or cls is tuple:
        try:
            return ",".join(value)  # the common case: an attribute, a list of strings
        except TypeError:
            return ",".join(js_str(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (int, float)):
        return js_str(bool(value) if isinstance(value, bool) else float(value))
    if isinstance(value, (list, tuple)):
        return ",".join(js_str(item) for item in value)
    return str(value)


def js_falsy(value: Any) -> bool:
    """JavaScript's `!value`: undefined, null, false, "", 0 and NaN (lists and objects are truthy)."""
    if value is None or value is False:
        return True
    cls = value.__class__
    if cls is str:
        return not value
    if cls is int:
        return value == 0  # type: ignore[no-any-return]
    if cls is float:
        return value == 0 or value != value  # type: ignore[no-any-return]
    return False


def is_empty(value: Any) -> bool:
    """Handlebars.Utils.isEmpty: falsy except 0, or an empty list."""
    if isinstance(value, list):
        return not value
    return js_falsy(value) and not (value.__class__ in (int, float) and value == 0)


def is_index(name: str) -> bool:
    """Is `name` an array index as JavaScript writes one ("0", "12"; not "01", "-1" or "1.0")?"""
    return name.isascii() and name.isdigit() and (name == "0" or name[0] != "0") and len(name) < 11


def _utf16_unit(text: str, index: int) -> str | None:
    if text.isascii() or all(ord(c) < 0x10000 for c in text):
        return text[index] if index < len(text) else None
    units = text.encode("utf-16-le")
    if 2 * index + 1 >= len(units):
        return None
    return units[2 * index : 2 * index + 2].decode("utf-16-le", errors="replace")


def js_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def prop(obj: Any, name: str) -> Any:
    """handlebars.js lookupProperty: own properties only (dict keys; list items and length; string chars)."""
    cls = obj.__class__
    if cls is dict or isinstance(obj, dict):
        return obj.get(name)
    if cls is list or isinstance(obj, (list, tuple)):
        if name == "length":
            return len(obj)
        if is_index(name):
            i = int(name)
            return obj[i] if i < len(obj) else None
        return None
    if cls is str or isinstance(obj, str):
        if name == "length":
            return js_length(obj)
        if is_index(name):
            return _utf16_unit(obj, int(name))
    return None


def property_key(value: Any) -> str:
    """ToPropertyKey: the string a value becomes when used to index an object (lookup's second argument)."""
    if value is None:
        return "null"
    return js_str(value)


def js_keys(obj: dict[str, Any]) -> list[str]:
    """Object.keys order: array-index keys ascending, then the other keys in insertion order."""
    indexes = [key for key in obj if is_index(str(key))]
    if not indexes:
        return list(obj)
    indexes.sort(key=lambda key: int(key))
    seen = set(indexes)
    return indexes + [key for key in obj if key not in seen]


def _to_js_number(value: Any) -> float:
    if value is None:
        return math.nan
    if value is True or value is False:
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    text = js_str(value).strip(JS_SPACE_CHARS)
    if not text:
        return 0.0
    try:
        return float(int(text, 16)) if text[:2].lower() == "0x" else float(text)
    except ValueError:
        return math.nan


def loose_equal(a: Any, b: Any) -> bool:
    """JavaScript's `a == b` for JSON values (identity for objects and arrays)."""
    if a is b:
        return True
    if a is None or b is None:
        return False
    a_obj, b_obj = isinstance(a, (dict, list, tuple)), isinstance(b, (dict, list, tuple))
    if a_obj and b_obj:
        return False
    if a_obj:
        a = js_str(a)
    if b_obj:
        b = js_str(b)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return _to_js_number(a) == _to_js_number(b)


def push_depth(ctx: Any, depths: Any) -> Any:
    """handlebars.js adds a level for `../` only when the context changes (by loose equality)."""
    if depths is None:
        return (ctx, None)
    top = depths[0]
    if ctx is top or (ctx is NULL_CONTEXT and top is None) or loose_equal(ctx, top):
        return depths
    return (ctx, depths)


def new_frame(data: dict[str, Any]) -> dict[str, Any]:
    """createFrame: a child @data frame that can still reach its parent through @../"""
    frame = dict(data)
    frame["_parent"] = data
    return frame


def is_space(char: str) -> bool:
    return char in _JS_SPACES
