"""Recording what a recipient did with an email: opened it, clicked a link, unsubscribed."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from channels.models import Delivery
from channels.services.engagement import delivery_events_add, once_per_hour
from channels.tracking.tokens import Token
from engage import clock
from engage.errors import Invalid
from engage.tenancy.models import Tenant
from segments.selectors import suppressed_among
from segments.services.suppression import opt_out_record
from templates.models import Channel

log = logging.getLogger(__name__)

MAX_USER_AGENT = 512
UNSUBSCRIBE_SOURCE = "unsubscribe-link"


def _delivery(token: Token) -> Delivery | None:
    return (
        Delivery.objects.filter(tenant_id=token.tenant_id, pk=token.delivery_id, channel=Channel.EMAIL)
        .select_related("dispatch__tenant")
        .first()
    )


def open_record(*, token: Token, ip: str, user_agent: str) -> bool:
    """Record `_email.open` for the token's delivery, once per delivery and clock hour; True when recorded."""
    now = clock.now()
    delivery = _delivery(token)
    if delivery is None or not once_per_hour(kind="open", delivery_id=delivery.pk, now=now):
        return False
    attributes = {"feedback": "opened", "ip_address": ip, "user_agent": user_agent[:MAX_USER_AGENT]}
    return delivery_events_add(delivery=delivery, events=[("_email.open", attributes, {})], now=now) > 0


def click_record(*, token: Token, ip: str, user_agent: str) -> bool:
    """Record `_email.click` (with the link) for the token's delivery, once per delivery and clock hour."""
    now = clock.now()
    delivery = _delivery(token)
    if delivery is None or not once_per_hour(kind="click", delivery_id=delivery.pk, now=now):
        return False
    attributes = {
        "feedback": token.data,
        "link": token.data,
        "ip_address": ip,
        "user_agent": user_agent[:MAX_USER_AGENT],
    }
    return delivery_events_add(delivery=delivery, events=[("_email.click", attributes, {})], now=now) > 0


@dataclass(frozen=True)
class Unsubscribe:
    """Whom an unsubscribe link is for. The address travels in the signed token, so the link keeps working
    after the ledger row is pruned."""

    tenant: Tenant
    address: str
    delivery: Delivery | None
    done: bool


def unsubscribe_target(*, token: Token) -> Unsubscribe | None:
    """The tenant and address of an unsubscribe token, and whether the address is already unsubscribed."""
    tenant = Tenant.objects.filter(pk=token.tenant_id).first()
    if tenant is None or not token.data:
        return None
    done = bool(suppressed_among(tenant_id=tenant.pk, addresses=[token.data], channel=Channel.EMAIL))
    return Unsubscribe(tenant=tenant, address=token.data, delivery=_delivery(token), done=done)


def unsubscribe_confirm(*, target: Unsubscribe) -> bool:
    """Opt the address out of email (its endpoints OptOut ALL, a suppression) and record `_email.unsubscribe`
    the first time; clicking again changes nothing. False when the address cannot be opted out."""
    now = clock.now()
    try:
        opt_out_record(
            tenant=target.tenant, address=target.address, channel=Channel.EMAIL, source=UNSUBSCRIBE_SOURCE, now=now
        )
    except Invalid:
        log.warning("unsubscribe link of tenant %s names an unusable address", target.tenant.pk)
        return False
    delivery = target.delivery
    if not target.done and delivery is not None and once_per_hour(kind="unsubscribe", delivery_id=delivery.pk, now=now):
        attributes = {"feedback": "unsubscribed"}
        delivery_events_add(delivery=delivery, events=[("_email.unsubscribe", attributes, {})], now=now)
    return True
