"""The suppression services: normalised, idempotent and audited adds and removals, bounces and opt-outs."""

from __future__ import annotations

import pytest

from engage import clock
from engage.errors import Invalid
from engage.tenancy.models import AuditLog, Tenant
from segments.models import BounceRecord, Endpoint, SuppressedAddress
from segments.selectors import suppressed_among
from segments.services.endpoints import endpoints_upsert
from segments.services.policies import consent_policy_update, deliverability_policy_update
from segments.services.suppression import bounce_record, opt_out_record, suppression_add, suppression_remove

pytestmark = pytest.mark.django_db
Reason = SuppressedAddress.Reason


def test_it_stores_email_lower_cased_and_phone_numbers_in_e164(tenant: Tenant) -> None:
    email, created = suppression_add(tenant=tenant, address="  Jane.Doe@Example.COM ", by="tests")
    phone, _ = suppression_add(tenant=tenant, address="+1 (206) 555-0100", channel="sms", by="tests")
    intl, _ = suppression_add(tenant=tenant, address="0044 20 7946 0958", by="tests")
    assert created and email.address == "jane.doe@example.com" and email.channel == ""
    assert (phone.address, phone.channel) == ("+12065550100", "SMS")
    assert intl.address == "+442079460958"
    assert suppressed_among(tenant_id=tenant.pk, addresses=["JANE.DOE@example.com", "+12065550100"]) == {
        "JANE.DOE@example.com",
        "+12065550100",
    }


