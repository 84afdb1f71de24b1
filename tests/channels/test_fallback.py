"""Channel fallback, push → email → SMS: one ledger row per hop, reason `fallback`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from channels.models import Delivery, Dispatch, Reason, Status
from channels.services.dispatch import Recipient, deliveries_enqueue, dispatch_create
from channels.services.fallback import Hop, deliveries_fall_back, delivery_fall_back, dispatch_fallback_set
from channels.services.send import deliveries_send
from engage import clock
from engage.tenancy.models import Tenant
from segments.services.endpoints import endpoints_upsert
from templates.models import Channel
from tests.channels.support import email_message, sms_message

pytestmark = pytest.mark.django_db

PUSH = {"content": {"Default": {"Title": "Hi {{User.UserId}}", "Body": "Come back"}}, "policy": "EMPTY"}


def _chain(tenant: Tenant) -> tuple[Dispatch, Dispatch, Dispatch]:
    hops = [
        dispatch_create(tenant=tenant, channel=channel, source="campaign", message=message, campaign_id="c1")
        for channel, message in ((Channel.PUSH, PUSH), (Channel.EMAIL, email_message()), (Channel.SMS, sms_message()))
    ]
    dispatch_fallback_set(dispatch=hops[0], to=hops[1])
    dispatch_fallback_set(dispatch=hops[1], to=hops[2])
    return hops[0], hops[1], hops[2]


def _send_all(*dispatches: Dispatch) -> None:
    for dispatch in dispatches:
        dispatch.refresh_from_db()
        for chunk in range(dispatch.chunks):
            deliveries_send(tenant_id=dispatch.tenant_id, dispatch_id=dispatch.pk, chunk=chunk)


def test_push_then_email_then_sms(tenant: Tenant) -> None:
    endpoints_upsert(
        tenant=tenant,
        trusted=True,
        items=[
            ("u0-push", {"ChannelType": "GCM", "Address": "tok0", "User": {"UserId": "u0"}}),
            ("u0-mail", {"ChannelType": "EMAIL", "Address": "u0@example.com", "User": {"UserId": "u0"}}),
            ("u1-mail", {"ChannelType": "EMAIL", "Address": "u1@example.com", "User": {"UserId": "u1"}}),
            ("u1-sms", {"ChannelType": "SMS", "Address": "+15550000001", "User": {"UserId": "u1"}}),
            ("u2-push", {"ChannelType": "GCM", "Address": "tok2", "OptOut": "ALL", "User": {"UserId": "u2"}}),
            ("u2-sms", {"ChannelType": "SMS", "Address": "+15550000002", "User": {"UserId": "u2"}}),
        ],
    )
    push, email, sms = _chain(tenant)
    deliveries_enqueue(
        dispatch=push,
        send=False,
        recipients=[
            Recipient(key="run1:u0", endpoint_id="u0-push", user_id="u0"),
            Recipient(key="run1:u2", endpoint_id="u2-push", user_id="u2"),
        ],
    )
    # u1 has no push endpoint: the planner moves them on straight away.
    assert deliveries_fall_back(dispatch=push, hops=[Hop("run1:u1", None, "u1")]) == 1

    _send_all(push, email, sms)
    rows = {(d.dispatch_id, d.user_id): d for d in Delivery.objects.filter(tenant=tenant)}
    assert rows[(push.pk, "u0")].status == Status.SENT
    assert (rows[(push.pk, "u2")].status, rows[(push.pk, "u2")].reason) == (Status.SKIPPED, Reason.OPT_OUT)
    assert (rows[(email.pk, "u1")].status, rows[(email.pk, "u1")].reason) == (Status.SENT, Reason.FALLBACK)
    # u2 opted out of push and has no email: straight to SMS.
    assert (rows[(sms.pk, "u2")].status, rows[(sms.pk, "u2")].reason) == (Status.SENT, Reason.FALLBACK)
    assert rows[(sms.pk, "u2")].context == {"FallbackFrom": rows[(push.pk, "u2")].pk}
    assert (email.pk, "u0") not in rows and (sms.pk, "u1") not in rows

    # A hard bounce for u1's email inside the window moves u1 to SMS; a second report plans nothing new.
    bounced = rows[(email.pk, "u1")]
    assert delivery_fall_back(delivery=bounced, now=clock.now() + timedelta(minutes=30)) == 1
    assert delivery_fall_back(delivery=bounced, now=clock.now() + timedelta(minutes=31)) == 1
    _send_all(sms)
    hop = Delivery.objects.get(dispatch=sms, user_id="u1")
    assert (hop.status, hop.reason, hop.address) == (Status.SENT, Reason.FALLBACK, "+15550000001")
    assert Delivery.objects.filter(dispatch=sms, user_id="u1").count() == 1


def test_a_bounce_after_the_window_does_not_fall_back(tenant: Tenant) -> None:
    endpoints_upsert(
        tenant=tenant,
        trusted=True,
        items=[
            ("m", {"ChannelType": "EMAIL", "Address": "m@example.com", "User": {"UserId": "m"}}),
            ("s", {"ChannelType": "SMS", "Address": "+15550000009", "User": {"UserId": "m"}}),
        ],
    )
    _, email, sms = _chain(tenant)
    deliveries_enqueue(dispatch=email, send=False, recipients=[Recipient(key="k:m", endpoint_id="m", user_id="m")])
    _send_all(email)
    sent = Delivery.objects.get(dispatch=email)
    assert delivery_fall_back(delivery=sent, now=clock.now() + timedelta(hours=2)) == 0
    assert not Delivery.objects.filter(dispatch=sms).exists()
