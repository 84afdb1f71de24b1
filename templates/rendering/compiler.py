"""Syntax tree → closures, deciding once (as handlebars.js's compiler does) whether each `{{name …}}` is a helper
call or a value, which block parameter a name means, and which context paths the template reads."""

from __future__ import annotations

import re
from typing import Any

from templates.rendering import blocks, expressions
from templates.rendering import nodes as n
from templates.rendering.errors import TemplateError
from templates.rendering.expressions import Evaluator, Reporter
from templates.rendering.helpers.base import Helper
from templates.rendering.parser import literal_text
from templates.rendering.partials import PartialCall, partial_block_node, partial_node
from templates.rendering.program import Node, ProgramRunner, make_body
from templates.rendering.runtime import MAX_OUTPUT_BYTES, Scope, escape, js_str, too_big
from templates.rendering.variables import StaticScope, scan

_SCOPED = re.compile(r"^\.|this\b", re.ASCII)
_KNOWN = frozenset({"helperMissing", "blockHelperMissing", "each", "if", "unless", "with", "log", "lookup"})
_BLOCK_ONLY = frozenset({"each", "with", "unless"})
# The top-level names of the personalization context: a bare word starting with one of these is a variable even
# where a helper also accepts plain text (tz=Demographic.Timezone), anything else there is text (tz=Europe/Paris).
ENDPOINT_FIELDS = frozenset(
    [
        "Address",
        "ApplicationId",
        "Attributes",
        "ChannelType",
        "CohortId",
        "CreationDate",
        "Demographic",
        "EffectiveDate",
        "EndpointId",
        "EndpointStatus",
        "Id",
        "Location",
        "Metrics",
        "OptOut",
        "Pinpoint",
        "RequestId",
        "User",
    ]
)


