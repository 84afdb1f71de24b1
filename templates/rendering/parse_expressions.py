"""The expression half of the grammar (names, paths, literals, parameters, hashes, subexpressions) and the token
stream the statement parser (parser.py) reads from."""

from __future__ import annotations

from templates.rendering import nodes as n
from templates.rendering.errors import TemplateError
from templates.rendering.lexer import Source, Token
from templates.rendering.runtime import MAX_NESTING

_PARAM_START = {"ID", "DATA", "STRING", "NUMBER", "BOOLEAN", "UNDEFINED", "NULL", "OPEN_SEXPR"}


def bracket_id(token: str) -> str:
    """yy.id: `[Last Name]` names the segment `Last Name` (a bracket spanning a line break is kept as is)."""
    if len(token) >= 2 and token[0] == "[" and token[-1] == "]" and not any(c in token for c in "\n\r\u2028\u2029"):
        return token[1:-1]
    return token


class ExpressionParser:
    """Reads tokens; parses everything that can appear inside {{ }} after the opening."""

    def __init__(self, source: Source, tokens: list[Token]) -> None:
        self.source = source
        self.tokens = [*tokens, tokens[-1], tokens[-1]]  # EOF repeated: looking two tokens ahead is always safe
        self.pos = 0
        self.depth = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[self.pos + ahead]

    def next(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, kind: str, what: str) -> Token:
        token = self.peek()
        if token.kind != kind:
            raise self.error(token, f"expected {what} but found {self.describe(token)}")
        return self.next()

    def error(self, token: Token, message: str) -> TemplateError:
        return self.source.error(message, token.start)

    def text_of(self, token: Token) -> str:
        return self.source.text[token.start : token.end].strip()

    def describe(self, token: Token) -> str:
        if token.kind == "EOF":
            return "the end of the template"
        if token.kind == "CONTENT":
            return "text"
        return repr(self.text_of(token)[:40])

    def nest(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(token, f"blocks and subexpressions are nested more than {MAX_NESTING} levels deep")

    def where(self, token: Token) -> tuple[int, int]:
        return self.source.where(token.start)

    def params_and_hash(self) -> tuple[list[n.Expr], list[tuple[str, n.Expr]] | None]:
        params: list[n.Expr] = []
        while self.peek().kind in _PARAM_START and not self.at_hash():
            params.append(self.param())
        pairs: list[tuple[str, n.Expr]] = []
        while self.at_hash():
            key = bracket_id(self.next().text)
            self.next()
            pairs.append((key, self.param()))
        return params, pairs or None

    def at_hash(self) -> bool:
        return self.peek().kind == "ID" and self.peek(1).kind == "EQUALS"

    def block_params(self) -> list[str]:
        if self.peek().kind != "OPEN_BLOCK_PARAMS":
            return []
        self.next()
        names = [bracket_id(self.expect("ID", "a block parameter name").text)]
        while self.peek().kind == "ID":
            names.append(bracket_id(self.next().text))
        self.expect("CLOSE_BLOCK_PARAMS", "'|' to end the block parameters")
        return names

    def param(self) -> n.Expr:
        if self.peek().kind == "OPEN_SEXPR":
            return self.sexpr()
        return self.helper_name()

    def sexpr(self) -> n.SubExpr:
        open_token = self.next()
        self.nest(open_token)
        path = self.helper_name()
        params, hash_pairs = self.params_and_hash()
        self.expect("CLOSE_SEXPR", "')' to close the subexpression")
        self.depth -= 1
        line, column = self.where(open_token)
        return n.SubExpr(path, params, hash_pairs, line, column)

    def helper_name(self) -> n.PathExpr | n.Literal:
        token = self.peek()
        line, column = self.where(token)
        kind = token.kind
        if kind == "ID":
            return self.path(data=False)
        if kind == "DATA":
            self.next()
            if self.peek().kind != "ID":
                raise self.error(self.peek(), f"expected a name after '@' but found {self.describe(self.peek())}")
            return self.path(data=True, start=token)
        self.next()
        if kind == "STRING":
            return n.Literal("string", token.text, line, column)
        if kind == "NUMBER":
            value: float | int = float(token.text) if "." in token.text else int(token.text)
            return n.Literal("number", value, line, column)
        if kind == "BOOLEAN":
            return n.Literal("boolean", token.text == "true", line, column)
        if kind in ("UNDEFINED", "NULL"):
            return n.Literal(kind.lower(), None, line, column)
        raise self.error(token, f"expected a name or a value but found {self.describe(token)}")

    def path(self, *, data: bool, start: Token | None = None) -> n.PathExpr:
        first = self.next()
        segments = [(bracket_id(first.text), first.text, "")]
        while self.peek().kind == "SEP":
            separator = self.next().text
            token = self.expect("ID", f"a name after '{separator}'")
            segments.append((bracket_id(token.text), token.text, separator))
        original = "@" if data else ""
        parts: list[str] = []
        depth = 0
        for part, raw, separator in segments:
            original += separator + part
            if raw == part and part in ("..", ".", "this"):
                if parts:
                    raise self.error(first, f"invalid path {original}: this, . and .. can only start a path")
                if part == "..":
                    depth += 1
            else:
                parts.append(part)
        line, column = self.where(start or first)
        return n.PathExpr(data, depth, parts, original, line, column)
