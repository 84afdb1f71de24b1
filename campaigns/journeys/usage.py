"""Segments and templates that journeys people may still travel through use (active, paused or closed: every
version they may be on), so deleting them is refused while those journeys run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from campaigns.journeys.graph import SEND_KINDS, activity_kind
from campaigns.models import Journey, JourneyVersion

LIVE = (Journey.State.ACTIVE, Journey.State.PAUSED, Journey.State.CLOSED)


def _definitions(tenant_id: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """(journey name, definition) of the draft and every published version of the tenant's live journeys."""
    live = Journey.objects.filter(tenant_id=tenant_id, state__in=LIVE)
    for name, definition in live.values_list("name", "definition"):
        yield name, definition or {}
    versions = JourneyVersion.objects.filter(journey__in=live).values_list("journey__name", "definition")
    for name, definition in versions:
        yield name, definition or {}


def _segment_ids(definition: dict[str, Any]) -> set[str]:
    start = definition.get("StartCondition") or {}
    found = {(start.get(k) or {}).get("SegmentId") for k in ("SegmentStartCondition", "EventStartCondition")}
    for activity in (definition.get("Activities") or {}).values():
        kind = activity_kind(activity)
        body = activity.get(kind) or {}
        conditions = [*((body.get("Condition") or {}).get("Conditions") or [])]
        conditions += [b.get("Condition") or {} for b in body.get("Branches") or [] if isinstance(b, dict)]
        found |= {(c.get("SegmentCondition") or {}).get("SegmentId") for c in conditions if isinstance(c, dict)}
    return {s for s in found if s}


def journey_segment_uses(segment: Any) -> list[str]:
    names = {name for name, d in _definitions(segment.tenant_id) if segment.public_id in _segment_ids(d)}
    return [f"journey “{name}”" for name in sorted(names)]


def journey_template_uses(template: Any) -> list[str]:
    names = set()
    for name, definition in _definitions(template.tenant_id):
        for activity in (definition.get("Activities") or {}).values():
            kind = activity_kind(activity)
            if kind in SEND_KINDS and kind == template.channel and activity[kind].get("TemplateName") == template.name:
                names.add(name)
    return [f"journey “{name}”" for name in sorted(names)]
