"""Queries built from compiled segments: members (one SQL query), estimate (one query), explain (one query)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db import connections, transaction
from django.db.models import BooleanField, Count, QuerySet
from django.db.models.expressions import RawSQL

from engage import clock
from engage.errors import Invalid
from engage.tenancy.models import Tenant
from segments.compiler.compile import SegmentCompiler, SourceResolver, SourceSegment, eligibility
from segments.compiler.tree import Expr, Leaf, and_, evaluate, leaves, render, verdict_leaves
from segments.definition import Definition, SourceRef, parse_definition
from segments.models import AudienceGuard, Endpoint, Segment, SegmentVersion


def source_resolver(tenant: Tenant, using: str = "default") -> SourceResolver:
    """Resolve SourceSegments inside the tenant only: another tenant's id is a validation error."""

    def resolve(ref: SourceRef) -> SourceSegment:
        segment = Segment.objects.using(using).filter(tenant_id=tenant.pk, public_id=ref.id).first()
        if segment is None:
            raise Invalid(f"segment {ref.id} does not exist in this tenant", field="SegmentGroups.SourceSegments")
        if segment.kind == Segment.Kind.IMPORT:
            return SourceSegment(segment.public_id, segment.pk, segment.kind, None)
        data = segment.definition
        if ref.version is not None and ref.version != segment.version:
            stored = SegmentVersion.objects.using(using).filter(segment=segment, version=ref.version).first()
            if stored is None:
                raise Invalid(f"segment {ref.id} has no version {ref.version}", field="SegmentGroups.SourceSegments")
            data = stored.definition
        return SourceSegment(segment.public_id, segment.pk, segment.kind, parse_definition(data))

    return resolve


@dataclass
class Compiled:
    criteria: Expr
    eligible: Expr
    vendor: str

    def where(self, *, eligible_only: bool) -> RawSQL:
        expr = and_([self.criteria, self.eligible]) if eligible_only else self.criteria
        sql, params = render(expr)
        return RawSQL(sql, params, output_field=BooleanField())


def segment_compile(
    *,
    tenant: Tenant,
    definition: Definition,
    now: datetime | None = None,
    using: str = "default",
    guard: Definition | None = None,
) -> Compiled:
    """Compile a definition for this tenant's database vendor; `guard` (the audience guard) joins eligibility."""
    vendor = connections[using].vendor
    compiler = SegmentCompiler(vendor=vendor, now=now or clock.now(), resolve=source_resolver(tenant, using))
    eligible = eligibility(vendor=vendor)
    if guard is not None:
        eligible = and_([eligible, and_([compiler.compile(guard)], "audience guard")], "eligible")
    return Compiled(criteria=compiler.compile(definition), eligible=eligible, vendor=vendor)


def audience_guard_for(*, tenant: Tenant, using: str = "default") -> Definition | None:
    """The tenant's audience guard when it is on, else None."""
    guard = AudienceGuard.objects.using(using).filter(tenant_id=tenant.pk, enabled=True).first()
    return parse_definition(guard.definition) if guard is not None and guard.definition else None


def segment_members(
    *,
    tenant: Tenant,
    definition: Definition,
    eligible_only: bool = True,
    using: str = "default",
    now: datetime | None = None,
    guard: Definition | None = None,
) -> QuerySet[Endpoint]:
    """The endpoints the definition selects, as one SQL query (order by id for keyset pages)."""
    compiled = segment_compile(tenant=tenant, definition=definition, using=using, now=now, guard=guard)
    return Endpoint.objects.using(using).filter(tenant_id=tenant.pk).filter(compiled.where(eligible_only=eligible_only))


