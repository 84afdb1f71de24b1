"""Reading in-app messages the way the app asks for them: Pinpoint's GetInAppMessages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q

from channels.models import InAppMessage
from engage import clock
from engage.tenancy.models import Tenant

MAX_MESSAGES = 100


def _campaign(message: InAppMessage) -> dict[str, Any]:
    """One InAppMessageCampaign."""
    content = message.content or {}
    return {
        "CampaignId": message.message_key,
        "DailyCap": message.daily_cap,
        "InAppMessage": {
            "Content": list(content.get("Content") or []),
            "CustomConfig": dict(content.get("CustomConfig") or {}),
            "Layout": content.get("Layout", ""),
        },
        "Priority": message.priority,
        "Schedule": dict(message.schedule or {}),
        "SessionCap": message.session_cap,
        "TotalCap": message.total_cap,
        "TreatmentId": message.treatment_id or "0",
    }


def within_caps(message: InAppMessage, *, now: datetime, session_id: str | None) -> bool:
    """Displayed fewer times than each cap: overall, in today's UTC day, and in `session_id` when given."""
    if message.total_cap and message.displayed_count >= message.total_cap:
        return False
    if message.daily_cap and message.day == now.date() and message.day_count >= message.daily_cap:
        return False
    return not (
        session_id
        and message.session_cap
        and message.session_id == session_id
        and message.session_count >= message.session_cap
    )


def inapp_messages_for_endpoint(*, tenant: Tenant, endpoint_id: str, session_id: str | None = None) -> dict[str, Any]:
    """InAppMessagesResponse: the endpoint's unexpired messages within their caps, one per campaign (its newest),
    highest priority (1) first, then newest. Without `session_id` the app applies SessionCap, as Pinpoint's do."""
    now = clock.now()
    rows = (
        InAppMessage.objects.for_tenant(tenant)
        .filter(endpoint_id=endpoint_id)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by("-created_at", "-id")[: MAX_MESSAGES * 5]
    )
    newest: dict[str, InAppMessage] = {}
    for row in rows:
        newest.setdefault(row.message_key, row)  # a campaign's newer message replaces its older ones
    eligible = [m for m in newest.values() if within_caps(m, now=now, session_id=session_id)]
    ordered = sorted(eligible, key=lambda m: (m.priority, -m.created_at.timestamp(), -m.pk))
    return {"InAppMessageCampaigns": [_campaign(m) for m in ordered[:MAX_MESSAGES]]}
