"""Which context paths a template reads, known while compiling: `{{#with User}}{{UserId}}{{/with}}` reads
User.UserId. Inside {{#each}} (or a partial) the context is not a fixed place, so paths there are not named.

Names are dotted; a part that is not a plain name is bracketed (`User.UserAttributes.[Last Name]`), and a
trailing list index is dropped (`{{Attributes.Plan.[0]}}` reads the attribute Attributes.Plan).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from templates.rendering import nodes as n
from templates.rendering.runtime import JS_SPACE, is_index, js_str

_PLAIN = re.compile(rf"[^{JS_SPACE}!\"#%-,\.\/;->@\[-\^`\{{-~]+")
_RESERVED = frozenset({"this", "true", "false", "null", "undefined"})

Prefix = tuple[str, ...] | None  # a place in the root context, or None when it is not known


def canonical(parts: tuple[str, ...]) -> str:
    out = []
    for part in parts:
        if _PLAIN.fullmatch(part) and part not in _RESERVED and not part.isdigit():
            out.append(part)
        else:
            out.append("[" + part.replace("\\", "\\\\").replace("]", "\\]") + "]")
    return ".".join(out)


def variable_name(parts: tuple[str, ...]) -> str | None:
    """The name a place is known by (trailing list indexes dropped), or None for the context itself."""
    while parts and is_index(parts[-1]):
        parts = parts[:-1]
    return canonical(parts) if parts else None


class StaticScope:
    """The compile-time mirror of the runtime scope: the known place of each context level, block params."""

    SAME: Any = object()

    def __init__(self) -> None:
        self.levels: list[Prefix] = [()]
        self.block_params: list[tuple[list[str], list[Prefix]]] = []
        self.variables: set[str] = set()

    @contextmanager
    def enter(self, level: Any, names: list[str], prefixes: list[Any] | None) -> Iterator[None]:
        pushed = level is not StaticScope.SAME
        if pushed:
            self.levels.append(level)
        if names:
            known = list(prefixes or [])
            self.block_params.append((names, known + [None] * (len(names) - len(known))))
        try:
            yield
        finally:
            if names:
                self.block_params.pop()
            if pushed:
                self.levels.pop()

    @contextmanager
    def detached(self) -> Iterator[None]:
        """A partial's body: it runs wherever it is called, so its outer levels are unknown."""
        saved = self.levels
        self.levels = [None]
        try:
            yield
        finally:
            self.levels = saved

    def block_param(self, name: str) -> tuple[int, int] | None:
        if not self.block_params:
            return None
        for depth, (names, _) in enumerate(reversed(self.block_params)):
            if name in names:
                return depth, names.index(name)
        return None

    def place(self, path: n.PathExpr) -> Prefix:
        """Where a path points in the root context, if that is known."""
        parts = tuple(path.parts)
        if path.data:
            return parts[1:] if not path.depth and parts[:1] == ("root",) else None
        found = self.block_param(parts[0]) if parts and not path.depth else None
        if found is not None:
            prefix = self.block_params[-1 - found[0]][1][found[1]]
            return None if prefix is None else prefix + parts[1:]
        level = len(self.levels) - 1 - path.depth
        prefix = self.levels[level] if level >= 0 else None
        return None if prefix is None else prefix + parts

    def static(self, node: n.Expr) -> Prefix:
        return self.place(node) if isinstance(node, n.PathExpr) else None

    def record(self, path: n.PathExpr) -> str | None:
        """Note the variable a path reads and return its name (None when it is not a known place)."""
        place = self.place(path)
        name = variable_name(place) if place is not None else None
        if name is not None:
            self.variables.add(name)
        return name


@dataclass
class Usage:
    depths: bool = False  # some path climbs with ../
    data: bool = False  # some path reads @data, or a partial block needs @partial-block
    inline_names: set[str] = field(default_factory=set)


def scan(program: n.Program) -> Usage:
    """What the whole template uses (so runs skip the bookkeeping for ../ and @data when nothing needs it)."""
    usage = Usage()
    stack: list[Any] = [program]
    while stack:
        node = stack.pop()
        if isinstance(node, n.PathExpr):
            usage.depths = usage.depths or node.depth > 0
            usage.data = usage.data or node.data
        elif isinstance(node, n.Program):
            stack.extend(node.body)
        elif isinstance(node, (n.Mustache, n.SubExpr)):
            stack.append(node.path)
            _expressions(stack, node.params, node.hash)
        elif isinstance(node, n.Block):
            stack.append(node.path)
            _expressions(stack, node.params, node.hash)
            stack.extend(program for program in (node.program, node.inverse) if program is not None)
            if node.decorator and node.params and isinstance(node.params[0], n.Literal):
                usage.inline_names.add(js_str(node.params[0].value))
        elif isinstance(node, (n.Partial, n.PartialBlock)):
            stack.append(node.name)
            _expressions(stack, node.params, node.hash)
            if isinstance(node, n.PartialBlock):
                usage.data = True
                stack.append(node.program)
    return usage


def _expressions(stack: list[Any], params: list[n.Expr], pairs: list[tuple[str, n.Expr]] | None) -> None:
    stack.extend(params)
    stack.extend(value for _, value in pairs or ())
