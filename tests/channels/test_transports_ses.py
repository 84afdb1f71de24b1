"""The SES transport through the real send service, against moto's SES v2 (and botocore hooks for faults)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email import message_from_string
from email.policy import default as default_policy
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from botocore.stub import Stubber
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from channels.models import ChannelConfig, Reason, Status
from channels.services.send import deliveries_send
from channels.transports import transport_class
from channels.transports.aws import aws_error
from engage.events.models import Event
from engage.tenancy.models import Tenant
from templates.models import Channel
from tests.channels.support import email_message, make_endpoints
from tests.channels.transport_support import (
    channel_config,
    clients,
    dispatch_to,
    error_response,
    hooked,
    send,
    set_aws_env,
    stub_client,
)

pytestmark = pytest.mark.django_db

UNSUBSCRIBE = "https://engage.example/u/signed-token"


@pytest.fixture
def ses(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto's SES with example.com verified; yields the backend that records what SES was asked to send."""
    set_aws_env(monkeypatch)
    with mock_aws():
        boto3.client("sesv2", region_name="us-east-1").create_email_identity(EmailIdentity="example.com")
        yield ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]


def ses_config(tenant: Tenant, **settings: Any) -> ChannelConfig:
    base = {
        "from_address": "news@example.com",
        "from_name": "Acme News",
        "configuration_set": "marketing",
        "reply_to": ["help@example.com"],
        "tracking": False,  # engagement tracking has its own tests (tests/channels/test_tracking.py)
    }
    return channel_config(tenant, provider="ses", channel=Channel.EMAIL, **{**base, **settings})


def with_headers(count: int) -> dict[str, Any]:
    message = email_message()
    message["content"]["Headers"] = [{"Name": f"X-Tag-{i}", "Value": f"{{{{User.UserId}}}}-{i}"} for i in range(count)]
    return message


def test_it_sends_each_message_with_its_headers_tags_and_one_click_unsubscribe(tenant: Tenant, ses: Any) -> None:
    ids = make_endpoints(tenant, 3)
    config = ses_config(tenant)
    requests: list[dict[str, Any]] = []
    dispatch = dispatch_to(
        tenant, config, with_headers(1), [(i, {"UnsubscribeUrl": f"{UNSUBSCRIBE}-{i}"}) for i in ids]
    )
    with hooked("before-call.sesv2.SendEmail", lambda params, **_: requests.append(json.loads(params["body"]))):
        rows = send(dispatch)
    assert [r.status for r in rows] == [Status.SENT] * 3
    sent = {m.destinations["ToAddresses"][0]: m for m in ses.sent_messages}
    assert {r.provider_message_id for r in rows} == {m.id for m in sent.values()}
    first = sent["user0@example.com"]
    assert first.subject == "Hi Name0" and first.body == "<p>Hello Name0</p>"
    assert first.source == "Acme News <news@example.com>"
    request = next(r for r in requests if r["Destination"]["ToAddresses"] == ["user0@example.com"])
    assert request["ConfigurationSetName"] == "marketing"
    assert request["ReplyToAddresses"] == ["help@example.com"]
    simple = request["Content"]["Simple"]
    assert simple["Body"]["Text"]["Data"] == "Hello Name0"
    assert simple["Headers"] == [
        {"Name": "X-Tag-0", "Value": "u0-0"},
        {"Name": "List-Unsubscribe", "Value": f"<{UNSUBSCRIBE}-ep0>"},
        {"Name": "List-Unsubscribe-Post", "Value": "List-Unsubscribe=One-Click"},
    ]
    tags = {t["Name"]: t["Value"] for t in request["EmailTags"]}
    assert tags == {"engage_delivery": str(rows[0].pk), "engage_application": tenant.public_id, "engage_campaign": "c1"}
    events = Event.objects.filter(tenant=tenant, event_type="_email.send")
    assert sorted(e.attributes["message_id"] for e in events) == sorted(r.provider_message_id for r in rows)


