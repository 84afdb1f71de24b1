"""What changed between two versions: each field as text, diffed line by line (difflib), side by side with the
changed characters marked, or unified."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from templates.models import TemplateVersion

MAX_LINES = 5_000  # a 500,000-character HTML body still diffs in well under a second at this cap


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


@dataclass(frozen=True)
class SideRow:
    kind: str  # same | changed | removed | added
    left_number: int | None
    left: tuple[Segment, ...]
    right_number: int | None
    right: tuple[Segment, ...]


@dataclass(frozen=True)
class UnifiedLine:
    kind: str  # same | removed | added | hunk
    text: str


@dataclass
class FieldDiff:
    label: str
    changed: bool
    rows: list[SideRow] = field(default_factory=list)
    lines: list[UnifiedLine] = field(default_factory=list)


def _flatten(value: Any, path: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
        for index, item in enumerate(value):
            _flatten(item, f"{path}[{index}]", out)
    elif isinstance(value, str):
        out[path] = value
    else:
        out[path] = json.dumps(value, ensure_ascii=False)


def version_fields(version: TemplateVersion) -> dict[str, str]:
    """A version as labelled texts: every content field, then the defaults and the description."""
    out: dict[str, str] = {}
    _flatten(version.content, "", out)
    if version.default_substitutions:
        out["Default values"] = "\n".join(f"{k} = {v}" for k, v in sorted(version.default_substitutions.items()))
    if version.description:
        out["Description"] = version.description
    return out


def _marks(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    left: list[Segment] = []
    right: list[Segment] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if old[a1:a2]:
            left.append(Segment(old[a1:a2], op != "equal"))
        if new[b1:b2]:
            right.append(Segment(new[b1:b2], op != "equal"))
    return tuple(left), tuple(right)


def _side_by_side(old: list[str], new: list[str]) -> list[SideRow]:
    rows: list[SideRow] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            rows += [
                SideRow("same", a1 + i + 1, (Segment(old[a1 + i], False),), b1 + i + 1, (Segment(new[b1 + i], False),))
                for i in range(a2 - a1)
            ]
            continue
        for i in range(max(a2 - a1, b2 - b1)):
            left = old[a1 + i] if a1 + i < a2 else None
            right = new[b1 + i] if b1 + i < b2 else None
            if left is not None and right is not None:
                marked = _marks(left, right)
                rows.append(SideRow("changed", a1 + i + 1, marked[0], b1 + i + 1, marked[1]))
            elif left is not None:
                rows.append(SideRow("removed", a1 + i + 1, (Segment(left, True),), None, ()))
            elif right is not None:
                rows.append(SideRow("added", None, (), b1 + i + 1, (Segment(right, True),)))
    return rows


def _unified(old: list[str], new: list[str], old_label: str, new_label: str) -> list[UnifiedLine]:
    lines = []
    for line in difflib.unified_diff(old, new, old_label, new_label, n=3, lineterm=""):
        if line.startswith(("---", "+++")):
            continue
        kind = {"@": "hunk", "-": "removed", "+": "added"}.get(line[:1], "same")
        lines.append(UnifiedLine(kind, line))
    return lines


def version_diff(*, old: TemplateVersion, new: TemplateVersion) -> list[FieldDiff]:
    """Every field of either version, changed ones with their side-by-side rows and unified lines."""
    before, after = version_fields(old), version_fields(new)
    labels = list(dict.fromkeys([*before, *after]))
    diffs = []
    for label in labels:
        a = before.get(label, "").splitlines()[:MAX_LINES]
        b = after.get(label, "").splitlines()[:MAX_LINES]
        if before.get(label) == after.get(label):
            diffs.append(FieldDiff(label, changed=False))
            continue
        diffs.append(FieldDiff(label, True, _side_by_side(a, b), _unified(a, b, f"v{old.number}", f"v{new.number}")))
    return diffs
