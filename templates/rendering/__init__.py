"""A safe Handlebars engine that renders Pinpoint message templates as Pinpoint did.

Core syntax renders byte for byte like handlebars.js 4.7; Pinpoint's 44 helpers behave like its Handlebars.java
helpers. Templates are parsed and compiled to Python closures (never to source code, never exec'd), values are
only read from JSON data (dict keys, list items), and every render is bounded in output size and time.

    template = compile_template("Hi {{User.UserAttributes.FirstName}}", html=True)   # cached per source
    template.render(personalization_context(endpoint_json, application_id=tenant.public_id))
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from templates.rendering.compiler import Compiler
from templates.rendering.context import personalization_context
from templates.rendering.errors import RenderLimitExceeded, TemplateError
from templates.rendering.helpers import HELPERS, PINPOINT_HELPERS
from templates.rendering.lexer import Source
from templates.rendering.parser import parse
from templates.rendering.program import ProgramRunner
from templates.rendering.runtime import (
    MAX_OUTPUT_BYTES,
    MAX_RENDER_SECONDS,
    MAX_TEMPLATE_CHARS,
    Scope,
    State,
    too_big,
)
from templates.rendering.whitespace import apply as apply_whitespace

__all__ = [
    "PINPOINT_HELPERS",
    "CompiledTemplate",
    "RenderLimitExceeded",
    "TemplateError",
    "compile_template",
    "personalization_context",
]

_OUTSIDE = object()


class CompiledTemplate:
    """A parsed and compiled template; render it for as many recipients as needed (it keeps no state)."""

    __slots__ = ("_root", "html", "source", "variables")

    def __init__(self, source: str, html: bool, root: ProgramRunner, variables: frozenset[str]) -> None:
        self.source = source
        self.html = html
        self._root = root
        self.variables = variables  # the context paths the template reads, e.g. "User.UserAttributes.FirstName"

    def render(self, context: dict[str, Any], *, missing: Callable[[str], None] | None = None) -> str:
        """The message for one context. `missing(name)` is called with each variable (a member of `variables`)
        whose value printed nothing, so the caller can apply the template's missing-variable policy."""
        st = State(time.monotonic() + MAX_RENDER_SECONDS, missing)
        data: dict[str, Any] = {"root": context}
        try:
            out = self._root.run(Scope(_OUTSIDE, None, data, None, st), context, data)
        except RecursionError:
            raise RenderLimitExceeded("the template nests too deeply to render; simplify nested partials") from None
        if len(out) * 4 > MAX_OUTPUT_BYTES and len(out.encode("utf-8", "surrogatepass")) > MAX_OUTPUT_BYTES:
            raise too_big()
        return out

    def __repr__(self) -> str:
        return f"<CompiledTemplate html={self.html} {self.source[:40]!r}>"


def compile_template(source: str, *, html: bool) -> CompiledTemplate:
    """Compile (or take from the cache) a template. `html=True` escapes {{values}} as handlebars.js does for
    email HTML; `html=False` does not (SMS, push, voice, subject lines). Syntax errors are TemplateErrors with
    a line and column."""
    if not isinstance(source, str):
        raise TypeError(f"a template is text, not {type(source).__name__}")
    return _compile(source, bool(html))


@lru_cache(maxsize=512)
def _compile(source: str, html: bool) -> CompiledTemplate:
    if len(source) > MAX_TEMPLATE_CHARS:
        raise Source(source).error(
            f"the template is {len(source):,} characters long; the limit is {MAX_TEMPLATE_CHARS:,}",
            MAX_TEMPLATE_CHARS,
        )
    tree = apply_whitespace(parse(source))
    compiler = Compiler(html=html, helpers=HELPERS, root=tree)
    try:
        root = compiler.compile(tree)
    except RecursionError:
        raise TemplateError("the template nests too deeply") from None
    return CompiledTemplate(source, html, root, frozenset(compiler.scope.variables))
