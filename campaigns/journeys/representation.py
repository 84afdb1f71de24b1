"""A journey as the APIs answer it: Pinpoint's JourneyResponse (the definition as written plus Id, ApplicationId,
Name, State, dates and tags), and Engage's own lower-case members that a Pinpoint client ignores."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from campaigns.journeys.definition_fields import utc_text
from campaigns.models import Journey


def _iso(value: datetime | None) -> str | None:
    return utc_text(value) if value is not None else None


def journey_json(journey: Journey, *, definition: dict[str, Any] | None = None) -> dict[str, Any]:
    """JourneyResponse of the journey's draft (or of `definition`, e.g. a published version's)."""
    body = copy.deepcopy(journey.definition if definition is None else definition)
    return {
        **body,
        "Id": str(journey.pk),
        "ApplicationId": journey.tenant.public_id,
        "Name": journey.name,
        "State": journey.state,
        "CreationDate": _iso(journey.created_at),
        "LastModifiedDate": _iso(journey.updated_at),
        "tags": dict(journey.tags or {}),
        "id": journey.pk,
        "version": journey.version,
        "test_of": journey.test_of_id,
        "test_wait": journey.test_wait or None,
        "test_wait_seconds": journey.test_wait_seconds,
        "starts_at": _iso(journey.starts_at),
        "ends_at": _iso(journey.ends_at),
        "published_at": _iso(journey.published_at),
        "paused_at": _iso(journey.paused_at),
        "resume_at": _iso(journey.resume_at),
    }
