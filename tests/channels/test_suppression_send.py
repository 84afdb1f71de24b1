"""The send path honours the suppression list (normalised, per channel), opt-outs and consent policies."""

from __future__ import annotations

import pytest

from channels.models import Delivery, Reason, Source, Status
from channels.services.dispatch import Recipient, deliveries_enqueue, dispatch_create
from channels.services.send import deliveries_send
from engage.events.models import Event
from engage.tenancy.models import Tenant
from segments.models import Endpoint
from segments.services.endpoints import endpoints_upsert
from segments.services.policies import consent_policy_update
from segments.services.suppression import opt_out_record, suppression_add
from templates.models import Channel
from tests.channels.support import make_endpoints, plan, sms_message

pytestmark = pytest.mark.django_db


def outcomes(dispatch_id: int) -> dict[str, tuple[str, str]]:
    rows = Delivery.objects.filter(dispatch_id=dispatch_id)
    return {d.endpoint_id or d.address: (d.status, d.reason) for d in rows}


def send(tenant: Tenant, dispatch_id: int) -> dict[str, tuple[str, str]]:
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch_id, chunk=0)
    return outcomes(dispatch_id)


def test_it_skips_a_suppressed_address_whatever_the_case_of_the_endpoint(tenant: Tenant) -> None:
    endpoints_upsert(
        tenant=tenant,
        items=[
            ("mixed", {"ChannelType": "EMAIL", "Address": "Jane.Doe@Example.com"}),
            ("upper", {"ChannelType": "EMAIL", "Address": "BOB@EXAMPLE.COM"}),
            ("fine", {"ChannelType": "EMAIL", "Address": "carl@example.com"}),
        ],
    )
    suppression_add(tenant=tenant, address="jane.doe@example.com", by="tests")
    suppression_add(tenant=tenant, address="Bob@Example.com", reason="HARD_BOUNCE", by="tests")
    dispatch, _ = plan(tenant, ["mixed", "upper", "fine"])
    assert send(tenant, dispatch.pk) == {
        "mixed": (Status.SKIPPED, Reason.SUPPRESSED),
        "upper": (Status.SKIPPED, Reason.SUPPRESSED),
        "fine": (Status.SENT, ""),
    }


def test_a_suppression_for_another_channel_or_tenant_does_not_stop_the_message(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    ids = make_endpoints(tenant, 3, channel="SMS")  # +15550000000, +15550000001, +15550000002
    suppression_add(tenant=tenant, address="+15550000000", channel="VOICE", by="tests")
    suppression_add(tenant=tenant, address="+15550000001", channel="SMS", by="tests")
    suppression_add(tenant=other_tenant, address="+15550000002", by="tests")
    dispatch, _ = plan(tenant, ids, channel=Channel.SMS, message=sms_message("Hi"))
    assert send(tenant, dispatch.pk) == {
        "ep0": (Status.SENT, ""),
        "ep1": (Status.SKIPPED, Reason.SUPPRESSED),
        "ep2": (Status.SENT, ""),
    }


def test_an_sms_stop_opts_the_endpoint_out_and_the_next_send_skips_it(tenant: Tenant) -> None:
    ids = make_endpoints(tenant, 2, channel="SMS")
    opt_out_record(tenant=tenant, address="+15550000000", channel="SMS", source="sms-inbound")
    dispatch, _ = plan(tenant, ids, channel=Channel.SMS, message=sms_message("Hi"))
    assert send(tenant, dispatch.pk) == {"ep0": (Status.SKIPPED, Reason.OPT_OUT), "ep1": (Status.SENT, "")}


def test_a_consent_policy_skips_endpoints_without_a_recorded_opt_in(tenant: Tenant, other_tenant: Tenant) -> None:
    ids = make_endpoints(tenant, 3, channel="SMS")
    endpoints_upsert(tenant=tenant, items=[("ep1", {"EngageOptIn": {"Source": "keyword JOIN"}})])
    consent_policy_update(tenant=tenant, channel="SMS", require_opt_in=True, by="tests")
    consent_policy_update(tenant=other_tenant, channel="EMAIL", require_opt_in=True, by="tests")
    dispatch, _ = plan(tenant, ids, channel=Channel.SMS, message=sms_message("Sale!"))
    assert send(tenant, dispatch.pk) == {
        "ep0": (Status.SKIPPED, Reason.NO_CONSENT),
        "ep1": (Status.SENT, ""),
        "ep2": (Status.SKIPPED, Reason.NO_CONSENT),
    }
    skipped = Delivery.objects.get(dispatch=dispatch, endpoint_id="ep0")
    assert "opt-in" in skipped.status_message
    statuses = Event.objects.filter(tenant=tenant, event_type="_campaign.send").values_list(
        "attributes__campaign_send_status", flat=True
    )
    assert sorted(statuses) == ["OPT_OUT", "OPT_OUT", "SUCCESS"]
    email_ids = make_endpoints(tenant, 1, prefix="mail")  # EMAIL has no policy here (only the other tenant's)
    email, _ = plan(tenant, email_ids, campaign_id="c2")
    assert send(tenant, email.pk) == {"mail0": (Status.SENT, "")}


def _transactional(tenant: Tenant, recipients: list[Recipient]) -> int:
    dispatch = dispatch_create(
        tenant=tenant, channel=Channel.SMS, source=Source.TRANSACTIONAL, message=sms_message("Your code is 1234")
    )
    deliveries_enqueue(dispatch=dispatch, recipients=recipients, send=False)
    return dispatch.pk


def test_a_promotional_only_policy_lets_transactional_sends_through(tenant: Tenant) -> None:
    ids = make_endpoints(tenant, 2, channel="SMS")
    consent_policy_update(tenant=tenant, channel="SMS", require_opt_in=True, applies_to="PROMOTIONAL", by="tests")
    dispatch_id = _transactional(tenant, [Recipient(key=f"t:{e}", endpoint_id=e) for e in ids])
    assert send(tenant, dispatch_id) == {"ep0": (Status.SENT, ""), "ep1": (Status.SENT, "")}


def test_a_policy_for_all_sends_checks_addresses_sent_to_without_an_endpoint(tenant: Tenant) -> None:
    make_endpoints(tenant, 2, channel="SMS")
    endpoints_upsert(tenant=tenant, items=[("ep0", {"EngageOptIn": {"Date": "2026-10-01T00:00:00Z"}})])
    consent_policy_update(tenant=tenant, channel="SMS", require_opt_in=True, applies_to="ALL", by="tests")
    numbers = ["+15550000000", "+15550000001", "+15559999999"]
    dispatch_id = _transactional(tenant, [Recipient(key=f"t:{n}", address=n) for n in numbers])
    assert send(tenant, dispatch_id) == {
        "+15550000000": (Status.SENT, ""),
        "+15550000001": (Status.SKIPPED, Reason.NO_CONSENT),
        "+15559999999": (Status.SKIPPED, Reason.NO_CONSENT),
    }
    assert Endpoint.objects.get(tenant=tenant, endpoint_id="ep0").opt_in_source == ""
