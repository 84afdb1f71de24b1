"""A push → email → SMS campaign on a real Celery worker: each user gets the first channel that reaches them."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from channels.models import Delivery
from engage.tenancy.models import Tenant
from segments.services.endpoints import endpoints_upsert
from tests.campaigns.support import endpoints, push_body, segment_all, url
from tests.campaigns.test_fanout_worker import wait_for_ledger

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FALLBACKS = [
    {"MessageConfiguration": {"EmailMessage": {"Title": "Hi {{User.UserId}}", "HtmlBody": "<p>Hi</p>", "Body": "Hi"}}},
    {"MessageConfiguration": {"SMSMessage": {"Body": "Hi {{User.UserId}}", "MessageType": "TRANSACTIONAL"}}},
]


def test_users_without_a_push_endpoint_get_the_email_or_the_sms(
    celery_worker: Any, api: APIClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    endpoints(tenant, 1, prefix="push")  # u0: push (and email and SMS below)
    endpoints(tenant, 2, channel="EMAIL", prefix="mail")  # u0, u1: email
    sms = [
        (
            f"sms{i}",
            {
                "ChannelType": "SMS",
                "Address": f"+1206555010{i}",
                "Attributes": {"Team": ["blue"]},
                "User": {"UserId": f"u{i}"},
            },
        )
        for i in range(3)
    ]
    assert all(r.ok for r in endpoints_upsert(tenant=tenant, items=sms, trusted=True))  # u0, u1, u2: SMS
    created = api.post(url(tenant), push_body(segment_all(tenant), Fallbacks=FALLBACKS), format="json")
    assert created.status_code == 201, created.json()
    assert [f["Channel"] for f in created.json()["Fallbacks"]] == ["EMAIL", "SMS"]
    pk = created.json()["id"]
    assert api.post(url(tenant, f"{pk}/launch/")).status_code == 200
    wait_for_ledger(tenant, 3)
    rows = Delivery.objects.filter(tenant=tenant)
    got = sorted((r.user_id, r.channel, r.endpoint_id, r.status, r.reason) for r in rows)
    assert got == [
        ("u0", "PUSH", "push0", "sent", ""),
        ("u1", "EMAIL", "mail1", "sent", "fallback"),
        ("u2", "SMS", "sms2", "sent", "fallback"),
    ]
    assert {r.dispatch.campaign_id for r in rows} == {str(pk)}
    assert rows.get(user_id="u2").payload is not None
    assert api.post(url(other_tenant, f"{pk}/launch/")).status_code == 404


def test_a_fallback_on_the_campaigns_own_channel_is_refused(api: APIClient, tenant: Tenant) -> None:
    body = push_body(
        segment_all(tenant), Fallbacks=[{"MessageConfiguration": {"DefaultMessage": {"Title": "x", "Body": "y"}}}]
    )
    r = api.post(url(tenant), body, format="json")
    assert r.status_code == 400 and "Fallbacks[0]" in str(r.json())
