"""Review recommendations marked as reviewed in the builder, kept on the journey (Journey.reviewed, never in the
definition, which stays the WriteJourneyRequest). A recommendation's key is "<activity>|<field>|<message>", as the
builder shows it. Each mark keeps a fingerprint of the part of the definition it is about: the activity its field
names (links included, Description left out), else the journey's settings (everything but Activities and
descriptions). A material change of that part voids the mark, so the marketer reviews it again; renaming or
describing an activity, or editing another one, does not."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django.db import transaction

from campaigns.journeys.services.review import Issue, journey_review
from campaigns.models import Journey
from engage.errors import Invalid
from engage.tenancy.audit import Actor, audit

_ACTIVITY = re.compile(r"^Activities\.([A-Za-z0-9]+)")
MAX_KEYS = 200


def recommendation_key(issue: Issue) -> str:
    """The key the builder and the store name a recommendation by."""
    return f"{issue.activity or ''}|{issue.field or ''}|{issue.message}"


def _fingerprint(definition: dict[str, Any], field: str) -> str:
    m = _ACTIVITY.match(field)
    if m:
        activity = dict((definition.get("Activities") or {}).get(m.group(1)) or {})
        activity.pop("Description", None)
        part: Any = {"activity": m.group(1), "body": activity}
    else:
        part = {k: v for k, v in definition.items() if k != "Activities"}
        start = dict(part.get("StartCondition") or {})
        start.pop("Description", None)
        part["StartCondition"] = start
    text = json.dumps(part, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _field_of(key: str) -> str:
    parts = key.split("|", 2)
    return parts[1] if len(parts) == 3 else ""


def reviewed_keys(*, journey: Journey) -> list[str]:
    """The recommendations marked as reviewed whose part of the definition has not changed since (sorted)."""
    stored = journey.reviewed if isinstance(journey.reviewed, dict) else {}
    definition = journey.definition or {}
    return sorted(k for k, mark in stored.items() if mark == _fingerprint(definition, _field_of(k)))


@transaction.atomic
def journey_reviewed_set(*, journey: Journey, key: str, reviewed: bool, by: Actor, ip: str | None = None) -> list[str]:
    """Mark (or unmark) one of the journey's current recommendations as reviewed; returns the reviewed keys. Marks
    whose part of the definition changed since are dropped here."""
    journey = Journey.objects.select_for_update(of=("self",)).select_related("tenant").get(pk=journey.pk)
    definition = journey.definition or {}
    if reviewed:
        review = journey_review(tenant=journey.tenant, definition=definition, journey=journey)
        if key not in {recommendation_key(i) for i in review.recommendations}:
            raise Invalid("this recommendation is no longer made for the journey; reload the review", field="key")
    kept = {k: journey.reviewed[k] for k in reviewed_keys(journey=journey) if k != key}
    if reviewed:
        kept[key] = _fingerprint(definition, _field_of(key))
    if len(kept) > MAX_KEYS:
        raise Invalid(f"at most {MAX_KEYS} recommendations can be marked as reviewed", field="key")
    journey.reviewed = kept
    journey.save(update_fields=["reviewed", "updated_at"])
    audit(
        tenant=journey.tenant,
        actor=by,
        action="journey.reviewed" if reviewed else "journey.unreviewed",
        target=journey,
        data={"key": key[:300]},
        ip=ip,
    )
    return sorted(kept)
