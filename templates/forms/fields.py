"""The building blocks of the editor's field lists: a field, repeated rows, a panel, a section."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Spec:
    name: str  # dotted path in the request body: "Subject", "Default.Title", "Content.0.BodyConfig.Body"
    label: str
    kind: str = "text"  # text | textarea | code | select | checkbox | json | number | color
    help: str = ""
    limit: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    rows: int = 3
    variables: bool = False  # takes Handlebars: the attribute finder inserts into it
    wide: bool = False
    placeholder: str = ""
    default: str = ""  # what a new template starts with (colour inputs always hold a colour)


@dataclass(frozen=True)
class Rows:
    """A repeated group: a list of objects (Headers, Buttons) or an object edited as key/value rows."""

    name: str
    label: str
    columns: tuple[Spec, ...]
    max_rows: int
    as_object: bool = False  # rows become {key: value} from the first two columns
    help: str = ""
    add_label: str = "Add a row"


@dataclass(frozen=True)
class Fieldset:
    """Fields shown together in a panel that opens when it holds something (an in-app button)."""

    label: str
    items: tuple[Spec, ...]
    help: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Spec | Rows | Fieldset, ...]
    help: str = ""
    collapsed: bool = False
    key: str = ""  # in-app message blocks: "Content.2" (shown only when the layout allows)
    group: str = field(default="")


def options(values: list[str], labels: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    return tuple((v, (labels or {}).get(v, v.replace("_", " ").capitalize())) for v in values)
