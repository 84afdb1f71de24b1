"""A journey leaves ACTIVE for CLOSED once no more entries can happen (past ends_at; a segment entry with no
refresh after its pass — with RefreshOnSegmentUpdate, once nobody is left waiting), and CLOSED for COMPLETED when
no participant is left waiting."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from campaigns.journeys.engine.entry import refresh_settings
from campaigns.journeys.engine.triggers import journey_triggers_bump
from campaigns.journeys.engine.versions import version_definition
from campaigns.models import Journey, Participant


def _waiting() -> Exists:
    return Exists(Participant.objects.filter(journey=OuterRef("pk"), state=Participant.State.WAITING))


@transaction.atomic
def journeys_close(*, now: datetime) -> int:
    """Close the active journeys that can take no more entries; returns how many closed."""
    active = Journey.objects.filter(state=Journey.State.ACTIVE)
    ended = list(active.filter(ends_at__lte=now).values_list("pk", "tenant_id", "entry_event"))
    done_entering = active.filter(entry_event="").filter(
        Q(refreshes__gte=1, next_entry_at__isnull=True) | Q(segment__isnull=True, starts_at__lte=now)
    )
    for journey in done_entering.annotate(waiting=_waiting()).only("pk", "tenant_id", "version", "definition"):
        on_update = refresh_settings(version_definition(journey, journey.version)).on_update
        if journey.segment_id is not None and on_update and journey.waiting:  # type: ignore[attr-defined]
            continue  # segment changes still enter while the journey is processing its participants
        ended.append((journey.pk, journey.tenant_id, ""))
    if not ended:
        return 0
    closed = Journey.objects.filter(pk__in=[pk for pk, _, _ in ended], state=Journey.State.ACTIVE).update(
        state=Journey.State.CLOSED, next_entry_at=None, updated_at=now
    )
    for tenant_id in {tenant_id for _, tenant_id, event in ended if event}:
        journey_triggers_bump(tenant_id=tenant_id)
    return closed


def journeys_complete(*, now: datetime) -> int:
    """Closed journeys with nobody left waiting become COMPLETED; returns how many."""
    return (
        Journey.objects.filter(state=Journey.State.CLOSED)
        .exclude(_waiting())
        .update(state=Journey.State.COMPLETED, updated_at=now)
    )
