"""Tokens → syntax tree, following handlebars.js 4.7's grammar (handlebars.yy) production by production."""

from __future__ import annotations

from dataclasses import dataclass

from templates.rendering import nodes as n
from templates.rendering.lexer import Source, Token, tokenize
from templates.rendering.parse_expressions import ExpressionParser
from templates.rendering.runtime import js_str

_PROGRAM_END = {"OPEN_ENDBLOCK", "INVERSE", "OPEN_INVERSE_CHAIN", "EOF"}


@dataclass(slots=True)
class _Open:
    path: n.PathExpr | n.Literal
    params: list[n.Expr]
    hash: list[tuple[str, n.Expr]] | None
    block_params: list[str]
    strip: n.Strip
    decorator: bool
    token: Token


@dataclass(slots=True)
class _Inverse:
    strip: n.Strip
    program: n.Program
    chain: bool


@dataclass(slots=True)
class _Close:
    path: n.PathExpr | n.Literal | n.SubExpr
    strip: n.Strip


def strip_flags(open_text: str, close_text: str) -> n.Strip:
    return n.Strip(open=open_text[2:3] == "~", close=close_text[-3:-2] == "~")


def original_text(node: n.PathExpr | n.Literal | n.SubExpr) -> str:
    if isinstance(node, n.PathExpr):
        return node.original
    if isinstance(node, n.Literal):
        return literal_text(node)
    return "(subexpression)"


def literal_text(node: n.Literal) -> str:
    """String(literal.original), which is what a literal used as a mustache's name looks up."""
    if node.kind in ("undefined", "null"):
        return node.kind
    return js_str(node.value)


def parse(text: str) -> n.Program:
    """The syntax tree of a template; a syntax error is a TemplateError naming the line and column."""
    source = Source(text)
    return _Parser(source, tokenize(source)).parse()


