"""What a helper is, and the conversions helpers share (Pinpoint's helpers read numbers and text loosely)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from templates.rendering.errors import TemplateError
from templates.rendering.runtime import JS_SPACE_CHARS, is_empty, js_falsy, js_number, js_str

Args = list[Any]
Hash = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Helper:
    """A Pinpoint helper. `value` helpers compute something to print; `test` helpers decide: inline they print
    their yes=/no= hash values (true/false by default), as a block they render the block or its {{else}}."""

    name: str
    fn: Callable[[Args, Hash], Any]
    kind: str = "value"  # "value" or "test"
    min_args: int = 0
    max_args: int | None = None
    uses_this: bool = True  # with no arguments at all, the current context is the first argument
    literal_hash: frozenset[str] = field(default_factory=frozenset)  # bare words here are text (tz=Europe/Paris)
    literal_params: frozenset[int] = field(default_factory=frozenset)
    usage: str = ""


def text(value: Any) -> str:
    """The text a helper works on: JavaScript's String(value), so ["Ann"] reads as "Ann"."""
    return js_str(value)


def parse_decimal(value: Any, *, helper: str) -> Decimal:
    """A number from a number or a numeric text (attributes are lists of strings, so ["41"] is 41)."""
    if isinstance(value, bool) or value is None:
        raise TemplateError(f"{helper} needs a number, got {js_str(value) or 'nothing'}")
    raw = js_number(value) if isinstance(value, (int, float)) else js_str(value).strip(JS_SPACE_CHARS)
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise TemplateError(f"{helper} needs a number, got {raw[:40]!r}") from None
    if not number.is_finite() or abs(number.adjusted()) > 400:
        raise TemplateError(f"{helper} cannot work with {raw[:40]!r}")
    return number


def parse_int(value: Any, *, helper: str, what: str) -> int:
    number = parse_decimal(value, helper=helper)
    if number != number.to_integral_value():
        raise TemplateError(f"{helper}: {what} must be a whole number, got {js_str(value)}")
    return int(number)


def format_decimal(number: Decimal) -> str:
    """A decimal the way Pinpoint printed math results: plain digits, no trailing zeros, no exponent."""
    if number == 0:
        return "0"
    return format(number.normalize(), "f")


def truthy(value: Any) -> bool:
    """Handlebars truthiness (the {{#if}} rule): false, null, "", 0 and [] are false."""
    return not (js_falsy(value) or is_empty(value))
