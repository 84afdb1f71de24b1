"""The send service on the sandbox: claim, screen, render, ledger write, events — and never twice."""

from __future__ import annotations

from typing import Any

import pytest

from channels.models import Delivery, Reason, Status
from channels.services.dispatch import Recipient, deliveries_enqueue
from channels.services.send import deliveries_send
from engage.events.models import Event
from engage.tenancy.models import Tenant
from segments.models import Endpoint, SuppressedAddress
from tests.channels.support import email_message, make_endpoints, plan

pytestmark = pytest.mark.django_db


def test_it_sends_a_chunk_through_the_sandbox_with_the_rendered_payload(tenant: Tenant) -> None:
    ids = make_endpoints(tenant, 3)
    dispatch, chunks = plan(tenant, ids)
    assert chunks == [0]
    result = deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    assert result.counts == {"sent": 3}
    rows = list(Delivery.objects.filter(dispatch=dispatch).order_by("endpoint_id"))
    assert [r.status for r in rows] == ["sent"] * 3
    assert rows[0].address == "user0@example.com"
    assert rows[0].payload["Subject"] == "Hi Name0"
    # Engagement tracking (on by default) adds the open pixel: see tests/channels/test_tracking.py.
    assert rows[0].payload["HtmlPart"].startswith("<p>Hello Name0</p><img src=")
    assert rows[0].sent_at is not None and rows[0].provider_message_id == f"sandbox-{rows[0].pk}"
    sends = Event.objects.filter(tenant=tenant, event_type="_campaign.send")
    assert sends.count() == 3
    attributes: dict[str, Any] = sends.first().attributes
    assert attributes["campaign_send_status"] == "SUCCESS" and attributes["delivery_type"] == "EMAIL"
    assert attributes["campaign_id"] == "c1" and attributes["treatment_id"] == "0"
    assert Event.objects.filter(tenant=tenant, event_type="_email.send").count() == 3


def test_it_sends_nothing_twice(tenant: Tenant) -> None:
    ids = make_endpoints(tenant, 5)
    dispatch, _ = plan(tenant, ids)
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    again = deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    assert again.claimed == 0
    recipients = [Recipient(key=f"{dispatch.pk}:{e}", endpoint_id=e) for e in ids]
    assert deliveries_enqueue(dispatch=dispatch, recipients=recipients, send=False) == [1]
    assert deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=1).claimed == 0
    assert Delivery.objects.filter(dispatch=dispatch).count() == 5
    assert Event.objects.filter(tenant=tenant, event_type="_email.send").count() == 5


def test_it_skips_suppressed_opted_out_and_missing_endpoints(tenant: Tenant) -> None:
    ids = make_endpoints(tenant, 4)
    SuppressedAddress.objects.create(tenant=tenant, address="user1@example.com", created_at="2026-11-01T00:00Z")
    Endpoint.objects.filter(tenant=tenant, endpoint_id="ep2").update(opt_out="ALL")
    dispatch, _ = plan(tenant, [*ids, "gone"])
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    got = {d.endpoint_id: (d.status, d.reason) for d in Delivery.objects.filter(dispatch=dispatch)}
    assert got == {
        "ep0": (Status.SENT, ""),
        "ep1": (Status.SKIPPED, Reason.SUPPRESSED),
        "ep2": (Status.SKIPPED, Reason.OPT_OUT),
        "ep3": (Status.SENT, ""),
        "gone": (Status.SKIPPED, Reason.NO_ADDRESS),
    }
    statuses = sorted(
        Event.objects.filter(tenant=tenant, event_type="_campaign.send").values_list(
            "attributes__campaign_send_status", flat=True
        )
    )
    assert statuses == ["FAILURE", "FAILURE", "OPT_OUT", "SUCCESS", "SUCCESS"]


def test_a_rendering_failure_fails_only_that_recipient(tenant: Tenant) -> None:
    ids = make_endpoints(tenant, 2)
    Endpoint.objects.filter(tenant=tenant, endpoint_id="ep1").update(user_attributes={})
    message = email_message(subject="Hi {{User.UserAttributes.FirstName}}")
    message["policy"] = "SKIP"
    message["default_substitutions"] = {}
    dispatch, _ = plan(tenant, ids, message=message)
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    failed = Delivery.objects.get(dispatch=dispatch, endpoint_id="ep1")
    assert (failed.status, failed.reason) == (Status.FAILED, Reason.RENDERING_FAILURE)
    assert "FirstName" in failed.status_message
    assert Event.objects.filter(tenant=tenant, event_type="_email.rendering_failure").count() == 1
    assert Delivery.objects.get(dispatch=dispatch, endpoint_id="ep0").status == Status.SENT


def test_another_tenants_chunk_is_not_sent(tenant: Tenant, other_tenant: Tenant) -> None:
    ids = make_endpoints(tenant, 2)
    dispatch, _ = plan(tenant, ids)
    assert deliveries_send(tenant_id=other_tenant.pk, dispatch_id=dispatch.pk, chunk=0).claimed == 0
    assert set(Delivery.objects.filter(dispatch=dispatch).values_list("status", flat=True)) == {"queued"}
