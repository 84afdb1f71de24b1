"""A compiled program (a template, or a block's body): its statements as closures, run in a Scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from templates.rendering.runtime import MAX_OUTPUT_BYTES, Scope, State, push_depth, too_big

Node = Callable[[Scope], str]
Body = Callable[[Scope], str]


def make_body(items: list[str | Node]) -> Body:
    """Join literal text and statement results; literal sizes count towards the output limit once per run."""
    merged: list[str | Node] = []
    for item in items:
        if isinstance(item, str):
            if not item:
                continue
            if merged and isinstance(merged[-1], str):
                merged[-1] = merged[-1] + item
                continue
        merged.append(item)
    literal = sum(len(item) for item in merged if isinstance(item, str))
    nodes = [(i, item) for i, item in enumerate(merged) if not isinstance(item, str)]
    if not nodes:
        text = "".join(item for item in merged if isinstance(item, str))
        return _constant(text)
    if len(merged) == 1:
        return _single(nodes[0][1])
    template = [item if isinstance(item, str) else "" for item in merged]

    def body(sc: Scope) -> str:
        out = template.copy()
        for i, node in nodes:
            out[i] = node(sc)
        st = sc.st
        st.size += literal
        if st.size > MAX_OUTPUT_BYTES:
            raise too_big()
        return "".join(out)

    return body


def _constant(text: str) -> Body:
    size = len(text)

    def body(sc: Scope) -> str:
        st = sc.st
        st.size += size
        if st.size > MAX_OUTPUT_BYTES:
            raise too_big()
        return text

    return body


def _single(node: Node) -> Body:
    return node


class InlinePartial:
    """A {{#* inline "name"}} partial as registered while its program runs: the body and where it was defined."""

    __slots__ = ("bp", "depths", "program")

    def __init__(self, program: ProgramRunner, depths: Any, bp: Any) -> None:
        self.program = program
        self.depths = depths
        self.bp = bp

    def __call__(self, ctx: Any, data: dict[str, Any], st: State) -> str:
        return self.program.run(Scope(_NOT_A_CONTEXT, self.depths, data, self.bp, st), ctx, data)


_NOT_A_CONTEXT = object()


class ProgramRunner:
    """Runs a program for a context. Like handlebars.js, `../` only gains a level when the context changes, and
    the inline partials a program defines are visible while it (and whatever it calls) runs."""

    __slots__ = ("body", "declares_bp", "inline", "use_depths")

    def __init__(self, body: Body, *, declares_bp: bool, use_depths: bool) -> None:
        self.body = body
        self.declares_bp = declares_bp
        self.use_depths = use_depths
        self.inline: list[tuple[str, ProgramRunner]] = []

    def run(self, parent: Scope, ctx: Any, data: dict[str, Any] | None = None, bp_values: Any = None) -> str:
        if ctx is parent.ctx and data is None and not self.declares_bp and not self.inline:
            return self.body(parent)
        st = parent.st
        sc = Scope(
            ctx,
            push_depth(ctx, parent.depths) if self.use_depths else None,
            parent.data if data is None else data,
            (bp_values or (), parent.bp) if self.declares_bp else parent.bp,
            st,
        )
        if not self.inline:
            return self.body(sc)
        saved = st.partials
        registered = dict(saved)
        for name, program in self.inline:
            registered[name] = InlinePartial(program, parent.depths, sc.bp)
        st.partials = registered
        try:
            return self.body(sc)
        finally:
            st.partials = saved
