"""A segment definition: Pinpoint's WriteSegmentRequest (legacy `Dimensions` or `SegmentGroups`) parsed,
validated with field paths, and rebuilt to JSON from the parsed form (never echoed).

Beyond Pinpoint, a SegmentDimensions object may carry `Events`: event-based criteria ("performed EVENT at
least/at most N times in the last D days", "did not perform").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engage.errors import Invalid
from segments.codec import parse_datetime_value

ATTRIBUTE_TYPES = ("INCLUSIVE", "EXCLUSIVE", "CONTAINS", "BEFORE", "AFTER", "ON", "BETWEEN")
DIMENSION_TYPES = ("INCLUSIVE", "EXCLUSIVE")
COMPARISONS = ("EQUAL", "GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN", "LESS_THAN_OR_EQUAL")
DURATIONS = {"HR_24": 1, "DAY_7": 7, "DAY_14": 14, "DAY_30": 30}
RECENCY_TYPES = ("ACTIVE", "INACTIVE")
GROUP_TYPES = ("ALL", "ANY", "NONE")
# Pinpoint's SegmentDemographics keys, then Engage's additions (the endpoint fields Pinpoint did not filter on).
DEMOGRAPHIC_KEYS = (
    "AppVersion",
    "Channel",
    "DeviceType",
    "Make",
    "Model",
    "Platform",
    "Locale",
    "ModelVersion",
    "PlatformVersion",
    "Timezone",
)
LOCATION_SET_KEYS = ("City", "PostalCode", "Region")  # Engage's additions beside Country and GPSPoint
EVENT_OPERATORS = ("AT_LEAST", "AT_MOST")
MAX_VALUES = 100
MAX_VALUE_LENGTH = 100
MAX_GROUPS = 2
MAX_EVENT_DAYS = 366
MAX_EVENT_COUNT = 1_000_000


@dataclass(frozen=True)
class SetDim:
    type: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class AttributeDim:
    type: str
    values: tuple[str, ...]
    instants: tuple[datetime, ...] = ()  # parsed values for BEFORE/AFTER/ON/BETWEEN


@dataclass(frozen=True)
class MetricDim:
    operator: str
    value: float


@dataclass(frozen=True)
class GpsDim:
    latitude: float
    longitude: float
    range_km: float


@dataclass(frozen=True)
class EventDim:
    event_type: str
    operator: str
    count: int
    days: int
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    metrics: dict[str, MetricDim] = field(default_factory=dict)


@dataclass(frozen=True)
class Dimensions:
    """One SegmentDimensions object: every criterion in it must hold (AND)."""

    attributes: dict[str, AttributeDim] = field(default_factory=dict)
    user_attributes: dict[str, AttributeDim] = field(default_factory=dict)
    metrics: dict[str, MetricDim] = field(default_factory=dict)
    demographic: dict[str, SetDim] = field(default_factory=dict)
    country: SetDim | None = None
    location: dict[str, SetDim] = field(default_factory=dict)  # City, PostalCode, Region
    gps: GpsDim | None = None
    recency: tuple[str, str] | None = None  # (RecencyType, Duration)
    events: tuple[EventDim, ...] = ()


@dataclass(frozen=True)
class SourceRef:
    id: str
    version: int | None = None


@dataclass(frozen=True)
class Group:
    type: str = "ALL"  # how the group's dimensions combine: ALL (and), ANY (or), NONE (nor)
    source_type: str = "ANY"  # how its source segments combine: ALL, ANY, NONE (in none of them)
    sources: tuple[SourceRef, ...] = ()
    dimensions: tuple[Dimensions, ...] = ()


@dataclass(frozen=True)
class Definition:
    include: str = "ALL"  # how groups combine
    groups: tuple[Group, ...] = ()
    legacy: bool = False  # came as top-level Dimensions; rebuilt the same way


class _Counter:
    def __init__(self) -> None:
        self.values = 0

    def add(self, n: int, path: str) -> None:
        self.values += n
        if self.values > MAX_VALUES:
            raise Invalid(f"a segment holds at most {MAX_VALUES} values across all its criteria", field=path)


def _obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"{path} must be a JSON object", field=path)
    return value


def _choice(value: Any, path: str, allowed: tuple[str, ...] | list[str]) -> str:
    if value not in allowed:
        raise Invalid(f"{path} must be one of {', '.join(allowed)} (got {value!r})", field=path)
    return str(value)


def _values(value: Any, path: str, counter: _Counter) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise Invalid(f"{path} must be a non-empty list of strings", field=path)
    out = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise Invalid(f"{path} must hold strings, not {type(item).__name__}", field=path)
        if len(str(item)) > MAX_VALUE_LENGTH:
            raise Invalid(f"a value in {path} is longer than {MAX_VALUE_LENGTH} characters", field=path)
        out.append(str(item))
    counter.add(len(out), path)
    return tuple(out)


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not abs(value) <= 1e300:  # NaN, ∞, 10**400
        raise Invalid(f"{path} must be a finite number", field=path)
    return float(value)


def _set_dim(value: Any, path: str, counter: _Counter) -> SetDim:
    data = _obj(value, path)
    kind = _choice(data.get("DimensionType", "INCLUSIVE"), f"{path}.DimensionType", DIMENSION_TYPES)
    return SetDim(kind, _values(data.get("Values"), f"{path}.Values", counter))


def _attribute_dim(value: Any, path: str, counter: _Counter) -> AttributeDim:
    data = _obj(value, path)
    kind = _choice(data.get("AttributeType", "INCLUSIVE"), f"{path}.AttributeType", ATTRIBUTE_TYPES)
    values = _values(data.get("Values"), f"{path}.Values", counter)
    instants: tuple[datetime, ...] = ()
    if kind in ("BEFORE", "AFTER", "ON", "BETWEEN"):
        instants = tuple(parse_datetime_value(v, f"{path}.Values") for v in values)
        wanted = 2 if kind == "BETWEEN" else 1
        if len(instants) != wanted:
            raise Invalid(
                f"{kind} takes exactly {wanted} date value{'s' if wanted > 1 else ''}", field=f"{path}.Values"
            )
        if kind == "BETWEEN" and instants[0] > instants[1]:
            raise Invalid("BETWEEN takes the earlier date first", field=f"{path}.Values")
    return AttributeDim(kind, values, instants)


def _metric_dim(value: Any, path: str) -> MetricDim:
    data = _obj(value, path)
    operator = _choice(data.get("ComparisonOperator"), f"{path}.ComparisonOperator", COMPARISONS)
    return MetricDim(operator, _number(data.get("Value"), f"{path}.Value"))


def _named(value: Any, path: str, parse: Any) -> dict[str, Any]:
    data = _obj(value, path)
    out = {}
    for name, dim in data.items():
        if not isinstance(name, str) or not name or len(name) > 50:
            raise Invalid(f"attribute names in {path} must be 1–50 characters", field=path)
        out[name] = parse(dim, f"{path}.{name}")
    return out


def _event_dim(value: Any, path: str, counter: _Counter) -> EventDim:
    data = _obj(value, path)
    event_type = data.get("EventType")
    if not isinstance(event_type, str) or not event_type:
        raise Invalid(f"{path}.EventType is required", field=f"{path}.EventType")
    operator = _choice(data.get("Operator", "AT_LEAST"), f"{path}.Operator", EVENT_OPERATORS)
    count = data.get("Count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_EVENT_COUNT:
        raise Invalid(f"{path}.Count must be a whole number 0–{MAX_EVENT_COUNT:,}", field=f"{path}.Count")
    days = data.get("WithinDays", 30)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EVENT_DAYS:
        raise Invalid(f"{path}.WithinDays must be 1–{MAX_EVENT_DAYS}", field=f"{path}.WithinDays")
    attributes = {
        n: _values(v, f"{path}.Attributes.{n}", counter)
        for n, v in _obj(data.get("Attributes") or {}, f"{path}.Attributes").items()
    }
    metrics = _named(data.get("Metrics") or {}, f"{path}.Metrics", _metric_dim)
    return EventDim(event_type, operator, count, days, attributes, metrics)


def parse_dimensions(value: Any, path: str, counter: _Counter) -> Dimensions:
    data = _obj(value, path)
    demographic: dict[str, SetDim] = {}
    for key, dim in _obj(data.get("Demographic") or {}, f"{path}.Demographic").items():
        _choice(key, f"{path}.Demographic", DEMOGRAPHIC_KEYS)
        if key == "DeviceType":
            raise Invalid(
                "Demographic.DeviceType is not supported: endpoints carry no device type; "
                "filter on Demographic.Model or Demographic.Platform",
                field=f"{path}.Demographic.DeviceType",
            )
        demographic[key] = _set_dim(dim, f"{path}.Demographic.{key}", counter)
    location = _obj(data.get("Location") or {}, f"{path}.Location")
    country = _set_dim(location["Country"], f"{path}.Location.Country", counter) if location.get("Country") else None
    location_sets = {
        key: _set_dim(location[key], f"{path}.Location.{key}", counter)
        for key in LOCATION_SET_KEYS
        if location.get(key)
    }
    gps = None
    if location.get("GPSPoint"):
        point = _obj(location["GPSPoint"], f"{path}.Location.GPSPoint")
        coords = _obj(point.get("Coordinates"), f"{path}.Location.GPSPoint.Coordinates")
        lat = _number(coords.get("Latitude"), f"{path}.Location.GPSPoint.Coordinates.Latitude")
        lon = _number(coords.get("Longitude"), f"{path}.Location.GPSPoint.Coordinates.Longitude")
        km = _number(point.get("RangeInKilometers", 100), f"{path}.Location.GPSPoint.RangeInKilometers")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 < km <= 20000):
            raise Invalid(
                "GPSPoint needs a latitude in -90…90, a longitude in -180…180 and a range in km > 0",
                field=f"{path}.Location.GPSPoint",
            )
        gps = GpsDim(lat, lon, km)
    recency = None
    behavior = _obj(data.get("Behavior") or {}, f"{path}.Behavior")
    if behavior.get("Recency"):
        rec = _obj(behavior["Recency"], f"{path}.Behavior.Recency")
        recency = (
            _choice(rec.get("RecencyType"), f"{path}.Behavior.Recency.RecencyType", RECENCY_TYPES),
            _choice(rec.get("Duration"), f"{path}.Behavior.Recency.Duration", tuple(DURATIONS)),
        )
    events = data.get("Events") or []
    if not isinstance(events, list):
        raise Invalid(f"{path}.Events must be a list", field=f"{path}.Events")
    return Dimensions(
        attributes=_named(
            data.get("Attributes") or {}, f"{path}.Attributes", lambda v, p: _attribute_dim(v, p, counter)
        ),
        user_attributes=_named(
            data.get("UserAttributes") or {}, f"{path}.UserAttributes", lambda v, p: _attribute_dim(v, p, counter)
        ),
        metrics=_named(data.get("Metrics") or {}, f"{path}.Metrics", _metric_dim),
        demographic=demographic,
        country=country,
        location=location_sets,
        gps=gps,
        recency=recency,
        events=tuple(_event_dim(e, f"{path}.Events[{i}]", counter) for i, e in enumerate(events)),
    )


def _group(value: Any, path: str, counter: _Counter) -> Group:
    data = _obj(value, path)
    sources = []
    for i, ref in enumerate(data.get("SourceSegments") or []):
        ref = _obj(ref, f"{path}.SourceSegments[{i}]")
        if not isinstance(ref.get("Id"), str) or not ref["Id"]:
            raise Invalid("each source segment needs an Id", field=f"{path}.SourceSegments[{i}].Id")
        version = ref.get("Version")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
            raise Invalid("Version must be a positive whole number", field=f"{path}.SourceSegments[{i}].Version")
        sources.append(SourceRef(ref["Id"], version))
    dims = data.get("Dimensions") or []
    if not isinstance(dims, list):
        raise Invalid(f"{path}.Dimensions must be a list", field=f"{path}.Dimensions")
    return Group(
        type=_choice(data.get("Type", "ALL"), f"{path}.Type", GROUP_TYPES),
        source_type=_choice(data.get("SourceType", "ANY"), f"{path}.SourceType", GROUP_TYPES),
        sources=tuple(sources),
        dimensions=tuple(parse_dimensions(d, f"{path}.Dimensions[{i}]", counter) for i, d in enumerate(dims)),
    )


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return any(_has_nul(k) or _has_nul(v) for k, v in items)


def parse_definition(data: Any) -> Definition:
    """Parse the Dimensions / SegmentGroups of a WriteSegmentRequest (an empty one selects every endpoint)."""
    data = _obj(data, "body")
    if _has_nul(data):  # PostgreSQL text holds no NUL: refuse it here rather than fail in SQL
        raise Invalid("a name or value holds a NUL character (\\u0000)", field="body")
    counter = _Counter()
    groups_data = data.get("SegmentGroups")
    if groups_data:
        groups = _obj(groups_data, "SegmentGroups")
        items = groups.get("Groups") or []
        if not isinstance(items, list):
            raise Invalid("SegmentGroups.Groups must be a list", field="SegmentGroups.Groups")
        if len(items) > MAX_GROUPS:
            raise Invalid(f"a segment has at most {MAX_GROUPS} segment groups", field="SegmentGroups.Groups")
        return Definition(
            include=_choice(groups.get("Include", "ALL"), "SegmentGroups.Include", GROUP_TYPES),
            groups=tuple(_group(g, f"SegmentGroups.Groups[{i}]", counter) for i, g in enumerate(items)),
        )
    if data.get("Dimensions"):
        dims = parse_dimensions(data["Dimensions"], "Dimensions", counter)
        return Definition(include="ALL", groups=(Group(type="ALL", dimensions=(dims,)),), legacy=True)
    return Definition()
