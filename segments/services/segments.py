"""Writes to segments: create, update (a new version each time), copy, delete (refused while in use),
and the tenant's audience guard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from engage import clock
from engage.errors import Conflict, Invalid
from engage.tenancy.audit import Actor, audit
from engage.tenancy.models import Tenant
from segments.compiler.query import segment_compile
from segments.definition import parse_definition
from segments.definition_json import definition_json
from segments.models import AudienceGuard, Segment, SegmentVersion

# Campaigns and journeys (higher layers) register who uses a segment; segments never imports them.
UsageChecker = Callable[[Segment], list[str]]
_usage_checkers: list[UsageChecker] = []


def segment_usage_register(checker: UsageChecker) -> UsageChecker:
    """Register a function returning descriptions of active things that use a segment."""
    if checker not in _usage_checkers:
        _usage_checkers.append(checker)
    return checker


def segment_usages(*, segment: Segment) -> list[str]:
    return [use for checker in _usage_checkers for use in checker(segment)]


def _name(value: Any) -> str:
    name = (value or "").strip() if isinstance(value, str) else ""
    if not name:
        raise Invalid("give the segment a name", field="Name")
    if len(name) > 255:
        raise Invalid("the name is longer than 255 characters", field="Name")
    return name


def _checked_definition(tenant: Tenant, body: dict[str, Any], *, self_id: str | None = None) -> dict[str, Any]:
    """Parse, resolve source segments inside the tenant (compiling once catches cycles), and rebuild the JSON."""
    definition = parse_definition(body)
    for group in definition.groups:
        if self_id and any(s.id == self_id for s in group.sources):
            raise Invalid("a segment cannot use itself as a base segment", field="SegmentGroups.SourceSegments")
    segment_compile(tenant=tenant, definition=definition)
    return definition_json(definition)


def _tags(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise Invalid("tags must be an object of string → string", field="tags")
    return dict(value)


@transaction.atomic
def segment_create(*, tenant: Tenant, body: dict[str, Any], by: Actor) -> Segment:
    """Create a dynamic segment from a WriteSegmentRequest (Name, Dimensions or SegmentGroups, tags)."""
    definition = _checked_definition(tenant, body)
    segment = Segment.objects.create(
        tenant=tenant,
        name=_name(body.get("Name")),
        kind=Segment.Kind.DIMENSIONAL,
        definition=definition,
        tags=_tags(body.get("tags")),
    )
    SegmentVersion.objects.create(segment=segment, version=1, definition=definition, created_at=clock.now())
    audit(tenant=tenant, actor=by, action="segment.create", target=segment, data={"name": segment.name})
    return segment


@transaction.atomic
def segment_update(*, segment: Segment, body: dict[str, Any], by: Actor) -> Segment:
    """Change a segment's name, definition or tags; a changed definition becomes a new version."""
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    if "Name" in body:
        segment.name = _name(body["Name"])
    if "tags" in body:
        segment.tags = _tags(body["tags"])
    if "Dimensions" in body or "SegmentGroups" in body:
        if segment.kind == Segment.Kind.IMPORT:
            raise Invalid(
                "an imported segment's members come from its file; refine it with a new segment that "
                "uses it as a base segment",
                field="SegmentGroups",
            )
        definition = _checked_definition(segment.tenant, body, self_id=segment.public_id)
        if definition != segment.definition:
            segment.definition = definition
            segment.version += 1
            SegmentVersion.objects.create(
                segment=segment, version=segment.version, definition=definition, created_at=clock.now()
            )
    segment.save()
    audit(tenant=segment.tenant, actor=by, action="segment.update", target=segment, data={"version": segment.version})
    return segment


@transaction.atomic
def segment_copy(*, segment: Segment, name: str, by: Actor) -> Segment:
    """A new dynamic segment with the same definition (an imported one becomes its base segment)."""
    if segment.kind == Segment.Kind.IMPORT:
        body: dict[str, Any] = {
            "SegmentGroups": {
                "Include": "ALL",
                "Groups": [
                    {
                        "Type": "ALL",
                        "SourceType": "ANY",
                        "SourceSegments": [{"Id": segment.public_id}],
                        "Dimensions": [],
                    }
                ],
            }
        }
    else:
        body = dict(segment.definition)
    return segment_create(tenant=segment.tenant, body={**body, "Name": name, "tags": segment.tags}, by=by)


@transaction.atomic
def segment_delete(*, segment: Segment, by: Actor, ip: str | None = None) -> None:
    """Delete a segment nothing active uses (campaigns and journeys that target it would fail)."""
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    uses = segment_usages(segment=segment)
    bases = (
        Segment.objects.for_tenant(segment.tenant)
        .exclude(pk=segment.pk)
        .filter(definition__icontains=segment.public_id)
    )
    uses += [f"segment “{s.name}” (as a base segment)" for s in bases]
    if AudienceGuard.objects.filter(tenant=segment.tenant, definition__icontains=segment.public_id).exists():
        uses.append("the audience guard")
    if uses:
        raise Conflict(f"“{segment.name}” is in use by {', '.join(uses)}; stop or change those first")
    audit(
        tenant=segment.tenant,
        actor=by,
        action="segment.delete",
        target=segment,
        data={"name": segment.name, "kind": segment.kind},
        ip=ip,
    )
    segment.delete()


@transaction.atomic
def audience_guard_set(*, tenant: Tenant, enabled: bool, body: dict[str, Any], by: Actor) -> AudienceGuard:
    """Set the tenant's audience guard (e.g. only real users active in the last 30 days)."""
    definition = _checked_definition(tenant, body)
    if enabled and not definition:
        raise Invalid("an enabled audience guard needs at least one criterion", field="Dimensions")
    guard, _ = AudienceGuard.objects.select_for_update().get_or_create(tenant=tenant)
    before = {"enabled": guard.enabled, "definition": guard.definition}
    guard.enabled, guard.definition = enabled, definition
    guard.save()
    audit(
        tenant=tenant,
        actor=by,
        action="audience_guard.set",
        target=None,
        data={"before": before, "after": {"enabled": enabled, "definition": definition}},
    )
    return guard
