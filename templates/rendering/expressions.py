"""Evaluators: closures that compute a path, a literal or a helper call for a Scope.

Paths follow handlebars.js: `a.b` stops at null/undefined and returns it; @data paths stop at any falsy value;
block parameters are found by position, decided when compiling.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from templates.rendering.errors import TemplateError
from templates.rendering.helpers.base import Helper
from templates.rendering.runtime import NULL_CONTEXT, Scope, js_falsy, prop, property_key, too_slow

Evaluator = Callable[[Scope], Any]
Reporter = str | None  # the variable name to pass to `missing` when the value renders empty

_HELPER_FAILURES = (ValueError, TypeError, ArithmeticError, UnicodeError, OverflowError, LookupError)


def constant(value: Any) -> Evaluator:
    def ev(sc: Scope) -> Any:
        return value

    return ev


def walk(value: Any, parts: tuple[str, ...]) -> Any:
    for part in parts:
        if value is None:
            return None
        value = value.get(part) if value.__class__ is dict else prop(value, part)
    return value


def context_path(parts: tuple[str, ...]) -> Evaluator:
    """`a.b.c` on the current context (unrolled for the short paths nearly every template uses)."""
    if len(parts) == 1:
        (a,) = parts

        def ev1(sc: Scope) -> Any:
            v = sc.ctx
            if v.__class__ is dict:
                return v.get(a)
            return None if v is None else prop(v, a)

        return ev1
    if len(parts) == 2:
        a, b = parts

        def ev2(sc: Scope) -> Any:
            v = sc.ctx
            v = v.get(a) if v.__class__ is dict else (None if v is None else prop(v, a))
            if v.__class__ is dict:
                return v.get(b)
            return None if v is None else prop(v, b)

        return ev2
    if len(parts) == 3:
        a, b, c = parts

        def ev3(sc: Scope) -> Any:
            v = sc.ctx
            v = v.get(a) if v.__class__ is dict else (None if v is None else prop(v, a))
            v = v.get(b) if v.__class__ is dict else (None if v is None else prop(v, b))
            if v.__class__ is dict:
                return v.get(c)
            return None if v is None else prop(v, c)

        return ev3

    def ev(sc: Scope) -> Any:
        return walk(sc.ctx, parts)

    return ev


def _depth(sc: Scope, depth: int) -> Any:
    depths = sc.depths
    for _ in range(depth):
        if depths is None:
            return None
        depths = depths[1]
    return None if depths is None else depths[0]


def outer_path(depth: int, parts: tuple[str, ...]) -> Evaluator:
    """`../a` (or `..` alone): the context `depth` levels up."""

    def ev(sc: Scope) -> Any:
        return walk(_depth(sc, depth), parts)

    return ev


def this() -> Evaluator:
    def ev(sc: Scope) -> Any:
        return sc.ctx

    return ev


def data_path(depth: int, parts: tuple[str, ...]) -> Evaluator:
    """`@index`, `@root.x`, `@../key`: read from the @data frame, stopping at any falsy value."""

    def ev(sc: Scope) -> Any:
        value: Any = sc.data
        for _ in range(depth):
            if not value:
                break
            value = value.get("_parent")
        for part in parts:
            if js_falsy(value):
                return value
            value = prop(value, part)
        return value

    return ev


def block_param(depth: int, index: int, rest: tuple[str, ...]) -> Evaluator:
    """`item.name` where `item` was declared with `as |item i|` by an enclosing block."""

    def ev(sc: Scope) -> Any:
        frame = sc.bp
        for _ in range(depth):
            frame = frame[1]
        values = frame[0]
        return walk(values[index] if index < len(values) else None, rest)

    return ev


def this_or_null(sc: Scope) -> Any:
    """The `this` handlebars.js hands to helpers: the context, or an empty object when it is null."""
    return NULL_CONTEXT if sc.ctx is None else sc.ctx


def renders_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def helper_call(
    helper: Helper,
    params: list[tuple[Evaluator, Reporter]],
    hash_pairs: list[tuple[str, Evaluator]],
    where: tuple[int, int],
) -> Evaluator:
    """A Pinpoint helper's result (for a test helper: the bool). Errors point at the helper's tag."""
    fn, name, uses_this = helper.fn, helper.name, helper.uses_this
    evaluators = [ev for ev, _ in params]
    reporters = [(i, report) for i, (_, report) in enumerate(params) if report is not None]

    def ev(sc: Scope) -> Any:
        st = sc.st
        if time.monotonic() > st.deadline:
            raise too_slow()
        args = [e(sc) for e in evaluators]
        if not args and uses_this:
            args = [sc.ctx]
        if reporters and st.missing is not None:
            for i, report in reporters:
                if renders_empty(args[i]):
                    st.missing(report)
        hash_values = {key: e(sc) for key, e in hash_pairs}
        try:
            return fn(args, hash_values)
        except TemplateError as exc:
            raise exc.located(*where) from None
        except _HELPER_FAILURES as exc:
            raise TemplateError(f"{name} could not use these values ({exc})").located(*where) from None

    return ev


def test_inline(test: Evaluator, hash_pairs: list[tuple[str, Evaluator]]) -> Evaluator:
    """A conditional helper used inline prints its yes= or no= value (true or false when not given)."""
    yes = next((e for key, e in hash_pairs if key == "yes"), None)
    no = next((e for key, e in hash_pairs if key == "no"), None)

    def ev(sc: Scope) -> Any:
        if test(sc):
            return True if yes is None else yes(sc)
        return False if no is None else no(sc)

    return ev


def lookup(obj: Evaluator, field: Evaluator | None) -> Evaluator:
    """The built-in `lookup obj field`: obj[field] (an own property), or obj itself when it is falsy."""

    def ev(sc: Scope) -> Any:
        target = obj(sc)
        if js_falsy(target):
            return target
        if field is None:
            return None
        return prop(target, property_key(field(sc)))

    return ev
