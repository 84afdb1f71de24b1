"""The syntax tree of a template, shaped like handlebars.js's AST (the whitespace rules walk it the same way)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Strip:
    """`~` on the left (open) or right (close) of a tag."""

    open: bool = False
    close: bool = False


@dataclass(slots=True)
class PathExpr:
    data: bool  # @name
    depth: int  # number of ../
    parts: list[str]  # the names after removing this, . and ..
    original: str  # as handlebars.js spells it, e.g. "User.UserAttributes.Last Name"
    line: int
    column: int


@dataclass(slots=True)
class Literal:
    kind: str  # string, number, boolean, undefined, null
    value: Any
    line: int
    column: int

    @property
    def original(self) -> Any:
        return self.value


@dataclass(slots=True)
class SubExpr:
    path: PathExpr | Literal
    params: list[Expr]
    hash: list[tuple[str, Expr]] | None
    line: int
    column: int


Expr = PathExpr | Literal | SubExpr


@dataclass(slots=True)
class Content:
    value: str
    original: str
    right_stripped: bool = False
    left_stripped: bool = False


@dataclass(slots=True)
class Comment:
    strip: Strip


@dataclass(slots=True)
class Mustache:
    path: PathExpr | Literal
    params: list[Expr]
    hash: list[tuple[str, Expr]] | None
    escaped: bool
    strip: Strip
    decorator: bool
    line: int
    column: int


@dataclass(slots=True)
class Program:
    body: list[Statement]
    block_params: list[str] | None = None
    chained: bool = False


@dataclass(slots=True)
class Block:
    path: PathExpr | Literal
    params: list[Expr]
    hash: list[tuple[str, Expr]] | None
    program: Program | None
    inverse: Program | None
    open_strip: Strip
    inverse_strip: Strip | None
    close_strip: Strip | None
    decorator: bool
    line: int
    column: int
    block_params: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Partial:
    name: PathExpr | Literal | SubExpr
    params: list[Expr]
    hash: list[tuple[str, Expr]] | None
    strip: Strip
    line: int
    column: int
    indent: str = ""


@dataclass(slots=True)
class PartialBlock:
    name: PathExpr | Literal | SubExpr
    params: list[Expr]
    hash: list[tuple[str, Expr]] | None
    program: Program
    open_strip: Strip
    close_strip: Strip | None
    line: int
    column: int


Statement = Content | Comment | Mustache | Block | Partial | PartialBlock
