"""What happens to a message after it was sent — provider feedback and engagement — applied to its ledger row.

Finding the row (by the provider's message id within the tenant), moving its status once (a conditional UPDATE,
so a notification delivered twice changes nothing twice) and recording Pinpoint's events for it (`_email.open`,
`_email.delivered`, `_SMS.SUCCESS`...) with the same source attributes as the send events.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from channels.models import Delivery, Source, Status
from engage.events.services import SystemEvent, system_events_record
from engage.redis import redis_client
from engage.tenancy.models import Tenant

# Opens and clicks count once per delivery and clock hour, as Pinpoint counted them.
ONCE_PER_HOUR_TTL = 2 * 3600
AFTER_SEND = (Status.SENT, Status.DELIVERED, Status.UNKNOWN)


def delivery_for_message(
    *, tenant: Tenant, channel: str, provider_message_id: str, delivery_id: Any = None
) -> Delivery | None:
    """The tenant's ledger row of a provider message id; else the row our send tagged the message with
    (`engage_delivery`), as long as the provider has not given that row a different message id."""
    rows = Delivery.objects.for_tenant(tenant).filter(channel=channel).select_related("dispatch")
    if provider_message_id:
        found = rows.filter(provider_message_id=provider_message_id).first()
        if found is not None:
            return found
    text = str(delivery_id or "").strip()
    if not text.isdigit():
        return None
    found = rows.filter(pk=int(text)).first()
    if found is not None and found.provider_message_id not in ("", provider_message_id):
        return None
    return found


def delivery_status_move(
    *,
    delivery: Delivery,
    to: str,
    now: datetime,
    from_statuses: Iterable[str] = AFTER_SEND,
    reason: str = "",
    message: str = "",
) -> bool:
    """Move the row to `to` if it is in one of `from_statuses`; True when it moved (only the first report does)."""
    changes: dict[str, Any] = {"status": to, "updated_at": now}
    if to == Status.DELIVERED:
        changes["delivered_at"] = now
    else:
        changes.update(reason=reason, status_message=message[:2000])
    moved = (
        Delivery.objects.filter(pk=delivery.pk, tenant_id=delivery.tenant_id, status__in=list(from_statuses))
        .exclude(status=to)
        .update(**changes)
    )
    if moved:
        for name, value in changes.items():
            setattr(delivery, name, value)
    return bool(moved)


def once_per_hour(*, kind: str, delivery_id: int, now: datetime) -> bool:
    """True the first time `kind` is reported for the delivery in this clock hour (Redis SET NX with expiry)."""
    key = f"engage:engagement:{kind}:{delivery_id}:{now:%Y%m%d%H}"
    return bool(redis_client().set(key, "1", nx=True, ex=ONCE_PER_HOUR_TTL))


def source_attributes(delivery: Delivery) -> dict[str, str]:
    """campaign_id / treatment_id or journey_id / journey_activity_id of the send, as its send events had them."""
    dispatch = delivery.dispatch
    if dispatch.source == Source.CAMPAIGN:
        return {
            "campaign_id": dispatch.campaign_id,
            "campaign_activity_id": dispatch.run_id,
            "treatment_id": dispatch.treatment_id or "0",
        }
    if dispatch.source == Source.JOURNEY:
        return {
            "journey_id": dispatch.journey_id,
            "journey_run_id": dispatch.run_id,
            "journey_activity_id": dispatch.activity_id,
        }
    return {}


def delivery_events_add(
    *,
    delivery: Delivery,
    events: Iterable[tuple[str, dict[str, str], dict[str, float]]],
    now: datetime,
) -> int:
    """Record (event_type, attributes, metrics) for a ledger row; test messages record none (as their sends)."""
    dispatch = delivery.dispatch
    if dispatch.source == Source.TEST:
        return 0
    base = {**source_attributes(delivery), "message_id": delivery.provider_message_id}
    options = (dispatch.message or {}).get("options") or {}
    if delivery.channel == "EMAIL":
        base["destination"] = delivery.address
        if options.get("FromAddress"):
            base["from_address"] = str(options["FromAddress"])
    elif delivery.channel == "SMS":
        base["destination_phone_number"] = delivery.address
    rows = [
        SystemEvent(
            kind,
            delivery.endpoint_id or delivery.address,
            delivery.user_id,
            now,
            {**base, **{k: str(v) for k, v in attributes.items()}},
            metrics,
            dispatch.campaign_id,
            dispatch.journey_id,
            delivery.pk,
        )
        for kind, attributes, metrics in events
    ]
    return system_events_record(tenant=dispatch.tenant, events=rows, arrival=now)
