"""A journey with participants, counters, ledger rows and engagement events made with the ORM, for the metrics,
participants and Pinpoint tests (they read what the engine writes; they do not run it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from campaigns.models import ActivityCount, Journey, JourneyVersion, Participant
from channels.models import Delivery, Dispatch
from engage import clock
from engage.events.models import Event
from engage.tenancy.models import Tenant

DEFINITION: dict[str, Any] = {
    "StartActivity": "mail",
    "Activities": {
        "mail": {"Description": "Welcome", "EMAIL": {"TemplateName": "welcome", "NextActivity": "wait"}},
        "wait": {"Wait": {"WaitTime": {"WaitFor": "P1D"}, "NextActivity": "opened"}},
        "opened": {
            "ConditionalSplit": {
                "Condition": {"Conditions": [], "Operator": "ALL"},
                "TrueActivity": "hold",
                "FalseActivity": "sms",
            }
        },
        "sms": {"SMS": {"TemplateName": "nudge", "MessageConfig": {"MessageType": "PROMOTIONAL"}}},
        "hold": {"Holdout": {"Percentage": 10, "NextActivity": "dice"}},
        "dice": {
            "RandomSplit": {"Branches": [{"Percentage": 50, "NextActivity": "end"}, {"Percentage": 50}]},
        },
        "end": {"Wait": {"WaitTime": {"WaitFor": "PT1H"}}},
    },
}
COUNTS = {
    "": {"entered": 10, "completed": 3, "exited:holdout": 1, "not_sent:quiet_time": 2, "not_sent:cap": 1,
         "entry_refused:reentry_cap": 4, "tz_estimated": 5, "tz_missing": 1},
    "mail": {"entered": 10, "done": 10, "sent": 7, "not_sent:quiet_time": 2, "not_sent:cap": 1},
    "wait": {"entered": 10, "done": 8, "waiting_done": 7, "wait_date_passed": 1},
    "opened": {"entered": 8, "done": 8, "branch:hold": 5, "branch:sms": 3},
    "sms": {"entered": 3, "done": 3, "sent": 3},
    "hold": {"entered": 5, "done": 5, "branch:holdout": 1, "branch:dice": 4},
    "dice": {"entered": 4, "done": 4, "branch:end": 3, "branch:end1": 1},
}  # fmt: skip


def journey_seed(tenant: Tenant, *, name: str = "Re-engagement") -> Journey:
    """A published journey with the counters above and two participants still waiting at "wait"."""
    now = clock.now()
    journey = Journey.objects.create(
        tenant=tenant, name=name, state=Journey.State.ACTIVE, definition=DEFINITION, version=1, published_at=now,
        starts_at=now, refreshes=2, next_entry_at=now + timedelta(hours=6),
    )  # fmt: skip
    JourneyVersion.objects.create(tenant=tenant, journey=journey, number=1, definition=DEFINITION, published_at=now)
    ActivityCount.objects.bulk_create(
        ActivityCount(tenant=tenant, journey=journey, activity=a, metric=m, count=n)
        for a, metrics in COUNTS.items()
        for m, n in metrics.items()
    )
    for key in ("ep-w1", "ep-w2"):
        participant_add(journey, key, activity="wait", wake_at=now + timedelta(hours=20))
    return journey


def participant_add(journey: Journey, key: str, **fields: Any) -> Participant:
    now = clock.now()
    values: dict[str, Any] = {"version": 1, "activity": "mail", "entered_at": now, "updated_at": now} | fields
    return Participant.objects.create(tenant=journey.tenant, journey=journey, key=key, **values)


def dispatch_add(journey: Journey, activity: str, channel: str) -> Dispatch:
    return Dispatch.objects.create(
        tenant=journey.tenant, channel=channel, provider="sandbox", source="journey", journey_id=str(journey.pk),
        activity_id=activity, created_at=clock.now(),
    )  # fmt: skip


def delivery_add(dispatch: Dispatch, key: str, status: str, *, reason: str = "", **fields: Any) -> Delivery:
    now = clock.now()
    values: dict[str, Any] = {"queued_at": now, "updated_at": now, "sent_at": now if status in ("sent", "delivered")
                              else None} | fields  # fmt: skip
    return Delivery.objects.create(
        tenant=dispatch.tenant, dispatch=dispatch, key=key, channel=dispatch.channel, status=status, reason=reason,
        **values,
    )  # fmt: skip


def event_add(delivery: Delivery, event_type: str, at: datetime) -> Event:
    return Event.objects.create(
        tenant=delivery.tenant, event_type=event_type, endpoint_id=delivery.endpoint_id, timestamp=at, arrival=at,
        attributes={"journey_id": delivery.dispatch.journey_id, "journey_activity_id": delivery.dispatch.activity_id},
        journey_id=delivery.dispatch.journey_id, delivery_id=delivery.pk,
    )  # fmt: skip


def ledger_seed(journey: Journey) -> dict[str, Delivery]:
    """Email: 3 sent (2 delivered), 1 failed hard; opens 8:30 + 8:45 + 9:05 on one message, a click, a bounce.
    SMS: 2 sent at 645 millicents each, 1 failed."""
    mail, sms = dispatch_add(journey, "mail", "EMAIL"), dispatch_add(journey, "sms", "SMS")
    # Participant ids in the keys name no seeded participant: these rows are the activity totals only.
    j = journey.pk
    rows = {
        "m1": delivery_add(mail, f"j{j}:1000000001:mail", "delivered", endpoint_id="ep1", address="a@example.com"),
        "m2": delivery_add(mail, f"j{j}:1000000002:mail", "delivered", endpoint_id="ep2", address="b@example.com"),
        "m3": delivery_add(mail, f"j{j}:1000000003:mail", "sent", endpoint_id="ep3", address="c@example.com"),
        "m4": delivery_add(mail, f"j{j}:1000000004:mail", "failed", reason="provider_rejected", endpoint_id="ep4"),
        "s1": delivery_add(sms, f"j{j}:1000000005:sms", "sent", endpoint_id="ep5", parts=1, price_millicents=645),
        "s2": delivery_add(sms, f"j{j}:1000000006:sms", "delivered", endpoint_id="ep6", parts=1, price_millicents=645),
        "s3": delivery_add(sms, f"j{j}:1000000007:sms", "failed", reason="provider_error", endpoint_id="ep7"),
    }
    base = clock.now().replace(hour=8, minute=0, second=0, microsecond=0) - timedelta(days=1)
    for minutes in (30, 45, 65):
        event_add(rows["m1"], "_email.open", base + timedelta(minutes=minutes))
    event_add(rows["m2"], "_email.open", base + timedelta(minutes=40))
    event_add(rows["m1"], "_email.click", base + timedelta(minutes=50))
    event_add(rows["m3"], "_email.hardbounce", base + timedelta(minutes=5))
    event_add(rows["s2"], "_SMS.SUCCESS", base + timedelta(minutes=1))
    return rows
