"""The in-app channel: "delivering" is storing the rendered message for the IN_APP endpoint, where the app
fetches it (GET .../endpoints/{id}/in-app-messages/) with its priority, schedule and caps.

Options (Dispatch.message["options"] or a recipient's Options), with the names of Pinpoint's
InAppMessageCampaign: Priority (1 highest … 5, default 3), SessionCap, DailyCap, TotalCap (0 = none) and
Schedule ({EventFilter, QuietTime}; EndDate comes from the dispatch's expiry). Storing is idempotent (one
message per ledger row), so a batch stored twice stores nothing new.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from channels.models import Delivery, InAppMessage
from channels.transports.base import OutboundMessage, SendResult, Transport, transport_register
from engage import clock

DEFAULT_PRIORITY = 3
MAX_CAP = 1_000_000


def _whole(value: Any, default: int, low: int, high: int) -> int:
    """A whole-number option, tolerating strings ("5"); anything else (or out of range) is the default."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return default
    return value


def message_key(message: OutboundMessage) -> str:
    """The CampaignId the app sees (and reports back as the events' campaign_id attribute)."""
    source = message.source
    return (source.get("campaign_id") or source.get("journey_id") or f"inapp-{message.delivery_id}")[:64]


def _schedule(options: dict[str, Any], expires_at: datetime | None) -> dict[str, Any]:
    given = options.get("Schedule")
    schedule: dict[str, Any] = {}
    if isinstance(given, dict):
        schedule = {k: v for k, v in given.items() if k in ("EventFilter", "QuietTime") and isinstance(v, dict)}
    if expires_at is not None:
        schedule["EndDate"] = expires_at.isoformat().replace("+00:00", "Z")
    return schedule


def _row(message: OutboundMessage, tenant_id: int, expires_at: datetime | None, now: datetime) -> InAppMessage:
    options = message.options
    return InAppMessage(
        tenant_id=tenant_id,
        endpoint_id=message.endpoint_id or message.address,
        delivery_id=message.delivery_id,
        message_key=message_key(message),
        campaign_id=message.source.get("campaign_id", ""),
        journey_id=message.source.get("journey_id", ""),
        treatment_id=message.source.get("treatment_id", ""),
        priority=_whole(options.get("Priority"), DEFAULT_PRIORITY, 1, 5),
        content=message.parts,
        schedule=_schedule(options, expires_at),
        created_at=now,
        expires_at=expires_at,
        session_cap=_whole(options.get("SessionCap"), 0, 0, MAX_CAP),
        daily_cap=_whole(options.get("DailyCap"), 0, 0, MAX_CAP),
        total_cap=_whole(options.get("TotalCap"), 0, 0, MAX_CAP),
        updated_at=now,
    )


@transport_register
class InAppTransport(Transport):
    """Stores each message as an InAppMessage of its endpoint; the row id is the provider message id."""

    name = "in_app"
    batch_size = 1000
    idempotent = True  # storing a delivery's message again is a no-op

    def send(self, batch: list[OutboundMessage]) -> list[SendResult]:
        ids = [m.delivery_id for m in batch]
        rows = {
            pk: (tenant_id, expires_at)
            for pk, tenant_id, expires_at in Delivery.objects.filter(pk__in=ids).values_list(
                "pk", "tenant_id", "dispatch__expires_at"
            )
        }
        now = clock.now()
        stored = []
        results = []
        for message in batch:
            if message.delivery_id not in rows:
                results.append(SendResult.failed(message, "the ledger row is gone", status_code=404))
                continue
            tenant_id, expires_at = rows[message.delivery_id]
            stored.append(_row(message, tenant_id, expires_at, now))
            results.append(SendResult.sent(message, provider_message_id=f"inapp-{message.delivery_id}"))
        with transaction.atomic():
            InAppMessage.objects.bulk_create(stored, batch_size=500, ignore_conflicts=True)
        return results