class _Parser(ExpressionParser):
    def parse(self) -> n.Program:
        program = self.program()
        token = self.peek()
        if token.kind != "EOF":
            if token.kind == "OPEN_ENDBLOCK":
                raise self.error(token, f"{self.text_of(token)}… closes a block that was never opened")
            raise self.error(token, "{{else}} can only be used inside a block such as {{#if}}…{{/if}}")
        return program

    def program(self) -> n.Program:
        body: list[n.Statement] = []
        while self.peek().kind not in _PROGRAM_END:
            body.append(self.statement())
        return n.Program(body)

    def statement(self) -> n.Statement:
        token = self.peek()
        kind = token.kind
        if kind == "CONTENT":
            self.next()
            return n.Content(token.text, token.text)
        if kind == "COMMENT":
            self.next()
            return n.Comment(strip_flags(token.text, token.text))
        if kind in ("OPEN", "OPEN_UNESCAPED"):
            return self.mustache()
        if kind in ("OPEN_BLOCK", "OPEN_INVERSE"):
            return self.block()
        if kind == "OPEN_RAW_BLOCK":
            return self.raw_block()
        if kind == "OPEN_PARTIAL":
            return self.partial()
        if kind == "OPEN_PARTIAL_BLOCK":
            return self.partial_block()
        raise self.error(token, f"unexpected {self.describe(token)}")

    def mustache(self) -> n.Mustache:
        open_token = self.next()
        path = self.helper_name()
        params, hash_pairs = self.params_and_hash()
        if open_token.kind == "OPEN_UNESCAPED":
            close = self.expect("CLOSE_UNESCAPED", "'}}}' to close '{{{'")
        else:
            close = self.expect("CLOSE", "'}}'")
        flag = open_token.text[3:4] or open_token.text[2:3]
        line, column = self.where(open_token)
        return n.Mustache(
            path,
            params,
            hash_pairs,
            escaped=flag not in ("{", "&"),
            strip=strip_flags(open_token.text, close.text),
            decorator="*" in open_token.text,
            line=line,
            column=column,
        )

    def open_tag(self) -> _Open:
        open_token = self.next()
        self.nest(open_token)
        path = self.helper_name()
        params, hash_pairs = self.params_and_hash()
        block_params = self.block_params()
        close = self.expect("CLOSE", "'}}'")
        decorator = "*" in open_token.text
        strip = strip_flags(open_token.text, close.text)
        return _Open(path, params, hash_pairs, block_params, strip, decorator, open_token)

    def block(self) -> n.Block:
        inverted = self.peek().kind == "OPEN_INVERSE"
        opened = self.open_tag()
        program = self.program()
        inverse: _Inverse | None = None
        if self.peek().kind == "INVERSE":
            inverse = self.inverse_and_program()
        elif self.peek().kind == "OPEN_INVERSE_CHAIN" and not inverted:
            inverse = self.inverse_chain()
        close = self.close_block(opened.path, opened.token)
        self.depth -= 1
        return self.prepare_block(opened, program, inverse, close, inverted)

    def inverse_and_program(self) -> _Inverse:
        token = self.next()
        return _Inverse(strip_flags(token.text, token.text), self.program(), chain=False)

    def inverse_chain(self) -> _Inverse:
        opened = self.open_tag()
        program = self.program()
        nested: _Inverse | None = None
        if self.peek().kind == "INVERSE":
            nested = self.inverse_and_program()
        elif self.peek().kind == "OPEN_INVERSE_CHAIN":
            nested = self.inverse_chain()
        self.depth -= 1
        block = self.prepare_block(opened, program, nested, nested, inverted=False)
        return _Inverse(opened.strip, n.Program([block], chained=True), chain=True)

    def close_block(self, path: n.PathExpr | n.Literal | n.SubExpr, opened: Token) -> _Close:
        token = self.peek()
        name = original_text(path)
        if token.kind != "OPEN_ENDBLOCK":
            if token.kind == "EOF":
                raise self.error(opened, f"this block is never closed; add {{{{/{name}}}}}")
            raise self.error(token, f"expected {{{{/{name}}}}} but found {self.describe(token)}")
        self.next()
        close_path = self.helper_name()
        close = self.expect("CLOSE", "'}}'")
        if original_text(close_path) != name:
            raise self.error(token, f"{{{{/{original_text(close_path)}}}}} does not close {{{{#{name}}}}}")
        return _Close(close_path, strip_flags(token.text, close.text))

    def prepare_block(
        self,
        opened: _Open,
        program: n.Program,
        inverse_and_program: _Inverse | None,
        close: _Close | _Inverse | None,
        inverted: bool,
    ) -> n.Block:
        program.block_params = opened.block_params or None
        inverse: n.Program | None = None
        inverse_strip: n.Strip | None = None
        if inverse_and_program is not None:
            if opened.decorator:
                raise self.error(opened.token, "a {{#* …}} decorator block cannot have an {{else}}")
            if inverse_and_program.chain and close is not None:
                chained = inverse_and_program.program.body[0]
                assert isinstance(chained, n.Block)
                chained.close_strip = close.strip
            inverse_strip = inverse_and_program.strip
            inverse = inverse_and_program.program
        main: n.Program | None = program
        if inverted:
            main, inverse = inverse, program
        line, column = self.where(opened.token)
        return n.Block(
            opened.path,
            opened.params,
            opened.hash,
            main,
            inverse,
            opened.strip,
            inverse_strip,
            close.strip if close is not None else None,
            opened.decorator,
            line,
            column,
            block_params=opened.block_params,
        )

    def raw_block(self) -> n.Block:
        open_token = self.next()
        path = self.helper_name()
        params, hash_pairs = self.params_and_hash()
        self.expect("CLOSE_RAW_BLOCK", "'}}}}'")
        contents: list[n.Statement] = []
        while self.peek().kind == "CONTENT":
            text = self.next().text
            contents.append(n.Content(text, text))
        end = self.expect("END_RAW_BLOCK", "the end of the raw block")
        if end.text != original_text(path):
            raise self.error(end, f"{{{{{{{{/{end.text}}}}}}}}} does not close {{{{{{{{{original_text(path)}}}}}}}}}")
        line, column = self.where(open_token)
        return n.Block(
            path, params, hash_pairs, n.Program(contents), None, n.Strip(), n.Strip(), n.Strip(), False, line, column
        )

    def partial(self) -> n.Partial:
        open_token = self.next()
        name = self.partial_name()
        params, hash_pairs = self.params_and_hash()
        close = self.expect("CLOSE", "'}}'")
        if len(params) > 1:
            raise self.error(open_token, f"a partial takes at most one context argument, not {len(params)}")
        line, column = self.where(open_token)
        return n.Partial(name, params, hash_pairs, strip_flags(open_token.text, close.text), line, column)

    def partial_block(self) -> n.PartialBlock:
        open_token = self.next()
        self.nest(open_token)
        name = self.partial_name()
        params, hash_pairs = self.params_and_hash()
        close = self.expect("CLOSE", "'}}'")
        if len(params) > 1:
            raise self.error(open_token, f"a partial takes at most one context argument, not {len(params)}")
        program = self.program()
        end = self.close_block(name, open_token)
        self.depth -= 1
        line, column = self.where(open_token)
        strip = strip_flags(open_token.text, close.text)
        return n.PartialBlock(name, params, hash_pairs, program, strip, end.strip, line, column)

    def partial_name(self) -> n.PathExpr | n.Literal | n.SubExpr:
        if self.peek().kind == "OPEN_SEXPR":
            return self.sexpr()
        return self.helper_name()
