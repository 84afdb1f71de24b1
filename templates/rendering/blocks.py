"""Block statements: the built-in if/unless/each/with, Pinpoint's conditional helpers as blocks, and a path used
as a block (`{{#items}}…{{/items}}`, which handlebars.js hands to blockHelperMissing)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from templates.rendering.expressions import Evaluator, this_or_null
from templates.rendering.program import Node, ProgramRunner
from templates.rendering.runtime import (
    MAX_EACH_ITEMS,
    MAX_OUTPUT_BYTES,
    Scope,
    is_empty,
    js_falsy,
    js_keys,
    js_str,
    new_frame,
    too_big,
    too_slow,
)

Runner = ProgramRunner | None


def _run(program: Runner, sc: Scope, ctx: Any) -> str:
    return "" if program is None else program.run(sc, ctx)


def if_block(cond: Evaluator, include_zero: Evaluator | None, program: Runner, inverse: Runner, flip: bool) -> Node:
    """{{#if}} (and {{#unless}} with `flip`): false, null, "", 0 (unless includeZero=true), NaN and [] are false."""

    def node(sc: Scope) -> str:
        value = cond(sc)
        zero_counts = include_zero is not None and not js_falsy(include_zero(sc))
        falsy = (js_falsy(value) and not zero_counts) or is_empty(value)
        if falsy != flip:
            return _run(inverse, sc, this_or_null(sc))
        return _run(program, sc, this_or_null(sc))

    return node


def with_block(value_of: Evaluator, program: Runner, inverse: Runner) -> Node:
    def node(sc: Scope) -> str:
        value = value_of(sc)
        if is_empty(value):
            return _run(inverse, sc, this_or_null(sc))
        if program is None:
            return ""
        return program.run(sc, value, None, (value,))

    return node


def each(sc: Scope, value: Any, program: Runner, inverse: Runner, use_data: bool, this: Any) -> str:
    """Iterate a list (or an object's keys, in JavaScript's order), at most MAX_EACH_ITEMS items like Pinpoint."""
    items: list[tuple[Any, Any]]
    if isinstance(value, (list, tuple)):
        items = list(enumerate(value[:MAX_EACH_ITEMS]))
    elif isinstance(value, dict):
        items = [(key, value[key]) for key in js_keys(value)[:MAX_EACH_ITEMS]]
    else:
        items = []
    if not items:
        return _run(inverse, sc, this)
    if program is None:
        return ""
    st = sc.st
    frame = new_frame(sc.data) if use_data else None
    last = len(items) - 1
    out = []
    for index, (key, item) in enumerate(items):
        if time.monotonic() > st.deadline:
            raise too_slow()
        if frame is not None:
            frame["key"] = key
            frame["index"] = index
            frame["first"] = index == 0
            frame["last"] = index == last
        out.append(program.run(sc, item, frame, (item, key)))
    return "".join(out)


def each_block(value_of: Evaluator, program: Runner, inverse: Runner, use_data: bool) -> Node:
    def node(sc: Scope) -> str:
        return each(sc, value_of(sc), program, inverse, use_data, this_or_null(sc))

    return node


def section_block(value_of: Evaluator, program: Runner, inverse: Runner, use_data: bool) -> Node:
    """A value used as a block: true renders it, false/null/[] the {{else}}, a list iterates, anything else
    becomes the context."""

    def node(sc: Scope) -> str:
        value = value_of(sc)
        if value is True:
            return _run(program, sc, sc.ctx)
        if value is False or value is None:
            return _run(inverse, sc, sc.ctx)
        if isinstance(value, (list, tuple)):
            return each(sc, value, program, inverse, use_data, sc.ctx)
        if program is None:
            return ""
        return program.run(sc, value)

    return node


def test_block(test: Evaluator, program: Runner, inverse: Runner) -> Node:
    """A Pinpoint conditional helper as a block: the block when the test holds, else its {{else}}."""

    def node(sc: Scope) -> str:
        if test(sc):
            return _run(program, sc, this_or_null(sc))
        return _run(inverse, sc, this_or_null(sc))

    return node


def value_block(value_of: Evaluator) -> Node:
    """A helper that computes a value, used as a block: its value is printed (blocks are never escaped)."""
    to_text: Callable[[Any], str] = js_str

    def node(sc: Scope) -> str:
        text = to_text(value_of(sc))
        st = sc.st
        st.size += len(text)
        if st.size > MAX_OUTPUT_BYTES:
            raise too_big()
        return text

    return node
