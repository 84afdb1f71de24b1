"""Rebuild Pinpoint's segment JSON (Dimensions / SegmentGroups) from a parsed Definition."""

from __future__ import annotations

from typing import Any

from segments.definition import AttributeDim, Definition, Dimensions, EventDim, Group, MetricDim, SetDim


def _set(dim: SetDim) -> dict[str, Any]:
    return {"DimensionType": dim.type, "Values": list(dim.values)}


def _attribute(dim: AttributeDim) -> dict[str, Any]:
    return {"AttributeType": dim.type, "Values": list(dim.values)}


def _metric(dim: MetricDim) -> dict[str, Any]:
    value: float | int = int(dim.value) if dim.value.is_integer() else dim.value
    return {"ComparisonOperator": dim.operator, "Value": value}


def _event(dim: EventDim) -> dict[str, Any]:
    out: dict[str, Any] = {
        "EventType": dim.event_type,
        "Operator": dim.operator,
        "Count": dim.count,
        "WithinDays": dim.days,
    }
    if dim.attributes:
        out["Attributes"] = {k: list(v) for k, v in dim.attributes.items()}
    if dim.metrics:
        out["Metrics"] = {k: _metric(v) for k, v in dim.metrics.items()}
    return out


def dimensions_json(dims: Dimensions) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if dims.attributes:
        out["Attributes"] = {k: _attribute(v) for k, v in dims.attributes.items()}
    if dims.user_attributes:
        out["UserAttributes"] = {k: _attribute(v) for k, v in dims.user_attributes.items()}
    if dims.metrics:
        out["Metrics"] = {k: _metric(v) for k, v in dims.metrics.items()}
    if dims.demographic:
        out["Demographic"] = {k: _set(v) for k, v in dims.demographic.items()}
    location: dict[str, Any] = {}
    if dims.country:
        location["Country"] = _set(dims.country)
    for key, set_dim in dims.location.items():
        location[key] = _set(set_dim)
    if dims.gps:
        location["GPSPoint"] = {
            "Coordinates": {"Latitude": dims.gps.latitude, "Longitude": dims.gps.longitude},
            "RangeInKilometers": dims.gps.range_km,
        }
    if location:
        out["Location"] = location
    if dims.recency:
        out["Behavior"] = {"Recency": {"RecencyType": dims.recency[0], "Duration": dims.recency[1]}}
    if dims.events:
        out["Events"] = [_event(e) for e in dims.events]
    return out


def _group(group: Group) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Type": group.type,
        "SourceType": group.source_type,
        "Dimensions": [dimensions_json(d) for d in group.dimensions],
    }
    if group.sources:
        out["SourceSegments"] = [{"Id": s.id, **({"Version": s.version} if s.version else {})} for s in group.sources]
    return out


def definition_json(definition: Definition) -> dict[str, Any]:
    """`{"Dimensions": ...}` for legacy definitions, else `{"SegmentGroups": ...}`; `{}` selects everyone."""
    if definition.legacy and len(definition.groups) == 1 and len(definition.groups[0].dimensions) == 1:
        return {"Dimensions": dimensions_json(definition.groups[0].dimensions[0])}
    if not definition.groups:
        return {}
    return {"SegmentGroups": {"Include": definition.include, "Groups": [_group(g) for g in definition.groups]}}