class Compiler:
    def __init__(self, *, html: bool, helpers: dict[str, Helper], root: n.Program) -> None:
        self.html = html
        self.helpers = helpers
        usage = scan(root)
        self.use_depths, self.use_data = usage.depths, usage.data
        self.defined_partials = usage.inline_names
        self.scope = StaticScope()
        self.inline_stack: list[list[tuple[str, ProgramRunner]]] = []

    def compile(self, root: n.Program) -> ProgramRunner:
        """The runner for the whole template (call once)."""
        return self.program(root)

    def error(self, message: str, where: tuple[int, int]) -> TemplateError:
        return TemplateError(message, line=where[0], column=where[1])

    def program(self, node: n.Program, *, level: Any = StaticScope.SAME, bp: list[Any] | None = None) -> ProgramRunner:
        names = node.block_params or []
        runner = ProgramRunner(_unset, declares_bp=bool(names), use_depths=self.use_depths)
        with self.scope.enter(level, names, bp):
            self.inline_stack.append(runner.inline)
            items = [item for item in (self.statement(s) for s in node.body) if item is not None]
            self.inline_stack.pop()
        runner.body = make_body(items)
        return runner

    def statement(self, node: n.Statement) -> str | Node | None:
        if isinstance(node, n.Content):
            return node.value
        if isinstance(node, n.Comment):
            return None
        if isinstance(node, n.Mustache):
            return self.mustache(node)
        if isinstance(node, n.Block):
            if node.decorator:
                self.decorator_block(node)
                return None
            return self.block(node)
        if isinstance(node, n.Partial):
            return self.partial(node)
        return self.partial_block(node)

    def classify(self, path: n.PathExpr, has_args: bool, sexpr: bool) -> str:
        simple = _is_simple(path)
        block_param = simple and self.scope.block_param(path.parts[0]) is not None
        helper = not block_param and (sexpr or has_args)
        if not block_param and not helper and simple and path.parts[0] in _KNOWN:
            helper = True
        if helper:
            return "helper"
        return "ambiguous" if simple and not block_param else "simple"

    def is_helper(self, path: n.PathExpr, has_args: bool, sexpr: bool = False) -> bool:
        kind = self.classify(path, has_args, sexpr)
        return kind == "helper" or (kind == "ambiguous" and path.parts[0] in self.helpers)

    def mustache(self, node: n.Mustache) -> Node:
        where = (node.line, node.column)
        if node.decorator:
            raise self.error('only the inline decorator is supported: {{#* inline "name"}}…{{/inline}}', where)
        path = as_path(node.path)
        report: Reporter = None
        if self.is_helper(path, bool(node.params or node.hash)):
            ev = self.call(path, node.params, node.hash, where)
        else:
            ev, report = self.path(path)
        return output_node(ev, self.html and node.escaped, report)

    def call(
        self, path: n.PathExpr, params: list[n.Expr], hash_: list[tuple[str, n.Expr]] | None, where: tuple[int, int]
    ) -> Evaluator:
        """A helper call used for its value (a mustache or a subexpression)."""
        name = path.parts[0] if path.parts else ""
        if name in _BLOCK_ONLY:
            raise self.error(f"{name} is a block helper: write {{{{#{name} …}}}}…{{{{/{name}}}}}", where)
        if name == "lookup":
            evs = [self.expr(p) for p in params]
            return expressions.lookup(evs[0], evs[1] if len(evs) > 1 else None) if evs else expressions.constant(None)
        if name == "log":
            return expressions.constant(None)
        helper = self.helpers.get(name) if _is_simple(path) else None
        if helper is None:
            if params or name in _KNOWN:
                raise self.error(f'unknown helper "{path.original}"', where)
            return expressions.constant(None)
        ev = self.helper(helper, params, hash_, where)
        if helper.kind == "test":
            return expressions.test_inline(ev, self.hash(hash_))
        return ev

    def helper(
        self, helper: Helper, params: list[n.Expr], hash_: list[tuple[str, n.Expr]] | None, where: tuple[int, int]
    ) -> Evaluator:
        count = len(params)
        too_few = count < helper.min_args and not (count == 0 and helper.uses_this and helper.min_args <= 1)
        if too_few or (helper.max_args is not None and count > helper.max_args):
            usage = f": {helper.usage}" if helper.usage else ""
            raise self.error(f"{helper.name} was given {count} argument{'s' * (count != 1)}{usage}", where)
        args: list[tuple[Evaluator, Reporter]] = []
        for i, param in enumerate(params):
            ev, report = self.expr_reporting(param, literal=i in helper.literal_params)
            args.append((ev, report if helper.kind == "value" else None))
        pairs = [(key, self.expr(value, literal=key in helper.literal_hash)) for key, value in hash_ or []]
        return expressions.helper_call(helper, args, pairs, where)

    def hash(self, hash_: list[tuple[str, n.Expr]] | None) -> list[tuple[str, Evaluator]]:
        return [(key, self.expr(value)) for key, value in hash_ or []]

    def expr(self, node: n.Expr, *, literal: bool = False) -> Evaluator:
        return self.expr_reporting(node, literal=literal)[0]

    def expr_reporting(self, node: n.Expr, *, literal: bool = False) -> tuple[Evaluator, Reporter]:
        if isinstance(node, n.Literal):
            return expressions.constant(node.value), None
        if isinstance(node, n.SubExpr):
            return self.call(as_path(node.path), node.params, node.hash, (node.line, node.column)), None
        bare_word = literal and not node.data and not node.depth and self.scope.block_param(node.parts[0]) is None
        if bare_word and node.parts[0] not in ENDPOINT_FIELDS:
            ev, _ = self.path(node, record=False)
            return _or_text(ev, node.original), None
        ev, report = self.path(node)
        return (_or_text(ev, node.original), None) if bare_word else (ev, report)

    def path(self, path: n.PathExpr, *, record: bool = True) -> tuple[Evaluator, Reporter]:
        """The evaluator for a path, and its variable name (when it is a known place in the context)."""
        parts = tuple(path.parts)
        report = self.scope.record(path) if record else None
        scoped = _SCOPED.search(path.original) is not None
        found = self.scope.block_param(parts[0]) if parts and not path.depth and not scoped else None
        if found is not None:
            return expressions.block_param(found[0], found[1], parts[1:]), report
        if not parts:
            ev = expressions.this() if not path.depth else expressions.outer_path(path.depth, ())
            return ev, None
        if path.data:
            return expressions.data_path(path.depth, parts), None
        if path.depth:
            return expressions.outer_path(path.depth, parts), report
        return expressions.context_path(parts), report

    def block(self, node: n.Block) -> Node:
        where = (node.line, node.column)
        path = as_path(node.path)
        name = path.parts[0] if path.parts else ""
        if not self.is_helper(path, bool(node.params or node.hash)):
            value, _ = self.path(path)
            program = self.optional(node.program, level=None)
            return blocks.section_block(value, program, self.optional(node.inverse), self.use_data)
        if name in ("if", "unless", "with", "each") and len(node.params) != 1:
            raise self.error(f"#{name} needs exactly one value: {{{{#{name} value}}}}…{{{{/{name}}}}}", where)
        if name in ("if", "unless"):
            include_zero = next((self.expr(v) for k, v in node.hash or [] if k == "includeZero"), None)
            cond = self.expr(node.params[0])
            main, inverse = self.optional(node.program), self.optional(node.inverse)
            return blocks.if_block(cond, include_zero, main, inverse, flip=name == "unless")
        if name == "with":
            value = self.expr(node.params[0])
            prefix = self.scope.static(node.params[0])
            main = self.optional(node.program, level=prefix, bp=[prefix])
            return blocks.with_block(value, main, self.optional(node.inverse))
        if name == "each":
            value = self.expr(node.params[0])
            main = self.optional(node.program, level=None)
            return blocks.each_block(value, main, self.optional(node.inverse), self.use_data)
        helper = self.helpers.get(name) if _is_simple(path) else None
        if helper is not None and helper.kind == "test":
            test = self.helper(helper, node.params, node.hash, where)
            return blocks.test_block(test, self.optional(node.program), self.optional(node.inverse))
        return blocks.value_block(self.call(path, node.params, node.hash, where))

    def optional(self, program: n.Program | None, *, level: Any = StaticScope.SAME, bp: Any = None) -> Any:
        return None if program is None else self.program(program, level=level, bp=bp)

    def decorator_block(self, node: n.Block) -> None:
        where = (node.line, node.column)
        path = as_path(node.path)
        if path.original != "inline":
            raise self.error('only the inline decorator is supported: {{#* inline "name"}}…{{/inline}}', where)
        if len(node.params) != 1 or not isinstance(node.params[0], n.Literal):
            raise self.error('name the inline partial in quotes: {{#* inline "name"}}…{{/inline}}', where)
        name = js_str(node.params[0].value)
        assert node.program is not None
        with self.scope.detached():
            runner = self.program(node.program, level=None)
        self.inline_stack[-1].append((name, runner))

    def partial_call(self, node: n.Partial | n.PartialBlock) -> PartialCall:
        where = (node.line, node.column)
        name: str | Evaluator
        if isinstance(node.name, n.SubExpr):
            name = self.expr(node.name)
        else:
            name = node.name.original if isinstance(node.name, n.PathExpr) else js_str(node.name.value)
        context = self.expr(node.params[0]) if node.params else None
        return PartialCall(name, context, self.hash(node.hash), where)

    def partial(self, node: n.Partial) -> Node:
        call = self.partial_call(node)
        if isinstance(call.name, str) and call.name != "@partial-block" and call.name not in self.defined_partials:
            raise call.missing(call.name)
        return partial_node(call, node.indent)

    def partial_block(self, node: n.PartialBlock) -> Node:
        call = self.partial_call(node)
        with self.scope.detached():
            fallback = self.program(node.program, level=None)
        return partial_block_node(call, fallback)