@pytest.mark.parametrize(
    ("address", "channel", "message"),
    [
        ("not-an-email@", "EMAIL", "not a valid email address"),
        ("206 555 0100", "SMS", "no country code"),
        ("+0123", "", "not an E.164 phone number"),
        ("", "", "the address is empty"),
        ("jane@example.com", "FAX", "is not a channel"),
    ],
)
def test_it_refuses_what_it_cannot_normalise(tenant: Tenant, address: str, channel: str, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        suppression_add(tenant=tenant, address=address, channel=channel, by="tests")
    assert message in caught.value.message
    assert caught.value.field in ("address", "channel")


def test_adding_twice_changes_nothing_and_audits_once(tenant: Tenant) -> None:
    first, created = suppression_add(tenant=tenant, address="a@x.test", reason="COMPLAINT", note="first", by="ops")
    again, created_again = suppression_add(tenant=tenant, address="A@X.TEST", reason="MANUAL", by="ops")
    assert created and not created_again and again.pk == first.pk
    assert (again.reason, again.note, again.created_by) == (Reason.COMPLAINT, "first", "ops")
    entries = AuditLog.objects.filter(tenant=tenant, action="suppression.add")
    assert entries.count() == 1
    assert entries.get().data == {"address": "a@x.test", "reason": "COMPLAINT", "channel": "", "source": "manual"}


def test_a_channel_suppression_only_applies_to_that_channel(tenant: Tenant) -> None:
    suppression_add(tenant=tenant, address="+12065550100", channel="VOICE", by="tests")
    assert suppressed_among(tenant_id=tenant.pk, addresses=["+12065550100"], channel="SMS") == set()
    assert suppressed_among(tenant_id=tenant.pk, addresses=["+12065550100"], channel="VOICE") == {"+12065550100"}
    assert suppressed_among(tenant_id=tenant.pk, addresses=["+12065550100"]) == {"+12065550100"}


def test_removing_by_address_takes_every_channel_row_and_audits_each(tenant: Tenant) -> None:
    suppression_add(tenant=tenant, address="+12065550100", channel="SMS", by="tests")
    suppression_add(tenant=tenant, address="+12065550100", channel="VOICE", by="tests")
    BounceRecord.objects.create(tenant=tenant, address="+12065550100", at=clock.now())
    assert suppression_remove(tenant=tenant, address="+1 206 555 0100", by="ops", ip="10.0.0.1") == 2
    assert not SuppressedAddress.objects.filter(tenant=tenant).exists()
    assert not BounceRecord.objects.filter(tenant=tenant).exists()
    removed = AuditLog.objects.filter(tenant=tenant, action="suppression.remove")
    assert sorted(e.data["channel"] for e in removed) == ["SMS", "VOICE"]
    assert {e.actor_label for e in removed} == {"ops"} and {e.ip for e in removed} == {"10.0.0.1"}
    assert suppression_remove(tenant=tenant, address="+12065550100", by="ops") == 0


def test_removing_never_reaches_another_tenant(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs, _ = suppression_add(tenant=other_tenant, address="a@x.test", by="tests")
    assert suppression_remove(tenant=tenant, suppression=theirs, by="tests") == 0
    assert suppression_remove(tenant=tenant, address="a@x.test", by="tests") == 0
    assert SuppressedAddress.objects.filter(pk=theirs.pk).exists()
    assert suppressed_among(tenant_id=tenant.pk, addresses=["a@x.test"]) == set()


def test_hard_bounces_and_complaints_suppress_at_once_without_auditing(tenant: Tenant) -> None:
    hard = bounce_record(tenant=tenant, address="Bounced@X.test", kind="hard", source="ses-feedback")
    complaint = bounce_record(tenant=tenant, address="angry@x.test", kind="complaint", source="ses-feedback")
    assert hard is not None and (hard.address, hard.reason, hard.source) == (
        "bounced@x.test",
        Reason.HARD_BOUNCE,
        "ses-feedback",
    )
    assert complaint is not None and complaint.reason == Reason.COMPLAINT and complaint.created_by == "system"
    assert not AuditLog.objects.filter(tenant=tenant).exists()
    with pytest.raises(Invalid):
        bounce_record(tenant=tenant, address="a@x.test", kind="bouncy", source="x")


def test_soft_bounces_suppress_after_the_threshold_within_the_window(tenant: Tenant) -> None:
    assert bounce_record(tenant=tenant, address="full@x.test", kind="soft", source="ses-feedback") is None
    clock.advance(seconds=8 * 86400)  # the first one leaves the 7-day window
    assert bounce_record(tenant=tenant, address="full@x.test", kind="soft", source="ses-feedback") is None
    assert bounce_record(tenant=tenant, address="FULL@x.test", kind="soft", source="ses-feedback") is None
    assert BounceRecord.objects.filter(tenant=tenant).count() == 2  # the stale one was pruned
    suppressed = bounce_record(tenant=tenant, address="full@x.test", kind="soft", source="ses-feedback")
    assert suppressed is not None and suppressed.reason == Reason.SOFT_BOUNCE
    assert suppressed.note == "3 soft bounces within 7 days"


def test_the_tenant_sets_its_own_soft_bounce_rule(tenant: Tenant, other_tenant: Tenant) -> None:
    deliverability_policy_update(tenant=tenant, soft_bounce_threshold=2, soft_bounce_window_days=1, by="ops")
    bounce_record(tenant=tenant, address="a@x.test", kind="soft", source="s")
    bounce_record(tenant=other_tenant, address="a@x.test", kind="soft", source="s")
    assert bounce_record(tenant=tenant, address="a@x.test", kind="soft", source="s") is not None
    assert bounce_record(tenant=other_tenant, address="a@x.test", kind="soft", source="s") is None
    assert AuditLog.objects.filter(tenant=tenant, action="deliverability_policy.update").count() == 1
    with pytest.raises(Invalid) as caught:
        deliverability_policy_update(tenant=tenant, soft_bounce_threshold=0, soft_bounce_window_days=1, by="ops")
    assert caught.value.field == "soft_bounce_threshold"


def test_an_sms_stop_opts_out_that_numbers_sms_endpoints_and_suppresses_it_for_sms(tenant: Tenant) -> None:
    endpoints_upsert(
        tenant=tenant,
        items=[
            ("phone", {"ChannelType": "SMS", "Address": "+12065550100"}),
            ("voice", {"ChannelType": "VOICE", "Address": "+12065550100"}),
            ("other", {"ChannelType": "SMS", "Address": "+12065550199"}),
        ],
    )
    row, opted_out = opt_out_record(tenant=tenant, address="+1 206-555-0100", channel="SMS", source="sms-inbound")
    assert opted_out == 1
    assert (row.address, row.channel, row.reason, row.source) == ("+12065550100", "SMS", Reason.SMS_STOP, "sms-inbound")
    states = dict(Endpoint.objects.filter(tenant=tenant).values_list("endpoint_id", "opt_out"))
    assert states == {"phone": "ALL", "voice": "NONE", "other": "NONE"}
    again, opted_out_again = opt_out_record(tenant=tenant, address="+12065550100", channel="SMS", source="x")
    assert again.pk == row.pk and opted_out_again == 0


def test_an_unsubscribe_matches_the_endpoint_address_whatever_its_case(tenant: Tenant) -> None:
    endpoints_upsert(tenant=tenant, items=[("mail", {"ChannelType": "EMAIL", "Address": "Jane@Example.com"})])
    row, opted_out = opt_out_record(tenant=tenant, address="Jane@Example.com", channel="EMAIL", source="list-unsub")
    assert opted_out == 1 and row.reason == Reason.UNSUBSCRIBE and row.address == "jane@example.com"
    assert Endpoint.objects.get(tenant=tenant, endpoint_id="mail").opt_out == "ALL"


def test_consent_policies_are_set_per_channel_and_audited(tenant: Tenant) -> None:
    policy = consent_policy_update(tenant=tenant, channel="sms", require_opt_in=True, applies_to="all", by="ops")
    assert (policy.channel, policy.require_opt_in, policy.applies_to) == ("SMS", True, "ALL")
    assert policy.requires(transactional=True)
    policy = consent_policy_update(tenant=tenant, channel="SMS", require_opt_in=True, by="ops")
    assert policy.requires(transactional=False) and not policy.requires(transactional=True)
    assert AuditLog.objects.filter(tenant=tenant, action="consent_policy.update").count() == 2
    for channel, applies, field in (("", "ALL", "channel"), ("SMS", "SOMETIMES", "applies_to")):
        with pytest.raises(Invalid) as caught:
            consent_policy_update(tenant=tenant, channel=channel, require_opt_in=True, applies_to=applies, by="ops")
        assert caught.value.field == field
