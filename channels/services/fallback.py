"""Channel fallback (the push → email → SMS re-engagement flow).

A dispatch may name the dispatch of its next hop. A recipient moves to the next hop when their user has no
usable endpoint on this hop's channel, when the send fails permanently or is refused for the address (opt-out,
suppression, no consent), or when a hard bounce or a partner failure arrives within the fallback window. Each
hop is its own ledger row with reason `fallback`, keyed after the row it replaces, so falling back twice for
the same row plans nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import transaction

from channels.models import Delivery, Dispatch, Reason, Status
from channels.services.caps import CapRequest, caps_load, caps_reserve
from channels.services.dispatch import Recipient, deliveries_enqueue
from engage import clock
from segments.models.endpoint import PUSH_CHANNELS
from segments.selectors import endpoint_rows_by_ids, usable_endpoints_of_users
from templates.models import Channel

# Endpoint channel types that can receive each channel's messages.
ENDPOINT_TYPES: dict[str, frozenset[str]] = {
    Channel.EMAIL: frozenset({"EMAIL"}),
    Channel.SMS: frozenset({"SMS"}),
    Channel.VOICE: frozenset({"VOICE", "SMS"}),
    Channel.PUSH: frozenset(PUSH_CHANNELS),
    Channel.CUSTOM: frozenset({"CUSTOM"}),
    Channel.INAPP: frozenset({"IN_APP"}),
    Channel.ALIMTALK: frozenset({"SMS"}),
}

# Outcomes after which the recipient is tried on the next channel.
FALLBACK_AFTER = {
    (Status.FAILED, Reason.PROVIDER_REJECTED),
    (Status.FAILED, Reason.RENDERING_FAILURE),
    (Status.SKIPPED, Reason.OPT_OUT),
    (Status.SKIPPED, Reason.INACTIVE),
    (Status.SKIPPED, Reason.NO_ADDRESS),
    (Status.SKIPPED, Reason.SUPPRESSED),
    (Status.SKIPPED, Reason.NO_CONSENT),
}


@dataclass(frozen=True)
class Hop:
    """A recipient leaving one hop: the row's key and delivery id, and whose messages they are."""

    key: str
    delivery_id: int | None
    user_id: str
    endpoint_id: str = ""


def dispatch_fallback_set(*, dispatch: Dispatch, to: Dispatch, window: timedelta = timedelta(hours=1)) -> None:
    """Make `to` the next hop of `dispatch` (same tenant, another channel)."""
    if to.tenant_id != dispatch.tenant_id or to.pk == dispatch.pk:
        raise ValueError("a fallback hop is another dispatch of the same tenant")
    dispatch.fallback = to
    dispatch.fallback_window = window
    dispatch.save(update_fields=["fallback", "fallback_window"])


def _with_users(tenant_id: int, hops: Sequence[Hop]) -> list[Hop]:
    missing = [h.endpoint_id for h in hops if not h.user_id and h.endpoint_id]
    owners = {e: row.user_id for e, row in endpoint_rows_by_ids(tenant_id=tenant_id, endpoint_ids=missing).items()}
    out = []
    for h in hops:
        user_id = h.user_id or owners.get(h.endpoint_id, "")
        if user_id:
            out.append(Hop(h.key, h.delivery_id, user_id, h.endpoint_id))
    return out


def deliveries_fall_back(*, dispatch: Dispatch, hops: Sequence[Hop]) -> int:
    """Plan these recipients on the next hop that has a usable endpoint for their user; returns how many rows
    were planned. Recipients without a user id cannot move (a user's endpoints are what a hop chooses from)."""
    pending = _with_users(dispatch.tenant_id, hops)
    hop = dispatch.fallback
    planned = 0
    while hop is not None and pending:
        found = usable_endpoints_of_users(
            tenant_id=dispatch.tenant_id,
            user_ids=sorted({h.user_id for h in pending}),
            channel_types=sorted(ENDPOINT_TYPES.get(hop.channel, frozenset())),
        )
        recipients, still = [], []
        for h in pending:
            endpoint_id = found.get(h.user_id)
            if endpoint_id is None:
                still.append(Hop(f"{h.key}>{hop.pk}", h.delivery_id, h.user_id))
                continue
            context = {"FallbackFrom": h.delivery_id} if h.delivery_id else None
            recipients.append(
                Recipient(
                    key=f"{h.key}>{hop.pk}",
                    endpoint_id=endpoint_id,
                    user_id=h.user_id,
                    context=context,
                    reason=Reason.FALLBACK,
                )
            )
        if recipients:
            with transaction.atomic():  # the reservations stand or fall with the rows
                recipients = _capped(hop, recipients)
                deliveries_enqueue(dispatch=hop, recipients=recipients)
            planned += len(recipients)
        pending, hop = still, hop.fallback
    return planned


def _capped(hop: Dispatch, recipients: list[Recipient]) -> list[Recipient]:
    """Reserve the hop's frequency caps for the endpoints it sends to; refused ones become `cap` skips."""
    caps = caps_load((hop.message or {}).get("caps"))
    if not caps:
        return recipients
    requests = [
        CapRequest(r.key, r.endpoint_id, campaign_id=hop.campaign_id, journey_id=hop.journey_id) for r in recipients
    ]
    granted = caps_reserve(tenant=hop.tenant, requests=requests, caps=caps, now=clock.now())
    return [r if r.key in granted else replace(r, status=Status.SKIPPED, reason=Reason.CAP) for r in recipients]


def delivery_fall_back(*, delivery: Delivery, now: datetime) -> int:
    """A hard bounce or partner failure arrived for a sent message: fall back if it is inside the window."""
    dispatch = delivery.dispatch
    if dispatch.fallback_id is None or delivery.sent_at is None:
        return 0
    if now - delivery.sent_at > dispatch.fallback_window:
        return 0
    hop = Hop(delivery.key, delivery.pk, delivery.user_id, delivery.endpoint_id)
    return deliveries_fall_back(dispatch=dispatch, hops=[hop])