def _is_simple(path: n.PathExpr) -> bool:
    """One name, not `this`/`.`-scoped and without `../` (handlebars.js's simpleId)."""
    return len(path.parts) == 1 and not path.depth and not _SCOPED.search(path.original)


def _unset(sc: Scope) -> str:  # pragma: no cover - replaced before a program can run
    raise AssertionError("program body not compiled")


def as_path(node: n.PathExpr | n.Literal) -> n.PathExpr:
    """A literal used as a name ({{"foo"}}, {{1}}) looks up that text, as in handlebars.js."""
    if isinstance(node, n.PathExpr):
        return node
    text = literal_text(node)
    return n.PathExpr(False, 0, [text], text, node.line, node.column)


def _or_text(ev: Evaluator, text: str) -> Evaluator:
    """Pinpoint read a bare word such as tz=America/Los_Angeles as text when nothing by that name exists."""

    def literal_or_value(sc: Scope) -> Any:
        value = ev(sc)
        return text if value is None else value

    return literal_or_value


def output_node(ev: Evaluator, escaped: bool, report: Reporter) -> Node:
    """`{{value}}` (escaped for HTML when `escaped`) or `{{{value}}}`; an empty variable is reported."""

    def node(sc: Scope) -> str:
        value = ev(sc)
        text = value if value.__class__ is str else js_str(value)
        st = sc.st
        if not text:
            if report is not None and st.missing is not None:
                st.missing(report)
            return text
        if escaped:
            text = escape(text)
        st.size += len(text)
        if st.size > MAX_OUTPUT_BYTES:
            raise too_big()
        return text

    return node
