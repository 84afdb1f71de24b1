"""The editor's form both ways: posted fields → a Pinpoint-shaped request body (checked by the same code as the
API), and a body + field errors → what each input shows."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from templates.content import CHANNELS
from templates.forms.specs import COMMON, SECTIONS, Fieldset, Rows, Section, Spec
from templates.models import Channel

INDEX = re.compile(r"\[(\d+)\]")
NO_VARIABLES = {"DefaultSubstitutions", "MissingVariablePolicy"}


def sections_for(channel: str) -> tuple[Section, ...]:
    common = COMMON
    if not CHANNELS[channel].variables:
        common = Section(COMMON.title, tuple(i for i in COMMON.items if getattr(i, "name", "") not in NO_VARIABLES))
    return (*SECTIONS[channel], common)


def _items(channel: str) -> list[Spec | Rows]:
    found: list[Spec | Rows] = []
    for section in sections_for(channel):
        for item in section.items:
            found.extend(item.items if isinstance(item, Fieldset) else (item,))
    return found


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value


def _listify(value: Any) -> Any:
    """Objects keyed "0", "1", … (from names like Content.0.ImageUrl) become lists in index order."""
    if isinstance(value, dict):
        value = {k: _listify(v) for k, v in value.items()}
        if value and all(k.isdigit() for k in value):
            return [value[k] for k in sorted(value, key=int)]
    return value


def _scalar(spec: Spec, raw: str | None) -> Any:
    if spec.kind == "checkbox":
        return raw is not None
    if raw is None or raw.strip() == "":
        return None
    if spec.kind == "number":
        return int(raw) if raw.strip().lstrip("-").isdigit() else raw
    return raw


def _rows(rows: Rows, post: QueryDict) -> Any:
    pattern = re.compile(rf"^{re.escape(rows.name)}\.(\d+)\.(\w+)$")
    found: dict[int, dict[str, str]] = {}
    for key in post:
        match = pattern.match(key)
        if match:
            found.setdefault(int(match.group(1)), {})[match.group(2)] = post.get(key, "")
    kept = [found[i] for i in sorted(found) if any(v.strip() for v in found[i].values())]
    if rows.as_object:
        # Empty rows mean "none" (clearing every tag removes the tags), never "leave as it was".
        return {r.get("key", "").strip(): r.get("value", "") for r in kept}
    return [{k: v for k, v in r.items() if v != ""} for r in kept]


def _inapp_cleanup(body: dict[str, Any]) -> None:
    """Drop what only holds the console's preset colours and alignments: an unused header, body or button."""
    messages = []
    for message in body.get("Content", []):
        for key, text in (("HeaderConfig", "Header"), ("BodyConfig", "Body")):
            if not message.get(key, {}).get(text):
                message.pop(key, None)
        for key in ("PrimaryBtn", "SecondaryBtn"):
            button = message.get(key, {})
            if not button.get("DefaultConfig", {}).get("Text"):
                message.pop(key, None)
                continue
            for platform in ("IOS", "Android", "Web"):
                if not button.get(platform, {}).get("ButtonAction"):
                    button.pop(platform, None)
        if any(message.get(k) for k in ("HeaderConfig", "BodyConfig", "ImageUrl", "PrimaryBtn", "SecondaryBtn")):
            messages.append(message)
    body["Content"] = messages if body.get("Layout") == "CAROUSEL" else messages[:1]


def form_to_body(channel: str, post: QueryDict) -> dict[str, Any]:
    """The request body the posted editor describes (unset fields left out, as Pinpoint's JSON does)."""
    body: dict[str, Any] = {}
    for item in _items(channel):
        value = _rows(item, post) if isinstance(item, Rows) else _scalar(item, post.get(item.name))
        if value is not None and value is not False:
            _set(body, item.name, value)
    body = _listify(body)
    if channel == Channel.INAPP:
        _inapp_cleanup(body)
    return body


def _get(body: Any, path: str) -> Any:
    for key in path.split("."):
        if isinstance(body, dict):
            body = body.get(key)
        elif isinstance(body, list) and key.isdigit() and int(key) < len(body):
            body = body[int(key)]
        else:
            return None
    return body


def _display(spec: Spec, value: Any) -> Any:
    if spec.kind == "checkbox":
        return value is True
    if value is None or value == "":
        return spec.default
    if isinstance(value, dict | list):
        return json.dumps(value, indent=2, ensure_ascii=False)
    return str(value)


@dataclass
class BoundField:
    spec: Spec
    name: str
    value: Any
    errors: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.name)


