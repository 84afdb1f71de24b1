"""Pinpoint's math and encoding helpers. Math is decimal, as Pinpoint's was: {{add 5 2.3}} is 7.3 and
{{multiply 5 2.3}} is 11.5 (not binary floating point's 11.499999999999998); divide keeps 8 decimals
(5 / 2.3 → 2.17391304)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any

from templates.rendering.errors import TemplateError
from templates.rendering.helpers.base import Args, Hash, Helper, format_decimal, parse_decimal, text

_CONTEXT = Context(prec=60)
_DIVIDE_PLACES = Decimal("1e-8")


def _binary(name: str, op: Any) -> Any:
    def helper(args: Args, hash_: Hash) -> str:
        if args[0] is None or args[1] is None:
            return ""
        a, b = parse_decimal(args[0], helper=name), parse_decimal(args[1], helper=name)
        with localcontext(_CONTEXT):
            return format_decimal(op(a, b))

    return helper


def _divide(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise TemplateError("divide: cannot divide by zero")
    return (a / b).quantize(_DIVIDE_PLACES, rounding=ROUND_HALF_UP)


def _modulo(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise TemplateError("modulo: cannot divide by zero")
    return a % b


def _unary(name: str, rounding: str | None) -> Any:
    def helper(args: Args, hash_: Hash) -> str:
        if args[0] is None:
            return ""
        value = parse_decimal(args[0], helper=name)
        with localcontext(_CONTEXT):
            if rounding is None:  # Math.round: halves go up (2.5 → 3, -2.5 → -2)
                return format_decimal((value + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR))
            return format_decimal(value.to_integral_value(rounding=rounding))

    return helper


def _encode64(args: Args, hash_: Hash) -> str:
    return base64.b64encode(text(args[0]).encode()).decode("ascii")


def _decode64(args: Args, hash_: Hash) -> str:
    raw = "".join(text(args[0]).split())
    try:
        decoded = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
        return decoded.decode()
    except (binascii.Error, ValueError):
        raise TemplateError(f"decode64: {raw[:40]!r} is not base64-encoded text") from None


def _digest(algorithm: str) -> Any:
    def helper(args: Args, hash_: Hash) -> str:
        return hashlib.new(algorithm, text(args[0]).encode(), usedforsecurity=False).hexdigest()

    return helper


def _uuid(args: Args, hash_: Hash) -> str:
    return str(uuid.uuid4())


def _h(name: str, fn: Any, lo: int, hi: int, usage: str, *, uses_this: bool = True) -> Helper:
    return Helper(name, fn, min_args=lo, max_args=hi, uses_this=uses_this, usage=usage)


HELPERS = [
    _h("add", _binary("add", lambda a, b: a + b), 2, 2, "{{add 5 2.3}}"),
    _h("ceiling", _unary("ceiling", ROUND_CEILING), 1, 1, "{{ceiling 5.23}}"),
    _h("decode64", _decode64, 1, 1, '{{decode64 "SGVsbG8="}}'),
    _h("divide", _binary("divide", _divide), 2, 2, "{{divide 5 2.3}}"),
    _h("encode64", _encode64, 1, 1, '{{encode64 "Hello"}}'),
    _h("floor", _unary("floor", ROUND_FLOOR), 1, 1, "{{floor 5.23}}"),
    _h("md5", _digest("md5"), 1, 1, '{{md5 "text"}}'),
    _h("modulo", _binary("modulo", _modulo), 2, 2, "{{modulo 7 2}}"),
    _h("multiply", _binary("multiply", lambda a, b: a * b), 2, 2, "{{multiply 5 2.3}}"),
    _h("round", _unary("round", None), 1, 1, "{{round 19.21}}"),
    _h("sha256", _digest("sha256"), 1, 1, '{{sha256 "text"}}'),
    _h("sha512", _digest("sha512"), 1, 1, '{{sha512 "text"}}'),
    _h("subtract", _binary("subtract", lambda a, b: a - b), 2, 2, "{{subtract 5 2.3}}"),
    _h("uuid", _uuid, 0, 0, "{{uuid}}", uses_this=False),
]
