"""CSV import files: a header row of dotted Pinpoint paths, one endpoint per row.

`ChannelType,Address,User.UserId,Attributes.Interests,Attributes.Interests`: a repeated `Attributes.*` /
`User.UserAttributes.*` column adds a value, `Metrics.*` and `Location.Latitude` / `Longitude` cells are
numbers, and an empty cell sets nothing. Line numbers count the header as line 1.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from engage.errors import Invalid
from segments.codec import OPT_IN
from segments.services.imports.formats import (
    FIXED_JSON_BYTES,
    MAX_RAW,
    HeaderError,
    Row,
    column_for,
    decoded,
    identify,
    not_utf8,
    number,
)


@dataclass
class CsvPlan:
    """A compiled CSV header: which cells go where, grouped so that a row is converted in a few tight loops."""

    width: int
    top: list[tuple[int, str]] = field(default_factory=list)
    lists: dict[tuple[tuple[str, ...], str], list[int]] = field(default_factory=dict)
    metrics: list[tuple[int, str]] = field(default_factory=list)
    demographic: list[tuple[int, str]] = field(default_factory=list)
    location: list[tuple[int, str]] = field(default_factory=list)
    opt_in: list[tuple[int, str]] = field(default_factory=list)
    user_id: int | None = None

    def data(self, cells: list[str]) -> dict[str, Any]:
        """The EndpointRequest of one row; an empty cell sets nothing."""
        if len(cells) != self.width:
            raise Invalid(f"the row has {len(cells)} values but the header has {self.width} columns", field="")
        data: dict[str, Any] = {}
        for index, key in self.top:
            if value := cells[index].strip():
                data[key] = value
        for (group, name), indexes in self.lists.items():
            values = [value for i in indexes if (value := cells[i].strip())]
            if values:
                holder = data
                for part in group:
                    holder = holder.setdefault(part, {})
                holder[name] = values
        for index, name in self.metrics:
            if value := cells[index].strip():
                data.setdefault("Metrics", {})[name] = number(value, f"Metrics.{name}")
        for index, name in self.demographic:
            if value := cells[index].strip():
                data.setdefault("Demographic", {})[name] = value
        for index, name in self.location:
            if value := cells[index].strip():
                numeric = name in ("Latitude", "Longitude")
                data.setdefault("Location", {})[name] = number(value, f"Location.{name}") if numeric else value
        for index, name in self.opt_in:
            if value := cells[index].strip():
                data.setdefault(OPT_IN, {})[name] = value
        if self.user_id is not None and (value := cells[self.user_id].strip()):
            data.setdefault("User", {})["UserId"] = value
        return data


def compile_header(cells: list[str]) -> CsvPlan:
    """The plan of a CSV header; only attribute columns may repeat."""
    plan = CsvPlan(width=len(cells))
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        path = cell.strip()
        if not path:
            raise HeaderError(f"column {index + 1} of the header has no name")
        column = column_for(path)
        if path in seen and column.kind != "list":
            raise HeaderError(f"column {path!r} appears twice; only Attributes.* and User.UserAttributes.* repeat")
        seen.add(path)
        if column.kind == "top":
            plan.top.append((index, column.key))
        elif column.kind == "list":
            plan.lists.setdefault((column.group, column.key), []).append(index)
        elif column.kind == "metric":
            plan.metrics.append((index, column.key))
        elif column.kind == "demographic":
            plan.demographic.append((index, column.key))
        elif column.kind == "location":
            plan.location.append((index, column.key))
        elif column.kind == "opt_in":
            plan.opt_in.append((index, column.key))
        elif column.kind == "user":
            plan.user_id = index
    return plan


def row_data(plan: CsvPlan, raw: str) -> dict[str, Any]:
    """A row's EndpointRequest again, from its text (its lines, as csv_rows read them)."""
    return plan.data(next(csv.reader(io.StringIO(raw), strict=True)))


def csv_rows(lines: Iterable[bytes]) -> Iterator[Row]:
    """Rows of a CSV file (line numbers count the header as line 1); HeaderError when the header is unusable."""
    bad: set[int] = set()
    seen: list[str] = []
    reader = csv.reader(decoded(lines, bad, seen), strict=True)
    plan: CsvPlan | None = None
    header_size = 0
    while True:
        start = reader.line_num + 1
        seen.clear()
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Row(start, "".join(seen)[:MAX_RAW], error=Invalid(f"the row is not valid CSV: {exc}", field=""))
            continue
        raw = "".join(seen).rstrip("\r\n")
        if bad and not bad.isdisjoint(range(start, reader.line_num + 1)):
            yield not_utf8(start, raw)
            continue
        if plan is None:
            if not any(cell.strip() for cell in cells):
                continue
            plan, header_size = compile_header(cells), len(raw)
            reparse = functools.partial(row_data, plan)
            continue
        if not cells:
            continue
        bound = FIXED_JSON_BYTES + 24 * len(raw) + 12 * header_size + 8 * (len(raw) + header_size + 2)
        row = Row(start, raw, size_bound=bound, reparse=reparse)
        try:
            row.data = plan.data(cells)
            identify(row)
        except Invalid as exc:
            row.error = exc.with_traceback(None)  # no frame cycles: the collector is off while importing
        yield row
    if plan is None:
        raise HeaderError("the file is empty: a CSV import needs a header row (ChannelType,Address,...) and rows")
