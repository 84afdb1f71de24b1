"""The vendor-specific SQL fragments of the segment compiler: PostgreSQL (JSONB, GIN) and SQLite (json_each).

Every fragment is a boolean SQL expression over the current `segments_endpoint` row, with %s parameters.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from datetime import datetime, timedelta

E = '"segments_endpoint"'
OPS = {"EQUAL": "=", "GREATER_THAN": ">", "GREATER_THAN_OR_EQUAL": ">=", "LESS_THAN": "<", "LESS_THAN_OR_EQUAL": "<="}

Fragment = tuple[str, list[object]]


def _placeholders(n: int) -> str:
    return ", ".join(["%s"] * n)


class Dialect(ABC):
    vendor = ""

    @abstractmethod
    def list_has_any(self, column: str, name: str, values: tuple[str, ...]) -> Fragment:
        """A boolean fragment; see the subclasses."""

    @abstractmethod
    def list_contains(self, column: str, name: str, needles: tuple[str, ...]) -> Fragment:
        """A boolean fragment; see the subclasses."""

    @abstractmethod
    def list_time(
        self, column: str, name: str, low: datetime | None, high: datetime | None, *, strict: bool
    ) -> Fragment:
        """A boolean fragment; see the subclasses."""

    @abstractmethod
    def number(self, column: str, name: str, operator: str, value: float) -> Fragment:
        """A boolean fragment; see the subclasses."""

    @abstractmethod
    def event_attribute_in(self, name: str, values: tuple[str, ...]) -> Fragment:
        """A boolean fragment; see the subclasses."""

    @abstractmethod
    def event_metric(self, name: str, operator: str, value: float) -> Fragment:
        """A boolean fragment; see the subclasses."""


class PostgresDialect(Dialect):
    """JSONB containment (@>) for equality so the jsonb_path_ops GIN index applies."""

    vendor = "postgresql"

    def list_has_any(self, column: str, name: str, values: tuple[str, ...]) -> Fragment:
        parts = " OR ".join([f"{E}.{column} @> %s::jsonb"] * len(values))
        return f"({parts})", [json.dumps({name: [v]}) for v in values]

    def _elements(self, column: str) -> str:
        return f"jsonb_array_elements_text(COALESCE({E}.{column} -> %s, '[]'::jsonb))"

    def list_contains(self, column: str, name: str, needles: tuple[str, ...]) -> Fragment:
        tests = " OR ".join(["strpos(v, %s) > 0"] * len(needles))
        return f"EXISTS (SELECT 1 FROM {self._elements(column)} v WHERE {tests})", [name, *needles]

    def list_time(
        self, column: str, name: str, low: datetime | None, high: datetime | None, *, strict: bool
    ) -> Fragment:
        conds, params = [], []
        if low is not None:
            conds.append("engage_try_timestamptz(v) " + (">" if strict else ">=") + " %s")
            params.append(low)
        if high is not None:
            conds.append("engage_try_timestamptz(v) " + ("<" if strict else "<=") + " %s")
            params.append(high)
        return f"EXISTS (SELECT 1 FROM {self._elements(column)} v WHERE {' AND '.join(conds)})", [name, *params]

    def number(self, column: str, name: str, operator: str, value: float) -> Fragment:
        return f"COALESCE(({E}.{column} ->> %s)::double precision {OPS[operator]} %s, FALSE)", [name, value]

    def event_attribute_in(self, name: str, values: tuple[str, ...]) -> Fragment:
        return f"ev.attributes ->> %s IN ({_placeholders(len(values))})", [name, *values]

    def event_metric(self, name: str, operator: str, value: float) -> Fragment:
        return f"COALESCE((ev.metrics ->> %s)::double precision {OPS[operator]} %s, FALSE)", [name, value]


def _path(name: str) -> str:
    return '$."' + name.replace('"', '\\"') + '"'


class SQLiteDialect(Dialect):
    """json_each over the attribute's list; julianday() reads ISO 8601 strings and is NULL for anything else."""

    vendor = "sqlite"

    def list_has_any(self, column: str, name: str, values: tuple[str, ...]) -> Fragment:
        return (
            f"EXISTS (SELECT 1 FROM json_each({E}.{column}, %s) WHERE value IN ({_placeholders(len(values))}))",
            [_path(name), *values],
        )

    def list_contains(self, column: str, name: str, needles: tuple[str, ...]) -> Fragment:
        tests = " OR ".join(["instr(value, %s) > 0"] * len(needles))
        return f"EXISTS (SELECT 1 FROM json_each({E}.{column}, %s) WHERE {tests})", [_path(name), *needles]

    def list_time(
        self, column: str, name: str, low: datetime | None, high: datetime | None, *, strict: bool
    ) -> Fragment:
        conds, params = [], []
        if low is not None:
            conds.append("julianday(value) " + (">" if strict else ">=") + " julianday(%s)")
            params.append(low.isoformat())
        if high is not None:
            conds.append("julianday(value) " + ("<" if strict else "<=") + " julianday(%s)")
            params.append(high.isoformat())
        return f"EXISTS (SELECT 1 FROM json_each({E}.{column}, %s) WHERE {' AND '.join(conds)})", [_path(name), *params]

    def number(self, column: str, name: str, operator: str, value: float) -> Fragment:
        return f"COALESCE(json_extract({E}.{column}, %s) {OPS[operator]} %s, 0)", [_path(name), value]

    def event_attribute_in(self, name: str, values: tuple[str, ...]) -> Fragment:
        return f"json_extract(ev.attributes, %s) IN ({_placeholders(len(values))})", [_path(name), *values]

    def event_metric(self, name: str, operator: str, value: float) -> Fragment:
        return f"COALESCE(json_extract(ev.metrics, %s) {OPS[operator]} %s, 0)", [_path(name), value]


def dialect_for(vendor: str) -> Dialect:
    if vendor == "postgresql":
        return PostgresDialect()
    if vendor == "sqlite":
        return SQLiteDialect()
    raise ValueError(f"segments compile to PostgreSQL or SQLite, not {vendor}")


def day_bounds(instant: datetime) -> tuple[datetime, datetime]:
    """[midnight, next midnight) of the instant's UTC date (ON compares dates only)."""
    start = instant.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)
