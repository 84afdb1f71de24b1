"""Partials: `{{> name}}` renders an inline partial (`{{#* inline "name"}}…{{/inline}}`) visible where it is
called; `{{#> name}}fallback{{/name}}` falls back to its block and hands it to the partial as @partial-block."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from templates.rendering.errors import RenderLimitExceeded, TemplateError
from templates.rendering.expressions import Evaluator
from templates.rendering.program import InlinePartial, Node, ProgramRunner
from templates.rendering.runtime import (
    MAX_OUTPUT_BYTES,
    MAX_PARTIAL_DEPTH,
    Scope,
    State,
    js_str,
    new_frame,
    too_big,
    too_slow,
)

PartialFn = Callable[[Any, dict[str, Any], State], str]


class PartialCall:
    """What every partial statement shares: how to find the name, the context and the hash."""

    def __init__(
        self,
        name: str | Evaluator,
        context: Evaluator | None,
        hash_pairs: list[tuple[str, Evaluator]],
        where: tuple[int, int],
    ) -> None:
        self.name = name
        self.context = context
        self.hash_pairs = hash_pairs
        self.where = where

    def name_of(self, sc: Scope) -> str:
        return self.name if isinstance(self.name, str) else js_str(self.name(sc))

    def context_of(self, sc: Scope) -> Any:
        ctx = sc.ctx if self.context is None else self.context(sc)
        if not self.hash_pairs:
            return ctx
        merged: dict[str, Any] = {}
        if isinstance(ctx, dict):
            merged.update(ctx)
        elif isinstance(ctx, (list, tuple, str)):
            merged.update((str(i), item) for i, item in enumerate(ctx))
        for key, ev in self.hash_pairs:
            merged[key] = ev(sc)
        return merged

    def invoke(self, partial: PartialFn, ctx: Any, data: dict[str, Any], st: State) -> str:
        st.partial_depth += 1
        try:
            if st.partial_depth > MAX_PARTIAL_DEPTH:
                raise RenderLimitExceeded(
                    f"partials call each other more than {MAX_PARTIAL_DEPTH} levels deep; "
                    "a partial probably includes itself"
                ).located(*self.where)
            if time.monotonic() > st.deadline:
                raise too_slow()
            return partial(ctx, data, st)
        finally:
            st.partial_depth -= 1

    def missing(self, name: str) -> TemplateError:
        return TemplateError(
            f'the partial "{name}" is not defined here; define it with {{{{#* inline "{name}"}}}}…{{{{/inline}}}}'
        ).located(*self.where)


def _indent(text: str, indent: str) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line and i + 1 == len(lines):
            break
        lines[i] = indent + line
    return "\n".join(lines)


def partial_node(call: PartialCall, indent: str) -> Node:
    def node(sc: Scope) -> str:
        st = sc.st
        name = call.name_of(sc)
        partial = sc.data.get("partial-block") if name == "@partial-block" else st.partials.get(name)
        if partial is None:
            raise call.missing(name)
        out = call.invoke(partial, call.context_of(sc), sc.data, st)
        if not indent:
            return out
        st.size += len(indent) * (out.count("\n") + 1)
        if st.size > MAX_OUTPUT_BYTES:
            raise too_big()
        return _indent(out, indent)

    return node


def partial_block_node(call: PartialCall, fallback: ProgramRunner) -> Node:
    def node(sc: Scope) -> str:
        st = sc.st
        name = call.name_of(sc)
        partial = st.partials.get(name)
        outer_block = sc.data.get("partial-block")
        caller_depths, caller_bp = sc.depths, sc.bp

        def block(ctx: Any, data: dict[str, Any], state: State) -> str:
            frame = new_frame(data)
            frame["partial-block"] = outer_block
            return fallback.run(Scope(_CALLER, caller_depths, frame, caller_bp, state), ctx, frame)

        data = new_frame(sc.data)
        data["partial-block"] = block
        saved = st.partials
        if fallback.inline:
            st.partials = dict(saved)
            for inline_name, program in fallback.inline:
                st.partials[inline_name] = InlinePartial(program, caller_depths, caller_bp)
        try:
            return call.invoke(partial or block, call.context_of(sc), data, st)
        finally:
            st.partials = saved

    return node


_CALLER = object()
