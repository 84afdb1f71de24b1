"""A boolean expression tree over SQL leaves: rendered to one SQL expression, and evaluated in Python from the
leaves' values (so "why is this endpoint (not) in the segment" uses exactly the logic that selects it)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Leaf:
    label: str
    sql: str
    params: list[object]
    index: int = -1
    # False when the SQL can never be NULL; then it is rendered bare, so indexes (e.g. GIN on @>) still apply.
    nullable: bool = True


@dataclass
class Node:
    op: str  # AND, OR, NOT, TRUE
    children: list[Node | Leaf] = field(default_factory=list)
    label: str = ""


Expr = Node | Leaf
TRUE = Node("TRUE")


def and_(children: list[Expr], label: str = "") -> Expr:
    kept = [c for c in children if not (isinstance(c, Node) and c.op == "TRUE")]
    if not kept:
        return TRUE
    return kept[0] if len(kept) == 1 and not label else Node("AND", kept, label)


def or_(children: list[Expr], label: str = "") -> Expr:
    if not children or any(isinstance(c, Node) and c.op == "TRUE" for c in children):
        return TRUE
    return children[0] if len(children) == 1 and not label else Node("OR", children, label)


def not_(child: Expr, label: str = "") -> Expr:
    return Node("NOT", [child], label)


def render(expr: Expr) -> tuple[str, list[object]]:
    """One SQL boolean expression (never NULL: each leaf is wrapped in COALESCE)."""
    if isinstance(expr, Leaf):
        sql = f"COALESCE(({expr.sql}), FALSE)" if expr.nullable else f"({expr.sql})"
        return sql, list(expr.params)
    if expr.op == "TRUE":
        return "(1 = 1)", []
    parts = [render(c) for c in expr.children]
    params = [p for _, ps in parts for p in ps]
    if expr.op == "NOT":
        return f"(NOT {parts[0][0]})", params
    joiner = " AND " if expr.op == "AND" else " OR "
    return "(" + joiner.join(sql for sql, _ in parts) + ")", params


def evaluate(expr: Expr, values: list[bool]) -> bool:
    """The tree's verdict from its leaves' values (leaf.index points into `values`)."""
    if isinstance(expr, Leaf):
        return bool(values[expr.index])
    if expr.op == "TRUE":
        return True
    if expr.op == "NOT":
        return not evaluate(expr.children[0], values)
    results = [evaluate(c, values) for c in expr.children]
    return all(results) if expr.op == "AND" else any(results)


def leaves(expr: Expr) -> list[Leaf]:
    if isinstance(expr, Leaf):
        return [expr]
    return [leaf for c in expr.children for leaf in leaves(c)]


def verdict_leaves(expr: Expr, negated: bool = False, label: str = "") -> list[tuple[Leaf, bool, str]]:
    """Each leaf with whether it sits under a NOT (it must then be false) and the label to show for it."""
    if isinstance(expr, Leaf):
        return [(expr, negated, label or (f"not: {expr.label}" if negated else expr.label))]
    if expr.op == "NOT":
        child = expr.children[0]
        single = isinstance(child, Leaf)
        return verdict_leaves(child, not negated, expr.label if single and expr.label else "")
    return [item for c in expr.children for item in verdict_leaves(c, negated)]