def segment_member_ids(
    *,
    tenant: Tenant,
    definition: Definition,
    guard: Definition | None = None,
    chunk_size: int = 50_000,
    using: str = "default",
    now: datetime | None = None,
) -> Iterator[list[str]]:
    """Every member's endpoint id, in chunks, from one query (a server-side cursor on PostgreSQL)."""
    queryset = segment_members(tenant=tenant, definition=definition, guard=guard, using=using, now=now)
    ids = queryset.order_by().values_list("endpoint_id", flat=True)
    connection = connections[using]
    if connection.vendor != "postgresql":
        chunk: list[str] = []
        for endpoint_id in ids.iterator(chunk_size=chunk_size):
            chunk.append(endpoint_id)
            if len(chunk) == chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk
        return
    sql, params = ids.query.sql_with_params()
    with transaction.atomic(using=using):
        connection.ensure_connection()
        with connection.connection.cursor(name=f"segment_{uuid.uuid4().hex}") as cursor:
            cursor.itersize = chunk_size
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(chunk_size):
                yield [row[0] for row in rows]


@dataclass(frozen=True)
class Estimate:
    eligible: int
    total: int
    eligible_before_guard: int


def segment_estimate(
    *,
    tenant: Tenant,
    definition: Definition,
    using: str = "default",
    now: datetime | None = None,
    guard: Definition | None = None,
) -> Estimate:
    """Exact total, eligible, and eligible-after-the-audience-guard counts in one query."""
    compiled = segment_compile(tenant=tenant, definition=definition, using=using, now=now, guard=guard)
    plain = segment_compile(tenant=tenant, definition=Definition(), using=using, now=now).eligible
    counts = (
        Endpoint.objects.using(using)
        .filter(tenant_id=tenant.pk)
        .filter(compiled.where(eligible_only=False))
        .aggregate(
            total=Count("id"),
            eligible=Count("id", filter=RawSQL(*render(compiled.eligible), output_field=BooleanField())),
            before=Count("id", filter=RawSQL(*render(plain), output_field=BooleanField())),
        )
    )
    return Estimate(eligible=counts["eligible"], total=counts["total"], eligible_before_guard=counts["before"])


@dataclass(frozen=True)
class Verdict:
    label: str
    matched: bool


@dataclass(frozen=True)
class Explanation:
    in_segment: bool
    eligible: bool
    criteria: list[Verdict]
    eligibility: list[Verdict]


def segment_explain(
    *,
    tenant: Tenant,
    definition: Definition,
    endpoint: Endpoint,
    using: str = "default",
    now: datetime | None = None,
    guard: Definition | None = None,
) -> Explanation:
    """Which criteria one endpoint meets and fails: one boolean column per criterion, in one query."""
    compiled = segment_compile(tenant=tenant, definition=definition, using=using, now=now, guard=guard)
    crit, elig = leaves(compiled.criteria), leaves(compiled.eligible)
    all_leaves: list[Leaf] = crit + elig
    annotations = {}
    for index, leaf in enumerate(all_leaves):
        leaf.index = index
        sql, params = render(leaf)
        annotations[f"c{index}"] = RawSQL(sql, params, output_field=BooleanField())
    whole_sql, whole_params = render(compiled.criteria)
    annotations["whole"] = RawSQL(whole_sql, whole_params, output_field=BooleanField())
    row = (
        Endpoint.objects.using(using)
        .filter(pk=endpoint.pk, tenant_id=tenant.pk)
        .annotate(**annotations)
        .values(*annotations.keys())
        .first()
    )
    if row is None:
        raise Invalid("the endpoint is not in this tenant", field="endpoint_id")
    values = [bool(row[f"c{i}"]) for i in range(len(all_leaves))]
    in_segment = evaluate(compiled.criteria, values)
    if in_segment != bool(row["whole"]):  # the Python verdict must equal SQL's; a mismatch is a compiler bug
        raise AssertionError("segment explain disagrees with segment membership")
    return Explanation(
        in_segment=in_segment,
        eligible=evaluate(compiled.eligible, values),
        criteria=[Verdict(label, values[leaf.index] != neg) for leaf, neg, label in verdict_leaves(compiled.criteria)],
        eligibility=[
            Verdict(label, values[leaf.index] != neg) for leaf, neg, label in verdict_leaves(compiled.eligible)
        ],
    )
