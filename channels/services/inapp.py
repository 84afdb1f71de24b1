"""Display, click and dismiss of in-app messages, reported by the app as events, raise the counts its caps read.

The app sends `_inapp.message_displayed` / `_inapp.message_clicked` / `_inapp.message_dismissed` through
PutEvents with the message's CampaignId as the `campaign_id` attribute (as Amplify's in-app messaging does)
and its session; this trigger handler (registered in channels/apps.py) counts them on the endpoint's newest
message of that campaign.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction

from channels.models import InAppMessage
from engage import clock
from engage.events.models import Event
from engage.tenancy.models import Tenant

DISPLAYED = "_inapp.message_displayed"
CLICKED = "_inapp.message_clicked"
DISMISSED = "_inapp.message_dismissed"
COUNTERS = {DISPLAYED: "displayed_count", CLICKED: "clicked_count", DISMISSED: "dismissed_count"}
FIELDS = [*COUNTERS.values(), "session_id", "session_count", "day", "day_count", "updated_at"]


def _count_display(message: InAppMessage, event: Event) -> None:
    """Session: the latest session seen (another session starts over at 1). Day: the event's UTC day (a display
    reported late for an earlier day than the latest one seen counts only in the totals)."""
    session = str((event.session or {}).get("Id") or "")[:256]
    if session:
        if session == message.session_id:
            message.session_count += 1
        else:
            message.session_id, message.session_count = session, 1
    day: date = event.timestamp.date() if event.timestamp is not None else clock.now().date()
    if message.day is None or day > message.day:
        message.day, message.day_count = day, 1
    elif day == message.day:
        message.day_count += 1


@transaction.atomic
def inapp_events_apply(*, tenant: Tenant, events: Sequence[Event]) -> int:
    """Count the in-app events of a batch on their messages; returns how many events matched a message."""
    relevant = [e for e in events if e.event_type in COUNTERS and e.attributes.get("campaign_id") and e.endpoint_id]
    if not relevant:
        return 0
    endpoints = {e.endpoint_id for e in relevant}
    keys = {str(e.attributes["campaign_id"])[:64] for e in relevant}
    rows = (
        InAppMessage.objects.for_tenant(tenant)
        .filter(endpoint_id__in=endpoints, message_key__in=keys)
        .order_by("-created_at", "-id")
        .select_for_update()
    )
    newest: dict[tuple[str, str], InAppMessage] = {}
    for row in rows:
        newest.setdefault((row.endpoint_id, row.message_key), row)
    changed: dict[int, InAppMessage] = {}
    now = clock.now()
    for event in sorted(relevant, key=lambda e: e.timestamp):
        message = newest.get((event.endpoint_id, str(event.attributes["campaign_id"])[:64]))
        if message is None:
            continue
        counter = COUNTERS[event.event_type]
        setattr(message, counter, getattr(message, counter) + 1)
        if event.event_type == DISPLAYED:
            _count_display(message, event)
        message.updated_at = now
        changed[message.pk] = message
    InAppMessage.objects.bulk_update(list(changed.values()), FIELDS, batch_size=500)
    return sum(1 for e in relevant if (e.endpoint_id, str(e.attributes["campaign_id"])[:64]) in newest)


def inapp_trigger(tenant: Tenant, events: Sequence[Event]) -> None:
    """The trigger handler ingestion calls after events commit."""
    inapp_events_apply(tenant=tenant, events=events)
