"""Segment membership of journey participants: which of a batch's participants (an endpoint, or a user through
any of its endpoints) a segment selects, in one SQL query built by the segments compiler."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet

from campaigns.models import Participant
from engage.tenancy.models import Tenant
from segments.compiler.query import audience_guard_for, segment_members
from segments.definition import Definition, parse_definition
from segments.models import Endpoint


def segment_definition(segment_id: str, version: int | None = None) -> Definition:
    """A definition that selects one segment (at a pinned version when given), as campaign_members builds it."""
    ref: dict[str, Any] = {"Id": segment_id}
    if version:
        ref["Version"] = version
    return parse_definition({"SegmentGroups": {"Groups": [{"SourceSegments": [ref]}]}})


def members(*, tenant: Tenant, definition: Definition, guarded: bool = True) -> QuerySet[Endpoint]:
    """The endpoints a definition selects (eligible ones; within the audience guard unless `guarded` is off)."""
    guard = audience_guard_for(tenant=tenant) if guarded else None
    return segment_members(tenant=tenant, definition=definition, guard=guard)


def participants_in(*, tenant: Tenant, definition: Definition, participants: Sequence[Participant]) -> set[str]:
    """The keys of the participants the definition selects: a user is in when any of its endpoints is."""
    endpoints = {p.key for p in participants if p.kind == Participant.Kind.ENDPOINT}
    users = {p.key for p in participants if p.kind == Participant.Kind.USER}
    if not endpoints and not users:
        return set()
    rows = (
        members(tenant=tenant, definition=definition, guarded=False)
        .filter(Q(endpoint_id__in=sorted(endpoints)) | Q(user_id__in=sorted(users)))
        .values_list("endpoint_id", "user_id")
    )
    found: set[str] = set()
    for endpoint_id, user_id in rows:
        if endpoint_id in endpoints:
            found.add(endpoint_id)
        if user_id and user_id in users:
            found.add(user_id)
    return found
