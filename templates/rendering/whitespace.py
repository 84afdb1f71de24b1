"""`~` whitespace control and standalone lines, applied to the tree exactly as handlebars.js's
WhitespaceControl visitor does: a block tag, comment or partial alone on its line takes the line with it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from templates.rendering import nodes as n
from templates.rendering.runtime import JS_SPACE

_S, _NS = f"[{JS_SPACE}]", f"[^{JS_SPACE}]"
_NS_NOT_NEWLINE = f"[{JS_SPACE.replace(chr(10), '')}]"
_PREV_WS = re.compile(rf"(?:^|{_NS}){_NS_NOT_NEWLINE}*\n{_S}*\Z")
_PREV_WS_ROOT = re.compile(rf"^{_S}*\Z|(?:^|{_NS}){_NS_NOT_NEWLINE}*\n{_S}*\Z")
_NEXT_WS = re.compile(rf"^{_S}*?\r?\n")
_NEXT_WS_ROOT = re.compile(rf"^{_S}*?(?:\r?\n|\Z)")
_LEFT_ALL = re.compile(rf"^{_S}+")
_LEFT_LINE = re.compile(r"^[ \t]*\r?\n?")
_RIGHT_ALL = re.compile(rf"(^|{_NS}){_S}+\Z")
_RIGHT_LINE = re.compile(r"(^|[^ \t])[ \t]+\Z")
_INDENT = re.compile(r"(?:^|[^ \t])([ \t]+)\Z")


@dataclass(slots=True)
class _Flags:
    open: bool = False
    close: bool = False
    open_standalone: bool = False
    close_standalone: bool = False
    inline_standalone: bool = False


def apply(program: n.Program) -> n.Program:
    """Strip the whitespace the template asks to strip (in place) and return the program."""
    _Visitor().program(program)
    return program


class _Visitor:
    def __init__(self) -> None:
        self.root_seen = False

    def program(self, program: n.Program) -> None:
        is_root = not self.root_seen
        self.root_seen = True
        body = program.body
        for i, current in enumerate(body):
            strip = self.accept(current)
            if strip is None:
                continue
            prev_ws = _is_prev_whitespace(body, i, is_root)
            next_ws = _is_next_whitespace(body, i, is_root)
            open_standalone = strip.open_standalone and prev_ws
            close_standalone = strip.close_standalone and next_ws
            inline_standalone = strip.inline_standalone and prev_ws and next_ws
            if strip.close:
                _omit_right(body, i, multiple=True)
            if strip.open:
                _omit_left(body, i, multiple=True)
            if inline_standalone:
                _omit_right(body, i)
                if _omit_left(body, i) and isinstance(current, n.Partial):
                    previous = body[i - 1]
                    assert isinstance(previous, n.Content)
                    match = _INDENT.search(previous.original)
                    current.indent = match.group(1) if match else ""
            if open_standalone:
                inner = _first(current)
                _omit_right(inner.body, None)
                _omit_left(body, i)
            if close_standalone:
                _omit_right(body, i)
                inner = _last(current)
                _omit_left(inner.body, None)

    def accept(self, node: n.Statement) -> _Flags | None:
        if isinstance(node, n.Mustache):
            return _Flags(open=node.strip.open, close=node.strip.close)
        if isinstance(node, (n.Comment, n.Partial)):
            return _Flags(open=node.strip.open, close=node.strip.close, inline_standalone=True)
        if isinstance(node, (n.Block, n.PartialBlock)):
            return self.block(node)
        return None

    def block(self, block: n.Block | n.PartialBlock) -> _Flags:
        block_program = block.program
        block_inverse = block.inverse if isinstance(block, n.Block) else None
        if block_program is not None:
            self.program(block_program)
        if block_inverse is not None:
            self.program(block_inverse)
        program = block_program or block_inverse
        assert program is not None
        inverse = block_inverse if block_program is not None else None
        first_inverse = last_inverse = inverse
        if inverse is not None and inverse.chained:
            first_inverse = _chained(inverse.body[0]).program
            while last_inverse is not None and last_inverse.chained:
                last_inverse = _chained(last_inverse.body[-1]).program
        close_strip = block.close_strip or n.Strip()
        flags = _Flags(
            open=block.open_strip.open,
            close=close_strip.close,
            open_standalone=bool(_is_next_whitespace(program.body, None, False)),
            close_standalone=bool(_is_prev_whitespace((first_inverse or program).body, None, False)),
        )
        if block.open_strip.close:
            _omit_right(program.body, None, multiple=True)
        if inverse is not None and isinstance(block, n.Block):
            inverse_strip = block.inverse_strip or n.Strip()
            if inverse_strip.open:
                _omit_left(program.body, None, multiple=True)
            if inverse_strip.close and first_inverse is not None:
                _omit_right(first_inverse.body, None, multiple=True)
            if close_strip.open and last_inverse is not None:
                _omit_left(last_inverse.body, None, multiple=True)
            if (
                first_inverse is not None
                and _is_prev_whitespace(program.body, None, False)
                and _is_next_whitespace(first_inverse.body, None, False)
            ):
                _omit_left(program.body, None)
                _omit_right(first_inverse.body, None)
        elif close_strip.open:
            _omit_left(program.body, None, multiple=True)
        return flags


def _chained(node: n.Statement) -> n.Block:
    assert isinstance(node, n.Block)
    return node


def _first(node: n.Statement) -> n.Program:
    """`current.program || current.inverse`"""
    program = getattr(node, "program", None) or getattr(node, "inverse", None)
    assert isinstance(program, n.Program)
    return program


def _last(node: n.Statement) -> n.Program:
    """`current.inverse || current.program`"""
    program = getattr(node, "inverse", None) or getattr(node, "program", None)
    assert isinstance(program, n.Program)
    return program


def _is_prev_whitespace(body: list[n.Statement], i: int | None, is_root: bool) -> bool | None:
    if i is None:
        i = len(body)
    if i - 1 < 0:
        return is_root
    prev = body[i - 1]
    sibling = body[i - 2] if i - 2 >= 0 else None
    if isinstance(prev, n.Content):
        pattern = _PREV_WS if (sibling is not None or not is_root) else _PREV_WS_ROOT
        return pattern.search(prev.original) is not None
    return None


def _is_next_whitespace(body: list[n.Statement], i: int | None, is_root: bool) -> bool | None:
    if i is None:
        i = -1
    if i + 1 >= len(body):
        return is_root
    following = body[i + 1]
    sibling = body[i + 2] if i + 2 < len(body) else None
    if isinstance(following, n.Content):
        pattern = _NEXT_WS if (sibling is not None or not is_root) else _NEXT_WS_ROOT
        return pattern.search(following.original) is not None
    return None


def _omit_right(body: list[n.Statement], i: int | None, *, multiple: bool = False) -> None:
    index = 0 if i is None else i + 1
    if index >= len(body):
        return
    current = body[index]
    if not isinstance(current, n.Content) or (not multiple and current.right_stripped):
        return
    original = current.value
    current.value = (_LEFT_ALL if multiple else _LEFT_LINE).sub("", current.value, count=1)
    current.right_stripped = current.value != original


def _omit_left(body: list[n.Statement], i: int | None, *, multiple: bool = False) -> bool:
    index = len(body) - 1 if i is None else i - 1
    if index < 0 or index >= len(body):
        return False
    current = body[index]
    if not isinstance(current, n.Content) or (not multiple and current.left_stripped):
        return False
    original = current.value
    current.value = (_RIGHT_ALL if multiple else _RIGHT_LINE).sub(r"\1", current.value, count=1)
    current.left_stripped = current.value != original
    return current.left_stripped
