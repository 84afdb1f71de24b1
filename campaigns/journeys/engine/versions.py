"""Published definitions by (journey, version number): immutable once published, so each process caches them."""

from __future__ import annotations

from typing import Any

from campaigns.models import Journey, JourneyVersion

# Keyed with created_at too: SQLite may give a deleted journey's id to a new one.
_cache: dict[tuple[int, Any, int], dict[str, Any]] = {}


def version_definition(journey: Journey, number: int) -> dict[str, Any]:
    """The definition participants of this version follow (the journey's own one when no version row was kept)."""
    key = (journey.pk, journey.created_at, number)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    row = JourneyVersion.objects.filter(journey_id=journey.pk, number=number).values_list("definition", flat=True)
    definition = row.first()
    if definition is None:
        return journey.definition or {}
    _cache[key] = definition
    return definition
