"""Tokens of a Handlebars template, cut exactly where handlebars.js 4.7's lexer cuts them.

The rules and their order are those of handlebars.js's grammar (the first rule that matches wins); JavaScript's
\\s and $ are spelled out, since Python's differ.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from templates.rendering.errors import TemplateError
from templates.rendering.runtime import JS_SPACE

S = f"[{JS_SPACE}]"
_ID = rf"[^{JS_SPACE}!\"#%-,\.\/;->@\[-\^`\{{-~]"
_LOOK = rf"(?=[=~}}{JS_SPACE}\/.)|])"
_LITERAL_LOOK = rf"(?=[~}}{JS_SPACE})])"


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


# (pattern, token kind or action) in handlebars.js's order for the "mu" state (inside {{ }}).
_MU_RULES: list[tuple[re.Pattern[str], str]] = [
    (_rx(r"\("), "OPEN_SEXPR"),
    (_rx(r"\)"), "CLOSE_SEXPR"),
    (_rx(r"\{\{\{\{"), "OPEN_RAW_BLOCK"),
    (_rx(r"\}\}\}\}"), "CLOSE_RAW_BLOCK"),
    (_rx(r"\{\{(~)?>"), "OPEN_PARTIAL"),
    (_rx(r"\{\{(~)?#>"), "OPEN_PARTIAL_BLOCK"),
    (_rx(r"\{\{(~)?#\*?"), "OPEN_BLOCK"),
    (_rx(r"\{\{(~)?/"), "OPEN_ENDBLOCK"),
    (_rx(rf"\{{\{{(~)?\^{S}*(~)?\}}\}}"), "INVERSE"),
    (_rx(rf"\{{\{{(~)?{S}*else{S}*(~)?\}}\}}"), "INVERSE"),
    (_rx(r"\{\{(~)?\^"), "OPEN_INVERSE"),
    (_rx(rf"\{{\{{(~)?{S}*else\b"), "OPEN_INVERSE_CHAIN"),
    (_rx(r"\{\{(~)?\{"), "OPEN_UNESCAPED"),
    (_rx(r"\{\{(~)?&"), "OPEN"),
    (_rx(r"\{\{(~)?!--"), "LONG_COMMENT"),
    (_rx(r"\{\{(~)?![\s\S]*?\}\}"), "COMMENT"),
    (_rx(r"\{\{(~)?\*?"), "OPEN"),
    (_rx(r"="), "EQUALS"),
    (_rx(r"\.\."), "ID"),
    (_rx(rf"\.{_LOOK}"), "ID"),
    (_rx(r"[\/.]"), "SEP"),
    (_rx(rf"{S}+"), "SPACE"),
    (_rx(r"\}(~)?\}\}"), "CLOSE_UNESCAPED"),
    (_rx(r"(~)?\}\}"), "CLOSE"),
    (_rx(r'"(\\["]|[^"])*"'), "STRING_DQ"),
    (_rx(r"'(\\[']|[^'])*'"), "STRING_SQ"),
    (_rx(r"@"), "DATA"),
    (_rx(rf"true{_LITERAL_LOOK}"), "BOOLEAN"),
    (_rx(rf"false{_LITERAL_LOOK}"), "BOOLEAN"),
    (_rx(rf"undefined{_LITERAL_LOOK}"), "UNDEFINED"),
    (_rx(rf"null{_LITERAL_LOOK}"), "NULL"),
    (_rx(rf"-?[0-9]+(?:\.[0-9]+)?{_LITERAL_LOOK}"), "NUMBER"),
    (_rx(rf"as{S}+\|"), "OPEN_BLOCK_PARAMS"),
    (_rx(r"\|"), "CLOSE_BLOCK_PARAMS"),
    (_rx(rf"{_ID}+{_LOOK}"), "ID"),
    (_rx(r"\[(\\\]|[^\]])*\]"), "BRACKET_ID"),
    (_rx(r"[\s\S]"), "INVALID"),
]


# One alternation in rule order: Python's re tries the alternatives left to right at the position, which is
# jison's "first rule that matches wins"; the named group says which rule it was.
def _alternative(i: int, pattern: str) -> str:
    return f"(?P<r{i}>" + pattern.replace("(~)", "(?:~)").replace("(\\", "(?:\\") + ")"


_MU = re.compile("|".join(_alternative(i, pattern.pattern) for i, (pattern, _) in enumerate(_MU_RULES)), re.ASCII)
_MU_KINDS = {f"r{i}": kind for i, (_, kind) in enumerate(_MU_RULES)}
_POPS = {"CLOSE_UNESCAPED", "CLOSE", "INVERSE", "COMMENT"}
_CONTENT = _rx(r"[^\x00]*?(?=\{\{)")
_CONTENT_REST = _rx(r"[^\x00]+")
_ESCAPED_MUSTACHE = _rx(r"[^\x00]{2,}?(?=\{\{|\\\{\{|\\\\\{\{|\Z)")
_LONG_COMMENT = _rx(r"[\s\S]*?--(~)?\}\}")
_RAW_OPEN = _rx(r"\{\{\{\{(?=[^/])")
_RAW_END = _rx(rf"\{{\{{\{{\{{/{_ID}+(?=[=}}{JS_SPACE}\/.])\}}\}}\}}\}}")
_RAW_CONTENT = _rx(r"[^\x00]+?(?=\{\{\{\{)")
_BRACKET_ESCAPE = _rx(r"\\([\\\]])")


@dataclass(slots=True)
class Token:
    kind: str
    text: str
    start: int
    end: int


class Source:
    """The template text, with offsets turned into 1-based lines and columns for error messages."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._breaks = [m.end() for m in re.finditer(r"\r\n?|\n", text)]

    def where(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._breaks, offset)
        start = self._breaks[line - 1] if line else 0
        return line + 1, offset - start + 1

    def error(self, message: str, offset: int) -> TemplateError:
        line, column = self.where(offset)
        return TemplateError(message, line=line, column=column)


