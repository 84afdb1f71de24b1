"""Segments: CreateSegment, GetSegments, GetSegment, UpdateSegment, DeleteSegment, GetSegmentVersions,
GetSegmentVersion. Bodies are WriteSegmentRequest (legacy Dimensions or SegmentGroups) as the segments app
already speaks them; answers are rebuilt from the model."""

from __future__ import annotations

from typing import Any

from engage.errors import Invalid, NotFound
from engage.pinpoint.pages import page
from engage.pinpoint.registry import Call, operation
from engage.tenancy.models import Capability
from segments.models import Segment, SegmentVersion
from segments.segment_json import iso, segment_to_pinpoint
from segments.segment_selectors import segment_for_tenant, segments_search
from segments.services.segments import segment_create, segment_delete, segment_update


def segment_of(call: Call) -> Segment:
    """The path's segment, inside the caller's application only."""
    segment_id = call.params["SegmentId"]
    segment = segment_for_tenant(tenant=call.tenant, public_id=segment_id)
    if segment is None:
        raise NotFound(f"Segment {segment_id} not found")
    return segment


def _json(call: Call, segment: Segment) -> dict[str, Any]:
    return segment_to_pinpoint(segment, application_id=call.application_id)


def _version_json(call: Call, segment: Segment, version: SegmentVersion) -> dict[str, Any]:
    """The segment as it was at one version: its definition then, the rest as it is now."""
    base = {k: v for k, v in _json(call, segment).items() if k not in ("Dimensions", "SegmentGroups")}
    if segment.kind == Segment.Kind.DIMENSIONAL:
        base.update(version.definition or {})
    return {**base, "Version": version.version, "LastModifiedDate": iso(version.created_at)}


@operation("CreateSegment", capability=Capability.EDIT)
def create_segment(call: Call) -> dict[str, Any]:
    return _json(call, segment_create(tenant=call.tenant, body=call.body, by=call.key))


@operation("GetSegments", capability=Capability.VIEW)
def get_segments(call: Call) -> dict[str, Any]:
    """The application's segments, newest first (a stable order, so pages do not shift as segments change)."""
    rows = segments_search(tenant=call.tenant).order_by("-created_at", "-id")
    return page(rows, params=call.params, render=lambda s: _json(call, s))


@operation("GetSegment", capability=Capability.VIEW)
def get_segment(call: Call) -> dict[str, Any]:
    return _json(call, segment_of(call))


@operation("UpdateSegment", capability=Capability.EDIT)
def update_segment(call: Call) -> dict[str, Any]:
    """Change the name, definition or tags; a changed definition is a new version."""
    return _json(call, segment_update(segment=segment_of(call), body=call.body, by=call.key))


@operation("DeleteSegment", capability=Capability.EDIT)
def delete_segment(call: Call) -> dict[str, Any]:
    """Delete a segment nothing active uses (ConflictException otherwise); answer with what it was."""
    segment = segment_of(call)
    answer = _json(call, segment)
    segment_delete(segment=segment, by=call.key, ip=call.ip)
    return answer


def _versions(segment: Segment) -> list[SegmentVersion]:
    stored = list(segment.versions.all())
    if stored:
        return stored
    # Imported segments have no stored versions: their one version is the segment itself.
    return [SegmentVersion(segment=segment, version=segment.version, created_at=segment.updated_at)]


@operation("GetSegmentVersions", capability=Capability.VIEW)
def get_segment_versions(call: Call) -> dict[str, Any]:
    """Every version of the segment's definition, newest first."""
    segment = segment_of(call)
    return page(_versions(segment), params=call.params, render=lambda v: _version_json(call, segment, v))


@operation("GetSegmentVersion", capability=Capability.VIEW)
def get_segment_version(call: Call) -> dict[str, Any]:
    segment = segment_of(call)
    text = str(call.params["Version"])
    if not text.isdigit():
        raise Invalid("Version must be a whole number such as 2", field="Version")
    found = next((v for v in _versions(segment) if v.version == int(text)), None)
    if found is None:
        raise NotFound(f"Segment {segment.public_id} has no version {text}")
    return _version_json(call, segment, found)
