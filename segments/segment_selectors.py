"""Reads for the segment console: search, what a segment selects, suggestions from the tenant's own data, a
sample of members, and "why is this endpoint (not) in the segment" with the audience guard on its own line."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet

from engage.tenancy.models import Tenant
from segments.compiler.query import Explanation, audience_guard_for, segment_explain, segment_members
from segments.definition import Definition, parse_definition
from segments.models import AttributeName, AudienceGuard, ChannelType, Endpoint, Segment

SUGGESTION_SAMPLE = 5_000
SUGGESTION_LIMIT = 20
EVENT_TYPE_LIMIT = 50
SAMPLE_SIZE = 10
# Demographic keys (and Location.Country) a segment filters on, by the endpoint column holding them.
VALUE_COLUMNS = {
    "Platform": "platform",
    "AppVersion": "app_version",
    "Make": "make",
    "Model": "model",
    "Country": "country",
    "Locale": "locale",
    "ModelVersion": "model_version",
    "PlatformVersion": "platform_version",
    "Timezone": "timezone",
    "Location.City": "city",
    "Location.PostalCode": "postal_code",
    "Location.Region": "region",
}
LIST_COLUMNS = {"attribute": "attributes", "user_attribute": "user_attributes"}

# Each reads a bounded sample of the tenant's endpoints (LIMIT without ORDER BY: the tenant index stops early,
# whatever the size of the tenant) and counts the values in it; the column comes from the fixed maps above.
_COLUMN_SQL = (
    "SELECT v, COUNT(*) AS n FROM (SELECT {column} AS v FROM segments_endpoint WHERE tenant_id = %s LIMIT %s) s "
    "WHERE v <> '' GROUP BY v ORDER BY n DESC, v LIMIT %s"
)
_LIST_SQL = {
    "postgresql": (
        "SELECT v, COUNT(*) AS n FROM (SELECT {column} -> %s AS vals FROM segments_endpoint "
        "WHERE tenant_id = %s LIMIT %s) s CROSS JOIN LATERAL jsonb_array_elements_text("
        "CASE WHEN jsonb_typeof(s.vals) = 'array' THEN s.vals ELSE '[]'::jsonb END) v "
        "GROUP BY v ORDER BY n DESC, v LIMIT %s"
    ),
    "sqlite": (
        "SELECT j.value, COUNT(*) AS n FROM (SELECT {column} AS vals FROM segments_endpoint "
        "WHERE tenant_id = %s LIMIT %s) s, json_each(s.vals, %s) j "
        "GROUP BY j.value ORDER BY n DESC, j.value LIMIT %s"
    ),
}
_EVENT_TYPES_SQL = (
    "SELECT event_type, COUNT(*) AS n FROM (SELECT event_type FROM events_event WHERE tenant_id = %s LIMIT %s) s "
    "GROUP BY event_type ORDER BY n DESC, event_type LIMIT %s"
)


def segments_search(*, tenant: Tenant, q: str = "") -> QuerySet[Segment]:
    """The tenant's segments, newest change first, whose name contains `q`."""
    queryset = Segment.objects.for_tenant(tenant).order_by("-updated_at", "-id")
    return queryset.filter(name__icontains=q) if q else queryset


def segment_for_tenant(*, tenant: Tenant, public_id: str) -> Segment | None:
    """One segment by its public id, inside the tenant only."""
    return Segment.objects.for_tenant(tenant).filter(public_id=public_id).first()


def segment_definition(*, segment: Segment) -> Definition:
    """What the segment selects: its criteria, or, for an imported segment, its own member list."""
    if segment.kind == Segment.Kind.IMPORT:
        return parse_definition({"SegmentGroups": {"Groups": [{"SourceSegments": [{"Id": segment.public_id}]}]}})
    return parse_definition(segment.definition)


def attribute_names(*, tenant: Tenant) -> dict[str, list[str]]:
    """The tenant's custom attribute, user attribute and metric names, by kind."""
    names: dict[str, list[str]] = {kind: [] for kind in AttributeName.Kind.values}
    for kind, name in AttributeName.objects.for_tenant(tenant).order_by("name").values_list("kind", "name"):
        names[kind].append(name)
    return names


