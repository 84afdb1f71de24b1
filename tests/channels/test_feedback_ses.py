"""SES feedback through a signed SNS HTTPS subscription: messages from the local SNS stand-in, sent for mail that
went out through the real SES transport (moto), posted to the real /hooks/ses/<token>/ URL."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from moto import mock_aws

from channels.feedback.config import feedback_url
from channels.feedback.sns import sns_url_allowed
from channels.models import ChannelConfig, Delivery, Reason, Source, Status
from channels.services.dispatch import Recipient, deliveries_enqueue, dispatch_create
from channels.services.fallback import dispatch_fallback_set
from channels.services.send import deliveries_send
from engage.events.models import Event
from engage.tenancy.models import Tenant
from segments.models import BounceRecord, Endpoint, SuppressedAddress
from segments.services.endpoints import endpoints_upsert
from templates.models import Channel
from tests.channels import sns_signer
from tests.channels.sns_signer import SnsStandIn, make_key_and_certificate
from tests.channels.support import email_message, make_endpoints, sms_message
from tests.channels.transport_support import channel_config, dispatch_to, send, set_aws_env

pytestmark = pytest.mark.django_db
sns = sns_signer.sns  # the fixture


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    set_aws_env(monkeypatch)
    with mock_aws():
        import boto3

        boto3.client("sesv2", region_name="us-east-1").create_email_identity(EmailIdentity="example.com")
        yield


def ses_config(tenant: Tenant) -> ChannelConfig:
    return channel_config(tenant, provider="ses", channel=Channel.EMAIL, from_address="news@example.com")


def sent_row(tenant: Tenant, config: ChannelConfig, prefix: str = "ep") -> Delivery:
    ids = make_endpoints(tenant, 1, prefix=prefix)
    [row] = send(dispatch_to(tenant, config, email_message(), [(ids[0], None)]))
    assert row.status == Status.SENT and row.provider_message_id
    return row


def ses_event(kind: str, row: Delivery, **detail: Any) -> dict[str, Any]:
    mail = {
        "timestamp": "2026-11-01T10:00:00.000Z",
        "source": "news@example.com",
        "messageId": row.provider_message_id,
        "destination": [row.address],
        "tags": {"engage_delivery": [str(row.pk)]},
    }
    return {"eventType": kind, "mail": mail, **detail}


def hard_bounce(row: Delivery) -> dict[str, Any]:
    recipient = {"emailAddress": row.address, "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1 user unknown"}
    bounce = {"bounceType": "Permanent", "bounceSubType": "General", "bouncedRecipients": [recipient]}
    return ses_event("Bounce", row, bounce=bounce)


def post(client: Client, config: ChannelConfig, message: dict[str, Any]) -> Any:
    return client.post(
        urlsplit(feedback_url(config=config) or "").path,
        json.dumps(message),
        content_type="text/plain; charset=UTF-8",
        HTTP_X_AMZ_SNS_MESSAGE_TYPE=message.get("Type", ""),
    )


def kinds(tenant: Tenant) -> list[str]:
    return sorted(
        Event.objects.filter(tenant=tenant, event_type__startswith="_email.")
        .exclude(event_type="_email.send")
        .values_list("event_type", flat=True)
    )


def test_it_confirms_a_signed_subscription_and_refuses_other_hosts(
    tenant: Tenant, client: Client, sns: SnsStandIn, aws: None
) -> None:
    config = ses_config(tenant)
    confirmation = sns.subscription_confirmation(version="2")
    assert post(client, config, confirmation).json() == {"status": "confirmed"}
    assert sns.confirmed == [confirmation["Token"]]
    elsewhere = {k: v for k, v in sns.subscription_confirmation().items() if k not in ("Signature",)}
    elsewhere["SubscribeURL"] = elsewhere["SubscribeURL"].replace("127.0.0.1", "localhost")
    assert post(client, config, sns.sign(elsewhere)).status_code == 403
    assert len(sns.confirmed) == 1


def test_a_forged_bounce_changes_nothing(
    tenant: Tenant, client: Client, sns: SnsStandIn, aws: None, caplog: pytest.LogCaptureFixture
) -> None:
    config = ses_config(tenant)
    row = sent_row(tenant, config)
    genuine = sns.notification(hard_bounce(row))
    unsigned = {k: v for k, v in genuine.items() if k != "Signature"}
    tampered = {**genuine, "Message": genuine["Message"].replace("General", "Suppressed")}
    mallory_key, _ = make_key_and_certificate()
    wrong_key = sns.notification(hard_bounce(row)) | {"MessageId": "m2"}
    wrong_key = sns.sign(wrong_key, key=mallory_key)
    other_host = sns.sign({**genuine, "SigningCertURL": genuine["SigningCertURL"].replace("127.0.0.1", "localhost")})
    not_pem = sns.sign({**genuine, "SigningCertURL": sns.base + "/cert.txt"})
    bad_version = {**genuine, "SignatureVersion": "3"}
    with caplog.at_level(logging.WARNING, logger="channels.feedback.views"):
        for forged in (unsigned, tampered, wrong_key, other_host, not_pem, bad_version):
            assert post(client, config, forged).status_code == 403
    warnings = [r.getMessage() for r in caplog.records if r.name == "channels.feedback.views"]
    assert len(warnings) == 6 and all(w.startswith("rejected ses feedback") for w in warnings)
    row.refresh_from_db()
    assert row.status == Status.SENT and not SuppressedAddress.objects.filter(tenant=tenant).exists()
    assert kinds(tenant) == []
    assert client.post("/hooks/ses/no-such-token/", "{}", content_type="text/plain").status_code == 404


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_signed_hard_bounce_suppresses_the_address_and_records_hardbounce(
    tenant: Tenant, client: Client, sns: SnsStandIn, aws: None, version: str
) -> None:
    config = ses_config(tenant)
    row = sent_row(tenant, config)
    response = post(client, config, sns.notification(hard_bounce(row), version=version, subject="Bounce"))
    assert response.status_code == 200 and response.json() == {"status": "hardbounce"}
    row.refresh_from_db()
    assert (row.status, row.reason) == (Status.FAILED, Reason.PROVIDER_REJECTED)
    assert "550 5.1.1" in row.status_message
    suppressed = SuppressedAddress.objects.get(tenant=tenant, address="user0@example.com")
    assert (suppressed.reason, suppressed.source) == ("HARD_BOUNCE", "ses-feedback")
    [event] = Event.objects.filter(tenant=tenant, event_type="_email.hardbounce")
    assert event.delivery_id == row.pk and event.endpoint_id == "ep0" and event.campaign_id == "c1"
    assert event.attributes["message_id"] == row.provider_message_id and event.attributes["bounce_type"] == "Permanent"
    assert event.attributes["destination"] == "user0@example.com" and event.attributes["treatment_id"] == "0"


def test_it_applies_delivery_complaint_reject_open_and_click(
    tenant: Tenant, client: Client, sns: SnsStandIn, aws: None
) -> None:
    config = ses_config(tenant)
    delivered, complained, rejected = (sent_row(tenant, config, prefix=p) for p in ("a", "b", "c"))
    delivery = {"smtpResponse": "250 2.6.0 Message received", "reportingMTA": "a8-70.smtp-out.amazonses.com"}
    assert (
        post(client, config, sns.notification(ses_event("Delivery", delivered, delivery=delivery))).status_code == 200
    )
    delivered.refresh_from_db()
    assert delivered.status == Status.DELIVERED and delivered.delivered_at is not None
    complaint = {"complainedRecipients": [{"emailAddress": complained.address}], "complaintFeedbackType": "abuse"}
    assert (
        post(client, config, sns.notification(ses_event("Complaint", complained, complaint=complaint))).status_code
        == 200
    )
    assert SuppressedAddress.objects.get(tenant=tenant, address=complained.address).reason == "COMPLAINT"
    assert (
        post(
            client, config, sns.notification(ses_event("Reject", rejected, reject={"reason": "Bad content"}))
        ).status_code
        == 200
    )
    rejected.refresh_from_db()
    assert rejected.status == Status.FAILED and "Bad content" in rejected.status_message
    for _ in range(2):
        opened = ses_event("Open", delivered, open={"ipAddress": "192.0.2.1", "userAgent": "Mail"})
        assert post(client, config, sns.notification(opened)).status_code == 200
    click = {"ipAddress": "192.0.2.1", "userAgent": "Mail", "link": "https://shop.example/"}
    assert post(client, config, sns.notification(ses_event("Click", delivered, click=click))).status_code == 200
    assert post(client, config, sns.notification(ses_event("DeliveryDelay", delivered))).json() == {"status": "ignored"}
    assert kinds(tenant) == [
        "_email.click",
        "_email.complaint",
        "_email.delivered",
        "_email.open",
        "_email.rejected",
    ]
    assert Event.objects.get(tenant=tenant, event_type="_email.click").attributes["link"] == "https://shop.example/"


def test_it_reads_the_older_notification_form_and_counts_soft_bounces(
    tenant: Tenant, client: Client, sns: SnsStandIn, aws: None
) -> None:
    config = ses_config(tenant)
    row = sent_row(tenant, config)
    record = hard_bounce(row)
    del record["eventType"]
    record["notificationType"] = "Bounce"
    record["bounce"]["bounceType"] = "Transient"
    record["bounce"]["bounceSubType"] = "MailboxFull"
    record["mail"].pop("tags")
    assert post(client, config, sns.notification(record)).json() == {"status": "softbounce"}
    assert kinds(tenant) == ["_email.softbounce"]
    assert BounceRecord.objects.filter(tenant=tenant, address=row.address).count() == 1
    assert not SuppressedAddress.objects.filter(tenant=tenant).exists()  # one soft bounce of the 3 it takes


def test_it_applies_each_message_once_and_caches_the_certificate(
    tenant: Tenant, client: Client, sns: SnsStandIn, aws: None
) -> None:
    config = ses_config(tenant)
    row = sent_row(tenant, config)
    message = sns.notification(ses_event("Delivery", row, delivery={}))
    assert post(client, config, message).json() == {"status": "delivered"}
    assert post(client, config, message).json() == {"status": "duplicate"}
    assert post(client, config, sns.notification(ses_event("Delivery", row, delivery={}))).status_code == 200
    assert Event.objects.filter(tenant=tenant, event_type="_email.delivered").count() == 1
    assert sum(n for p, n in sns.requests.items() if p.endswith(".pem")) == 1


def test_it_accepts_only_the_configured_topics(tenant: Tenant, client: Client, sns: SnsStandIn, aws: None) -> None:
    config = ses_config(tenant)
    config.settings = {**config.settings, "feedback_topic_arns": ["arn:aws:sns:us-east-1:123456789012:mine"]}
    config.save()
    row = sent_row(tenant, config)
    assert post(client, config, sns.notification(hard_bounce(row))).status_code == 403
    mine = sns.notification(hard_bounce(row), topic="arn:aws:sns:us-east-1:123456789012:mine")
    assert post(client, config, mine).status_code == 200
    assert SuppressedAddress.objects.filter(tenant=tenant).count() == 1


def test_feedback_for_one_tenant_never_touches_another(
    tenant: Tenant, other_tenant: Tenant, client: Client, sns: SnsStandIn, aws: None
) -> None:
    mine, theirs = ses_config(tenant), ses_config(other_tenant)
    their_row = sent_row(other_tenant, theirs)
    # A's URL, B's message id and delivery tag: nothing of B's moves.
    assert post(client, mine, sns.notification(hard_bounce(their_row))).status_code == 200
    their_row.refresh_from_db()
    assert their_row.status == Status.SENT
    assert not SuppressedAddress.objects.filter(tenant=other_tenant).exists()
    assert kinds(other_tenant) == [] and kinds(tenant) == []
    assert feedback_url(config=mine) != feedback_url(config=theirs)


def test_the_certificate_host_allow_list_takes_single_labels_and_https_only(settings: Any) -> None:
    settings.SNS_CERT_HOST_ALLOWLIST = ["sns.*.amazonaws.com"]
    assert sns_url_allowed("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem")
    assert sns_url_allowed("https://sns.eu-west-2.amazonaws.com:443/x.pem")
    for url in (
        "http://sns.us-east-1.amazonaws.com/x.pem",
        "https://sns.bucket.s3.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com.evil.example/x.pem",
        "https://evil.example/sns.us-east-1.amazonaws.com/x.pem",
        "https://user:pw@sns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com:8443/x.pem",
        "https://sns..amazonaws.com/x.pem",
    ):
        assert not sns_url_allowed(url), url


def test_a_signed_hard_bounce_inside_the_window_moves_the_recipient_to_sms(
    tenant: Tenant, client: Client, sns: SnsStandIn
) -> None:
    endpoints_upsert(
        tenant=tenant,
        trusted=True,
        items=[
            ("u1-mail", {"ChannelType": "EMAIL", "Address": "u1@example.com", "User": {"UserId": "u1"}}),
            ("u1-sms", {"ChannelType": "SMS", "Address": "+15550000001", "User": {"UserId": "u1"}}),
        ],
    )
    config = channel_config(tenant, provider="sandbox", channel=Channel.EMAIL)
    email = dispatch_create(
        tenant=tenant, channel=Channel.EMAIL, source=Source.CAMPAIGN, message=email_message(), config=config
    )
    sms = dispatch_create(tenant=tenant, channel=Channel.SMS, source=Source.CAMPAIGN, message=sms_message("Hi"))
    dispatch_fallback_set(dispatch=email, to=sms)
    recipient = Recipient(key="run1:u1", endpoint_id="u1-mail", user_id="u1")
    deliveries_enqueue(dispatch=email, recipients=[recipient], send=False)
    deliveries_send(tenant_id=tenant.pk, dispatch_id=email.pk, chunk=0)
    row = Delivery.objects.get(dispatch=email)
    assert post(client, config, sns.notification(hard_bounce(row))).json() == {"status": "hardbounce"}
    hop = Delivery.objects.get(dispatch=sms)
    assert (hop.status, hop.reason, hop.endpoint_id) == (Status.QUEUED, Reason.FALLBACK, "u1-sms")
    assert post(client, config, sns.notification(hard_bounce(row))).status_code == 200
    assert Delivery.objects.filter(dispatch=sms).count() == 1


def test_an_ses_unsubscribe_all_opts_the_recipient_out(
    tenant: Tenant, client: Client, sns: SnsStandIn, aws: None
) -> None:
    config = ses_config(tenant)
    row = sent_row(tenant, config)
    preferences = {"unsubscribeAll": True, "topicSubscriptionStatus": []}
    subscription = {"contactList": "news", "source": "UnsubscribeHeader", "newTopicPreferences": preferences}
    record = ses_event("Subscription", row, subscription=subscription)
    assert post(client, config, sns.notification(record)).json() == {"status": "unsubscribe"}
    assert Endpoint.objects.get(tenant=tenant, endpoint_id="ep0").opt_out == "ALL"
    assert SuppressedAddress.objects.get(tenant=tenant, address=row.address).reason == "UNSUBSCRIBE"
    assert kinds(tenant) == ["_email.unsubscribe"]
