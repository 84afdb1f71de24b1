"""Pinpoint's CampaignEventFilter: checking one as written, and matching ingested events against it.

Dimensions: EventType (INCLUSIVE | EXCLUSIVE, Values), Attributes (name → AttributeType INCLUSIVE | EXCLUSIVE |
CONTAINS, Values; several values are OR-ed), Metrics (name → ComparisonOperator, Value). Delivery-derived system
events (`_email.*`, `_campaign.*`, `_SMS.*`...) never trigger a campaign, whatever the filter says, as in Pinpoint.
Pure functions: no database, no clock."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engage.errors import Invalid
from engage.events.models import Event, is_system_event

PATH = "Schedule.EventFilter"
FILTER_TYPES = ("ENDPOINT", "SYSTEM")
DIMENSION_TYPES = ("INCLUSIVE", "EXCLUSIVE")
ATTRIBUTE_TYPES = ("INCLUSIVE", "EXCLUSIVE", "CONTAINS")
OPERATORS = {
    "EQUAL": lambda a, b: a == b,
    "GREATER_THAN": lambda a, b: a > b,
    "GREATER_THAN_OR_EQUAL": lambda a, b: a >= b,
    "LESS_THAN": lambda a, b: a < b,
    "LESS_THAN_OR_EQUAL": lambda a, b: a <= b,
}


def _obj(value: Any, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid("must be a JSON object", field=path)
    return value


def _values(value: Any, path: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise Invalid("give a list of one or more text values", field=path)
    return list(value)


def event_filter_check(value: Any) -> dict[str, Any]:
    """The filter in its canonical shape; Invalid names the member to fix."""
    data = _obj(value, PATH)
    if data.get("FilterType") not in FILTER_TYPES:
        raise Invalid("FilterType must be ENDPOINT or SYSTEM", field=f"{PATH}.FilterType")
    dims = _obj(data.get("Dimensions"), f"{PATH}.Dimensions")
    out: dict[str, Any] = {"FilterType": data["FilterType"], "Dimensions": {}}
    if dims.get("EventType") is not None:
        path = f"{PATH}.Dimensions.EventType"
        et = _obj(dims["EventType"], path)
        kind = et.get("DimensionType") or "INCLUSIVE"
        if kind not in DIMENSION_TYPES:
            raise Invalid("DimensionType must be INCLUSIVE or EXCLUSIVE", field=f"{path}.DimensionType")
        out["Dimensions"]["EventType"] = {"DimensionType": kind, "Values": _values(et.get("Values"), f"{path}.Values")}
    attributes = {}
    for name, raw in _obj(dims.get("Attributes"), f"{PATH}.Dimensions.Attributes").items():
        path = f"{PATH}.Dimensions.Attributes.{name}"
        item = _obj(raw, path)
        kind = item.get("AttributeType") or "INCLUSIVE"
        if kind not in ATTRIBUTE_TYPES:
            raise Invalid(f"AttributeType must be one of {', '.join(ATTRIBUTE_TYPES)}", field=f"{path}.AttributeType")
        attributes[name] = {"AttributeType": kind, "Values": _values(item.get("Values"), f"{path}.Values")}
    metrics = {}
    for name, raw in _obj(dims.get("Metrics"), f"{PATH}.Dimensions.Metrics").items():
        path = f"{PATH}.Dimensions.Metrics.{name}"
        item = _obj(raw, path)
        if item.get("ComparisonOperator") not in OPERATORS:
            raise Invalid(f"must be one of {', '.join(OPERATORS)}", field=f"{path}.ComparisonOperator")
        number = item.get("Value")
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            raise Invalid("must be a number", field=f"{path}.Value")
        metrics[name] = {"ComparisonOperator": item["ComparisonOperator"], "Value": number}
    if attributes:
        out["Dimensions"]["Attributes"] = attributes
    if metrics:
        out["Dimensions"]["Metrics"] = metrics
    return out


@dataclass(frozen=True)
class EventFilter:
    """A checked filter, ready to match events quickly."""

    event_types: frozenset[str] | None
    exclude_types: bool
    attributes: tuple[tuple[str, str, frozenset[str]], ...]
    metrics: tuple[tuple[str, str, float], ...]

    @classmethod
    def parse(cls, data: dict[str, Any]) -> EventFilter:
        dims = data.get("Dimensions") or {}
        et = dims.get("EventType")
        return cls(
            event_types=frozenset(et["Values"]) if et else None,
            exclude_types=bool(et and et.get("DimensionType") == "EXCLUSIVE"),
            attributes=tuple(
                (name, a.get("AttributeType") or "INCLUSIVE", frozenset(a["Values"]))
                for name, a in (dims.get("Attributes") or {}).items()
            ),
            metrics=tuple(
                (name, m["ComparisonOperator"], float(m["Value"])) for name, m in (dims.get("Metrics") or {}).items()
            ),
        )

    def accepts(self, event: Event, start: datetime | None, end: datetime | None) -> bool:
        """Whether an ingested event of an endpoint arrived between `start` and `end` (arrival counts, not the
        client's timestamp) and matches the filter."""
        if not event.endpoint_id:
            return False
        if (start is not None and event.arrival < start) or (end is not None and event.arrival >= end):
            return False
        return self.matches(event.event_type, event.attributes or {}, event.metrics or {})

    def matches(self, event_type: str, attributes: dict[str, Any], metrics: dict[str, Any]) -> bool:
        """Whether an ingested event (its type, attributes and metrics) triggers the campaign."""
        if is_system_event(event_type):
            return False
        if self.event_types is not None and (event_type in self.event_types) == self.exclude_types:
            return False
        for name, kind, values in self.attributes:
            value = attributes.get(name)
            if kind == "EXCLUSIVE":
                if value is not None and str(value) in values:
                    return False
            elif value is None:
                return False
            elif kind == "CONTAINS":
                if not any(v in str(value) for v in values):
                    return False
            elif str(value) not in values:
                return False
        for name, op, target in self.metrics:
            number = metrics.get(name)
            if isinstance(number, bool) or not isinstance(number, int | float):
                return False
            if not OPERATORS[op](float(number), target):
                return False
        return True