@dataclass
class BoundRows:
    spec: Rows
    rows: list[list[BoundField]]
    blank: list[BoundField]  # the row the "Add" button copies (index placeholder __i__)
    errors: list[str] = field(default_factory=list)
    is_rows: bool = True


@dataclass
class BoundFieldset:
    spec: Fieldset
    items: list[BoundField]
    is_fieldset: bool = True

    @property
    def errors(self) -> list[str]:
        return [e for f in self.items for e in f.errors]

    @property
    def has_values(self) -> bool:
        return any(_filled(f) for f in self.items)


def _filled(field: BoundField) -> bool:
    """Whether a field holds something the user chose (not empty, not the preset a new template starts with)."""
    return field.value not in ("", None, False, field.spec.default)


@dataclass
class BoundSection:
    section: Section
    items: list[BoundField | BoundRows | BoundFieldset]
    hidden: bool = False

    def _fields(self) -> list[BoundField]:
        found: list[BoundField] = []
        for item in self.items:
            if isinstance(item, BoundRows):
                found += [c for row in item.rows for c in row]
            elif isinstance(item, BoundFieldset):
                found += item.items
            else:
                found.append(item)
        return found

    @property
    def has_errors(self) -> bool:
        return any(f.errors for f in self._fields()) or any(
            item.errors for item in self.items if isinstance(item, BoundRows)
        )

    @property
    def is_open(self) -> bool:
        return not self.section.collapsed or self.has_errors or any(_filled(f) for f in self._fields())


def error_name(channel: str, path: str) -> str:
    """The form name a field path points at: "Email.Headers[3].Name" → "Headers.3.Name"."""
    prefix = CHANNELS[channel].prefix + "."
    if path.startswith(prefix) and not CHANNELS[channel].request_key:
        path = path[len(prefix) :]
    return INDEX.sub(r".\1", path)


class EditorForm:
    """Every section of a channel's editor with its values and errors, ready for the template."""

    def __init__(self, channel: str, body: dict[str, Any], errors: dict[str, list[str]] | None = None) -> None:
        self.channel = channel
        self.body = body
        self.errors = {error_name(channel, k): v for k, v in (errors or {}).items()}
        self.placed: set[str] = set()
        self.sections = [self._section(s) for s in sections_for(channel)]
        self.other_errors = [f"{k}: {m}" for k, v in self.errors.items() if k not in self.placed for m in v]

    def _take(self, name: str) -> list[str]:
        if name in self.errors:
            self.placed.add(name)
            return list(self.errors[name])
        return []

    def _rows(self, rows: Rows) -> BoundRows:
        value = _get(self.body, rows.name)
        if rows.as_object and isinstance(value, dict):
            records = [{"key": k, "value": v} for k, v in value.items()]
        else:
            records = [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []
        bound = []
        for index, record in enumerate(records):
            bound.append(
                [
                    BoundField(
                        c,
                        f"{rows.name}.{index}.{c.name}",
                        _display(c, record.get(c.name)),
                        self._take(f"{rows.name}.{index}.{c.name}"),
                    )
                    for c in rows.columns
                ]
            )
        blank = [BoundField(c, f"{rows.name}.__i__.{c.name}", c.default) for c in rows.columns]
        group = self._take(rows.name) + [
            f"{k[len(rows.name) + 1 :]}: {m}"
            for k in list(self.errors)
            if k.startswith(rows.name + ".") and k not in self.placed
            for m in self._take(k)
        ]
        if not bound:
            bound.append([BoundField(c, f"{rows.name}.0.{c.name}", c.default) for c in rows.columns])
        return BoundRows(rows, bound, blank, group)

    def _field(self, spec: Spec) -> BoundField:
        return BoundField(spec, spec.name, _display(spec, _get(self.body, spec.name)), self._take(spec.name))

    def _section(self, section: Section) -> BoundSection:
        items: list[BoundField | BoundRows | BoundFieldset] = []
        for item in section.items:
            if isinstance(item, Rows):
                items.append(self._rows(item))
            elif isinstance(item, Fieldset):
                items.append(BoundFieldset(item, [self._field(spec) for spec in item.items]))
            else:
                items.append(self._field(item))
        hidden = bool(section.key) and section.key != "Content.0" and self.body.get("Layout") != "CAROUSEL"
        return BoundSection(section, items, hidden=hidden)

    @property
    def variable_fields(self) -> list[str]:
        return [f.id for s in self.sections for f in s.items if isinstance(f, BoundField) and f.spec.variables]