def event_type_suggestions(*, tenant: Tenant, using: str = "default") -> list[str]:
    """The most common event types among a bounded sample of the tenant's events (one query)."""
    with connections[using].cursor() as cursor:
        cursor.execute(_EVENT_TYPES_SQL, [tenant.pk, SUGGESTION_SAMPLE, EVENT_TYPE_LIMIT])
        return [row[0] for row in cursor.fetchall()]


def _json_path(name: str) -> str:
    return '$."' + name + '"'


def value_suggestions(*, tenant: Tenant, field: str, name: str = "", using: str = "default") -> list[tuple[str, int]]:
    """The most common values of one attribute or demographic field among a bounded sample of the tenant's
    endpoints, with how often each occurs there (one query on PostgreSQL or SQLite; `Channel` needs none)."""
    if field == "Channel":
        return [(value, 0) for value in ChannelType.values]
    vendor = connections[using].vendor
    if field in VALUE_COLUMNS:
        sql = _COLUMN_SQL.format(column=VALUE_COLUMNS[field])
        params: list[str | int] = [tenant.pk, SUGGESTION_SAMPLE, SUGGESTION_LIMIT]
    elif field in LIST_COLUMNS and name and vendor in _LIST_SQL and not (vendor == "sqlite" and '"' in name):
        # (SQLite's JSON paths cannot quote a name holding a double quote: no suggestions rather than an error.)
        sql = _LIST_SQL[vendor].format(column=LIST_COLUMNS[field])
        params = (
            [name, tenant.pk, SUGGESTION_SAMPLE, SUGGESTION_LIMIT]
            if vendor == "postgresql"
            else [tenant.pk, SUGGESTION_SAMPLE, _json_path(name), SUGGESTION_LIMIT]
        )
    else:
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return [(str(value), int(count)) for value, count in cursor.fetchall() if value is not None]


def segment_sample(*, tenant: Tenant, definition: Definition, size: int = SAMPLE_SIZE) -> list[Endpoint]:
    """A few endpoints that match the criteria (eligible or not), newest first."""
    members = segment_members(tenant=tenant, definition=definition, eligible_only=False)
    return list(members.order_by("-pk")[:size])


@dataclass(frozen=True)
class GuardedExplanation:
    """Explain's verdicts, with the audience guard evaluated as its own line (None when the guard is off)."""

    explanation: Explanation
    guard: Explanation | None

    @property
    def eligible(self) -> bool:
        return self.explanation.eligible and (self.guard is None or self.guard.in_segment)

    @property
    def receives(self) -> bool:
        return self.explanation.in_segment and self.eligible


def segment_explain_guarded(*, tenant: Tenant, definition: Definition, endpoint: Endpoint) -> GuardedExplanation:
    """Why one endpoint is (not) in a segment: its criteria and eligibility, then the audience guard's criteria."""
    explanation = segment_explain(tenant=tenant, definition=definition, endpoint=endpoint)
    guard = audience_guard_for(tenant=tenant)
    guarded = segment_explain(tenant=tenant, definition=guard, endpoint=endpoint) if guard is not None else None
    return GuardedExplanation(explanation=explanation, guard=guarded)


def audience_guard_of(*, tenant: Tenant) -> AudienceGuard | None:
    """The tenant's audience guard row, on or off (None when it was never set)."""
    return AudienceGuard.objects.filter(tenant=tenant).first()


def segment_choices(*, tenant: Tenant, exclude: Segment | None = None) -> list[tuple[str, str, str]]:
    """(public id, name, kind) of the tenant's segments, by name: the base segments a builder may pick."""
    queryset = Segment.objects.for_tenant(tenant).order_by("name", "id")
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return list(queryset.values_list("public_id", "name", "kind"))


def segment_names(*, tenant: Tenant, public_ids: list[str]) -> dict[str, str]:
    """Names of the tenant's segments among `public_ids` (ids of other tenants simply are not there)."""
    if not public_ids:
        return {}
    return dict(Segment.objects.for_tenant(tenant).filter(public_id__in=public_ids).values_list("public_id", "name"))
