"""Segment definition → one SQL boolean expression over `segments_endpoint` (and eligibility).

Never filters in Python: the result goes into a single query (count, estimate, keyset pages of members,
explain). Source segments are inlined (imported ones as membership subqueries), cycles are refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from engage.errors import Invalid
from segments.compiler.dialects import Dialect, E, day_bounds, dialect_for
from segments.compiler.tree import TRUE, Expr, Leaf, and_, not_, or_
from segments.definition import (
    DURATIONS,
    AttributeDim,
    Definition,
    Dimensions,
    EventDim,
    GpsDim,
    Group,
    SetDim,
    SourceRef,
)
from segments.models.endpoint import PUSH_CHANNELS

DEMOGRAPHIC_COLUMNS = {
    "AppVersion": "app_version",
    "Channel": "channel_type",
    "Make": "make",
    "Model": "model",
    "Platform": "platform",
    "Locale": "locale",
    "ModelVersion": "model_version",
    "PlatformVersion": "platform_version",
    "Timezone": "timezone",
}
LOCATION_COLUMNS = {"City": "city", "PostalCode": "postal_code", "Region": "region"}
MAX_DEPTH = 5
KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_AT_EQUATOR = 111.320


@dataclass(frozen=True)
class SourceSegment:
    """What the compiler needs to know about a segment used as a source."""

    id: str
    pk: int
    kind: str  # DIMENSIONAL or IMPORT
    definition: Definition | None


SourceResolver = Callable[[SourceRef], SourceSegment]


class SegmentCompiler:
    def __init__(self, *, vendor: str, now: datetime, resolve: SourceResolver) -> None:
        self.dialect: Dialect = dialect_for(vendor)
        self.now = now
        self.resolve = resolve
        self._stack: list[str] = []

    def compile(self, definition: Definition) -> Expr:
        """The whole definition: groups combined by Include (ALL = and, ANY = or, NONE = none of them)."""
        groups = [self._group(g, f"Group {i + 1}") for i, g in enumerate(definition.groups)]
        if not groups:
            return TRUE
        if definition.include == "ANY":
            return or_(groups)
        if definition.include == "NONE":
            return not_(or_(groups), "none of the groups")
        return and_(groups)

    def _group(self, group: Group, label: str) -> Expr:
        sources = [self._source(s) for s in group.sources]
        if group.source_type == "ALL":
            base = and_(sources)
        elif group.source_type == "NONE":
            base = not_(or_(sources), "in none of the base segments") if sources else TRUE
        else:
            base = or_(sources)
        dims = [self._dimensions(d) for d in group.dimensions]
        if group.type == "ANY":
            criteria = or_(dims)
        elif group.type == "NONE":
            criteria = not_(or_(dims), "matches none of the criteria") if dims else TRUE
        else:
            criteria = and_(dims)
        return and_([base, criteria], label)

    def _source(self, ref: SourceRef) -> Expr:
        if ref.id in self._stack or len(self._stack) >= MAX_DEPTH:
            raise Invalid(
                f"segment {ref.id} refers back to itself (or nests deeper than {MAX_DEPTH})",
                field="SegmentGroups.SourceSegments",
            )
        segment = self.resolve(ref)
        if segment.kind == "IMPORT" or segment.definition is None:
            return Leaf(
                f"in imported segment {segment.id}",
                f'EXISTS (SELECT 1 FROM "segments_importedmember" m WHERE m.segment_id = %s '
                f"AND m.endpoint_id = {E}.id)",
                [segment.pk],
                nullable=False,
            )
        self._stack.append(ref.id)
        try:
            inner = self.compile(segment.definition)
        finally:
            self._stack.pop()
        return and_([inner], f"in segment {segment.id}")

    def _dimensions(self, dims: Dimensions) -> Expr:
        parts: list[Expr] = []
        for name, dim in dims.attributes.items():
            parts.append(self._attribute("attributes", f"Attributes.{name}", name, dim))
        for name, dim in dims.user_attributes.items():
            parts.append(self._attribute("user_attributes", f"User.UserAttributes.{name}", name, dim))
        for name, metric in dims.metrics.items():
            sql, params = self.dialect.number("metrics", name, metric.operator, metric.value)
            parts.append(Leaf(f"Metrics.{name} {metric.operator} {metric.value:g}", sql, params, nullable=False))
        for key, set_dim in dims.demographic.items():
            parts.append(self._set(f"Demographic.{key}", DEMOGRAPHIC_COLUMNS[key], set_dim))
        if dims.country:
            parts.append(self._set("Location.Country", "country", dims.country))
        for key, set_dim in dims.location.items():
            parts.append(self._set(f"Location.{key}", LOCATION_COLUMNS[key], set_dim))
        if dims.gps:
            parts.append(self._gps(dims.gps))
        if dims.recency:
            parts.append(self._recency(*dims.recency))
        parts.extend(self._event(e) for e in dims.events)
        return and_(parts)

    def _attribute(self, column: str, label: str, name: str, dim: AttributeDim) -> Expr:
        values = ", ".join(dim.values)
        if dim.type in ("INCLUSIVE", "EXCLUSIVE"):
            sql, params = self.dialect.list_has_any(column, name, dim.values)
            leaf = Leaf(f"{label} is any of [{values}]", sql, params, nullable=False)
            return leaf if dim.type == "INCLUSIVE" else not_(leaf, f"{label} is none of [{values}]")
        if dim.type == "CONTAINS":
            sql, params = self.dialect.list_contains(column, name, dim.values)
            return Leaf(f"{label} contains any of [{values}]", sql, params, nullable=False)
        low: datetime | None = None
        high: datetime | None = None
        strict = True
        if dim.type == "BEFORE":
            high = dim.instants[0]
        elif dim.type == "AFTER":
            low = dim.instants[0]
        elif dim.type == "ON":
            low, high = day_bounds(dim.instants[0])
            high -= timedelta(microseconds=1)
            strict = False
        else:
            low, high, strict = dim.instants[0], dim.instants[1], False
        sql, params = self.dialect.list_time(column, name, low, high, strict=strict)
        return Leaf(f"{label} {dim.type} {values}", sql, params, nullable=False)

    def _set(self, label: str, column: str, dim: SetDim) -> Expr:
        marks = ", ".join(["%s"] * len(dim.values))
        leaf = Leaf(
            f"{label} is any of [{', '.join(dim.values)}]",
            f"{E}.{column} IN ({marks})",
            list(dim.values),
            nullable=False,
        )
        return leaf if dim.type == "INCLUSIVE" else not_(leaf, f"{label} is none of [{', '.join(dim.values)}]")

    def _gps(self, gps: GpsDim) -> Expr:
        # Equirectangular distance: plain arithmetic (same on both databases), exact enough at the one-decimal
        # precision Pinpoint keeps coordinates in; the bounding box lets the planner skip far rows early.
        lon_km = KM_PER_DEGREE_LON_AT_EQUATOR * max(math.cos(math.radians(gps.latitude)), 1e-6)
        dlat, dlon = gps.range_km / KM_PER_DEGREE_LAT, gps.range_km / lon_km
        sql = (
            f"{E}.latitude BETWEEN %s AND %s AND {E}.longitude BETWEEN %s AND %s AND "
            f"(({E}.latitude - %s) * %s) * (({E}.latitude - %s) * %s) + "
            f"(({E}.longitude - %s) * %s) * (({E}.longitude - %s) * %s) <= %s"
        )
        params: list[object] = [
            gps.latitude - dlat,
            gps.latitude + dlat,
            gps.longitude - dlon,
            gps.longitude + dlon,
            gps.latitude,
            KM_PER_DEGREE_LAT,
            gps.latitude,
            KM_PER_DEGREE_LAT,
            gps.longitude,
            lon_km,
            gps.longitude,
            lon_km,
            gps.range_km**2,
        ]
        return Leaf(f"within {gps.range_km:g} km of ({gps.latitude}, {gps.longitude})", sql, params)

    def _recency(self, kind: str, duration: str) -> Expr:
        since = self.now - timedelta(days=DURATIONS[duration])
        if kind == "ACTIVE":
            return Leaf(f"active in the last {duration}", f"{E}.last_active_at >= %s", [since])
        return Leaf(
            f"inactive in the last {duration}",
            f"({E}.last_active_at IS NULL OR {E}.last_active_at < %s)",
            [since],
            nullable=False,
        )

    def _event(self, dim: EventDim) -> Expr:
        conds = [
            f"ev.tenant_id = {E}.tenant_id",
            f"ev.endpoint_id = {E}.endpoint_id",
            "ev.event_type = %s",
            "ev.arrival >= %s",
        ]
        params: list[object] = [dim.event_type, self.now - timedelta(days=dim.days)]
        for name, values in dim.attributes.items():
            sql, ps = self.dialect.event_attribute_in(name, values)
            conds.append(sql)
            params += ps
        for name, metric in dim.metrics.items():
            sql, ps = self.dialect.event_metric(name, metric.operator, metric.value)
            conds.append(sql)
            params += ps
        # Count at most N+1 rows: enough to decide, and the subquery stops early on busy endpoints.
        limit = dim.count + 1
        counted = (
            f'(SELECT COUNT(*) FROM (SELECT 1 FROM "events_event" ev WHERE {" AND ".join(conds)} LIMIT {limit}) hits)'
        )
        if dim.operator == "AT_LEAST":
            label = f"performed {dim.event_type} at least {dim.count}× in {dim.days} days"
            return Leaf(label, f"{counted} >= %s", [*params, dim.count], nullable=False)
        label = (
            f"did not perform {dim.event_type} in {dim.days} days"
            if dim.count == 0
            else f"performed {dim.event_type} at most {dim.count}× in {dim.days} days"
        )
        return Leaf(label, f"{counted} <= %s", [*params, dim.count], nullable=False)


# A suppression row applies to an endpoint when it names no channel or the endpoint's channel (addresses are
# stored normalised: email lower-cased, which LOWER() above matches whatever case the endpoint stores).
_PUSH_TYPES = ", ".join(f"'{t}'" for t in sorted(PUSH_CHANNELS))
_SUPPRESSION_CHANNEL = (
    f"(s.channel = '' OR s.channel = {E}.channel_type OR (s.channel = 'PUSH' AND {E}.channel_type IN ({_PUSH_TYPES})) "
    f"OR (s.channel = 'INAPP' AND {E}.channel_type = 'IN_APP'))"
)


def eligibility(*, vendor: str) -> Expr:
    """Eligible = ACTIVE, not opted out, address not suppressed (for the endpoint's channel)."""
    return and_(
        [
            Leaf("endpoint is ACTIVE", f"{E}.endpoint_status = 'ACTIVE'", [], nullable=False),
            Leaf("not opted out", f"{E}.opt_out = 'NONE'", [], nullable=False),
            not_(
                Leaf(
                    "address is suppressed",
                    f'EXISTS (SELECT 1 FROM "segments_suppressedaddress" s '
                    f"WHERE s.tenant_id = {E}.tenant_id AND s.address IN ({E}.address, LOWER({E}.address)) "
                    f"AND {_SUPPRESSION_CHANNEL})",
                    [],
                    nullable=False,
                ),
                "address not suppressed",
            ),
        ],
        "eligible",
    )