def test_it_goes_raw_when_the_headers_do_not_fit_simple_content(tenant: Tenant, ses: Any) -> None:
    ids = make_endpoints(tenant, 1)
    dispatch = dispatch_to(tenant, ses_config(tenant), with_headers(15), [(ids[0], {"UnsubscribeUrl": UNSUBSCRIBE})])
    [row] = send(dispatch)
    assert row.status == Status.SENT
    [raw] = ses.sent_messages
    parsed = message_from_string(raw.raw_data, policy=default_policy)
    assert parsed["Subject"] == "Hi Name0" and parsed["To"] == "user0@example.com"
    assert parsed["X-Tag-14"] == "u0-14"
    assert parsed["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed.get_body(("html",)).get_content().strip() == "<p>Hello Name0</p>"


def test_it_uses_the_mailto_and_the_from_address_option(tenant: Tenant, ses: Any) -> None:
    ids = make_endpoints(tenant, 1)
    config = ses_config(tenant, unsubscribe_mailto="unsubscribe@example.com")
    requests: list[dict[str, Any]] = []
    dispatch = dispatch_to(tenant, config, email_message(FromAddress="Offers <offers@example.com>"), [(ids[0], None)])
    with hooked("before-call.sesv2.SendEmail", lambda params, **_: requests.append(json.loads(params["body"]))):
        [row] = send(dispatch)
    assert row.status == Status.SENT
    assert requests[0]["FromEmailAddress"] == "Offers <offers@example.com>"
    assert requests[0]["Content"]["Simple"]["Headers"] == [
        {"Name": "List-Unsubscribe", "Value": "<mailto:unsubscribe@example.com>"}
    ]


def test_a_rejected_message_fails_only_its_own_row(tenant: Tenant, ses: Any) -> None:
    ids = make_endpoints(tenant, 3)
    recipients = [(ids[0], None), (ids[1], {"FromAddress": "someone@unverified.test"}), (ids[2], None)]
    rows = send(dispatch_to(tenant, ses_config(tenant), email_message(), recipients))
    assert [(r.status, r.reason) for r in rows] == [
        (Status.SENT, ""),
        (Status.FAILED, Reason.PROVIDER_REJECTED),
        (Status.SENT, ""),
    ]
    assert rows[1].status_message == "MessageRejected: Email address not verified someone@unverified.test"
    assert len(ses.sent_messages) == 2
    rejected = Event.objects.get(tenant=tenant, event_type="_email.rejected")
    assert "not verified" in rejected.attributes["feedback"]


def test_throttling_puts_the_rows_back_in_the_queue_not_failed(tenant: Tenant, ses: Any) -> None:
    ids = make_endpoints(tenant, 3)
    dispatch = dispatch_to(tenant, ses_config(tenant), email_message(), [(i, None) for i in ids])

    def throttle(**_: Any) -> Any:
        return error_response("TooManyRequestsException", "Maximum sending rate exceeded.", 429)

    with hooked("before-call.sesv2.SendEmail", throttle):
        rows = send(dispatch)
    assert {(r.status, r.reason) for r in rows} == {(Status.QUEUED, Reason.THROTTLED)}
    assert all(r.not_before is not None and r.not_before > r.queued_at for r in rows)
    assert "TooManyRequestsException: Maximum sending rate exceeded." in rows[0].status_message
    assert not ses.sent_messages
    assert not Event.objects.filter(tenant=tenant, event_type__in=["_email.send", "_email.rejected"]).exists()


def test_bad_credentials_fail_the_batch_with_what_to_fix(tenant: Tenant, ses: Any) -> None:
    ids = make_endpoints(tenant, 2)
    dispatch = dispatch_to(tenant, ses_config(tenant), email_message(), [(i, None) for i in ids])

    def refuse(**_: Any) -> Any:
        return error_response("InvalidClientTokenId", "The security token included in the request is invalid.", 403)

    with hooked("before-call.sesv2.SendEmail", refuse):
        rows = send(dispatch)
    assert {r.status for r in rows} == {Status.FAILED}
    assert rows[0].status_message.endswith("(check the access key id)")


def test_a_lost_connection_retries_and_a_read_timeout_is_unknown(tenant: Tenant, ses: Any) -> None:
    ids = make_endpoints(tenant, 2)
    dispatch = dispatch_to(tenant, ses_config(tenant), email_message(), [(ids[0], None)])

    def unreachable(**_: Any) -> Any:
        raise EndpointConnectionError(endpoint_url="https://email.us-east-1.amazonaws.com")

    with hooked("before-call.sesv2.SendEmail", unreachable):
        [row] = send(dispatch)
    assert (row.status, row.reason) == (Status.QUEUED, "")
    assert "Could not connect" in row.status_message

    later = dispatch_to(tenant, ses_config(tenant), email_message(), [(ids[1], None)])

    def slow(**_: Any) -> Any:
        raise ReadTimeoutError(endpoint_url="https://email.us-east-1.amazonaws.com")

    with hooked("before-call.sesv2.SendEmail", slow):
        [row] = send(later)
    assert (row.status, row.reason) == (Status.UNKNOWN, Reason.PROVIDER_ERROR)


def test_another_tenant_cannot_send_the_dispatch(tenant: Tenant, other_tenant: Tenant, ses: Any) -> None:
    ids = make_endpoints(tenant, 1)
    dispatch = dispatch_to(tenant, ses_config(tenant), email_message(), [(ids[0], None)])
    assert deliveries_send(tenant_id=other_tenant.pk, dispatch_id=dispatch.pk, chunk=0).claimed == 0
    assert not ses.sent_messages


def test_check_reports_the_account_from_get_account(tenant: Tenant) -> None:
    client = stub_client("sesv2")
    account = {
        "SendQuota": {"Max24HourSend": 50000.0, "MaxSendRate": 14.0, "SentLast24Hours": 120.0},
        "ProductionAccessEnabled": True,
        "SendingEnabled": True,
        "EnforcementStatus": "HEALTHY",
    }
    transport = transport_class("ses")(ses_config(tenant))
    with Stubber(client) as stubber, clients(lambda service, config: client):
        stubber.add_response("get_account", account, {})
        stubber.add_client_error("get_account", "AccessDeniedException", "not authorized: ses:GetAccount", 403)
        result = transport.check()
        denied = transport.check()
    assert result.ok and result.values == {
        "max_24_hour_send": 50000.0,
        "max_send_rate": 14.0,
        "sent_last_24_hours": 120.0,
        "production_access_enabled": True,
        "sending_enabled": True,
        "enforcement_status": "HEALTHY",
    }
    assert not denied.ok
    assert denied.error.startswith("AccessDeniedException: not authorized: ses:GetAccount")


@pytest.mark.parametrize(
    ("code", "message", "status", "expected"),
    [
        ("Throttling", "Maximum sending rate exceeded.", 400, "throttled"),
        ("TooManyRequestsException", "Too many requests", 429, "throttled"),
        ("ThrottlingException", "Rate exceeded", 400, "throttled"),
        ("SomethingNew", "slow down", 429, "throttled"),
        ("454", "Throttling failure: Maximum sending rate exceeded.", 454, "throttled"),
        ("AccessDenied", "not authorized to perform ses:SendEmail", 403, "permanent"),
        ("AccountSuspendedException", "sending is suspended", 400, "permanent"),
        ("InternalFailure", "oops", 500, "retry"),
        ("MessageRejected", "Email address is not verified.", 400, "message"),
        ("BadRequestException", "Illegal address", 400, "message"),
    ],
)
def test_it_maps_aws_errors_to_what_the_send_path_does(code: str, message: str, status: int, expected: str) -> None:
    parsed = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    error = aws_error(ClientError(parsed, "SendEmail"))  # type: ignore[arg-type]
    if expected == "message":
        assert error is None
        return
    assert error is not None
    got = "throttled" if error.throttled else ("permanent" if error.permanent else "retry")
    assert got == expected and error.message.startswith(f"{code}: {message}")