def tokenize(source: Source) -> list[Token]:
    """All tokens of the template, ending with EOF; a character no rule accepts is a TemplateError."""
    text, pos, end = source.text, 0, len(source.text)
    states = ["INITIAL"]
    tokens: list[Token] = []
    while True:
        state = states[-1]
        if pos >= end and state in ("INITIAL", "mu"):
            tokens.append(Token("EOF", "", pos, pos))
            return tokens
        if state == "INITIAL":
            m = _CONTENT.match(text, pos)
            if m is None:
                m = _CONTENT_REST.match(text, pos)
                if m is None:
                    raise source.error("templates cannot contain the NUL character", pos)
                tokens.append(Token("CONTENT", m.group(), pos, m.end()))
                pos = m.end()
                continue
            value = m.group()
            if value.endswith("\\\\"):
                value, states = value[:-1], [*states, "mu"]
            elif value.endswith("\\"):
                value, states = value[:-1], [*states, "emu"]
            else:
                states.append("mu")
            if value:
                tokens.append(Token("CONTENT", value, pos, m.end()))
            pos = m.end()
        elif state == "emu":
            m = _ESCAPED_MUSTACHE.match(text, pos)
            if m is None:
                raise source.error("unexpected character", pos)
            tokens.append(Token("CONTENT", m.group(), pos, m.end()))
            states.pop()
            pos = m.end()
        elif state == "com":
            m = _LONG_COMMENT.match(text, pos)
            if m is None:
                raise source.error("this {{!-- comment is never closed with --}}", pos)
            tokens.append(Token("COMMENT", m.group(), pos, m.end()))
            states.pop()
            pos = m.end()
        elif state == "raw":
            pos = _raw_token(source, pos, states, tokens)
        else:
            pos = _mu_token(source, pos, states, tokens)


def _raw_token(source: Source, pos: int, states: list[str], tokens: list[Token]) -> int:
    text = source.text
    m = _RAW_OPEN.match(text, pos)
    if m is not None:
        states.append("raw")
        tokens.append(Token("CONTENT", m.group(), pos, m.end()))
        return m.end()
    m = _RAW_END.match(text, pos)
    if m is not None:
        states.pop()
        if states[-1] == "raw":
            tokens.append(Token("CONTENT", m.group(), pos, m.end()))
        else:
            tokens.append(Token("END_RAW_BLOCK", m.group()[5:-4], pos, m.end()))
        return m.end()
    m = _RAW_CONTENT.match(text, pos)
    if m is None:
        raise source.error("this raw block {{{{…}}}} is never closed", pos)
    tokens.append(Token("CONTENT", m.group(), pos, m.end()))
    return m.end()


def _mu_token(source: Source, pos: int, states: list[str], tokens: list[Token]) -> int:
    text = source.text
    m = _MU.match(text, pos)
    if m is not None:
        kind = _MU_KINDS[m.lastgroup or ""]
        value = m.group()
        if kind == "SPACE":
            return m.end()
        if kind == "LONG_COMMENT":
            states[-1] = "com"
            return pos
        if kind in _POPS:
            states.pop()
        elif kind == "CLOSE_RAW_BLOCK":
            states[-1] = "raw"
        if kind == "STRING_DQ":
            kind, value = "STRING", value[1:-1].replace('\\"', '"')
        elif kind == "STRING_SQ":
            kind, value = "STRING", value[1:-1].replace("\\'", "'")
        elif kind == "BRACKET_ID":
            kind, value = "ID", _BRACKET_ESCAPE.sub(r"\1", value)
        elif kind == "INVALID":
            if "}}" not in text[pos:]:
                opened = text.rfind("{{", 0, pos)
                raise source.error("this {{ is never closed with }}", max(opened, 0))
            raise source.error(f"unexpected character {value!r} inside {{{{ }}}}", pos)
        tokens.append(Token(kind, value, pos, m.end()))
        return m.end()
    raise source.error("unexpected text", pos)  # pragma: no cover - the last rule matches any character
