"""Mobile push: Stubber contract tests for pinpoint SendMessages through the real send service — the payload
per service (FCM, APNs standard/silent/raw, VoIP), TTL and priority, and each DeliveryStatus."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from channels.models import ChannelConfig, Reason, Status
from channels.transports import transport_class
from engage.tenancy.models import Tenant
from segments.services.endpoints import endpoints_upsert
from templates.models import Channel
from tests.channels.transport_support import channel_config, clients, dispatch_to, send, stub_client

pytestmark = pytest.mark.django_db

APP = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def stubber() -> Iterator[Stubber]:
    client = stub_client("pinpoint")
    with Stubber(client) as stubber, clients(lambda service, config: client):
        yield stubber
        stubber.assert_no_pending_responses()


def push_config(tenant: Tenant, **settings: Any) -> ChannelConfig:
    return channel_config(tenant, provider="push", channel=Channel.PUSH, **{"application_id": APP, **settings})


def devices(tenant: Tenant, *items: tuple[str, str, str]) -> list[str]:
    """Endpoints (id, ChannelType, token) with a first name each."""
    batch = [
        (
            endpoint_id,
            {
                "ChannelType": channel_type,
                "Address": token,
                "User": {"UserId": f"u-{endpoint_id}", "UserAttributes": {"FirstName": [endpoint_id.title()]}},
            },
        )
        for endpoint_id, channel_type, token in items
    ]
    assert all(r.ok for r in endpoints_upsert(tenant=tenant, items=batch, trusted=True))
    return [endpoint_id for endpoint_id, _, _ in items]


def push_message(**content: Any) -> dict[str, Any]:
    return {"content": content, "default_substitutions": {}, "policy": "EMPTY", "options": {}}


def request(addresses: dict[str, Any], configuration: dict[str, Any]) -> dict[str, Any]:
    return {"ApplicationId": APP, "MessageRequest": {"Addresses": addresses, "MessageConfiguration": configuration}}


def answer(*tokens: str, status: str = "SUCCESSFUL", **extra: Any) -> dict[str, Any]:
    result = {t: {"DeliveryStatus": status, "StatusCode": 200, "MessageId": f"msg-{t}", **extra} for t in tokens}
    return {"MessageResponse": {"ApplicationId": APP, "Result": result}}


def test_standard_pushes_go_one_call_per_service_with_personal_titles_ttl_and_priority(
    tenant: Tenant, stubber: Stubber
) -> None:
    ids = devices(
        tenant,
        ("ann", "GCM", "fcm-ann"),
        ("bob", "GCM", "fcm-bob"),
        ("cat", "APNS", "apns-cat"),
        ("dan", "APNS_SANDBOX", "apns-dan"),
    )
    message = push_message(
        Default={"Title": "Hi {{User.UserAttributes.FirstName}}", "Body": "Spring sale", "Action": "OPEN_APP"},
        APNS={"Sound": "default"},
    )
    config = push_config(tenant, time_to_live=3600, priority="high")
    stubber.add_response(
        "send_messages",
        answer("fcm-ann", "fcm-bob"),
        request(
            {
                "fcm-ann": {"ChannelType": "GCM", "TitleOverride": "Hi Ann"},
                "fcm-bob": {"ChannelType": "GCM", "TitleOverride": "Hi Bob"},
            },
            {"GCMMessage": {"Action": "OPEN_APP", "Body": "Spring sale", "TimeToLive": 3600, "Priority": "high"}},
        ),
    )
    stubber.add_response(
        "send_messages",
        answer("apns-cat", "apns-dan"),
        request(
            {
                "apns-cat": {"ChannelType": "APNS", "TitleOverride": "Hi Cat"},
                "apns-dan": {"ChannelType": "APNS_SANDBOX", "TitleOverride": "Hi Dan"},
            },
            {
                "APNSMessage": {
                    "Action": "OPEN_APP",
                    "Body": "Spring sale",
                    "Sound": "default",
                    "TimeToLive": 3600,
                    "Priority": "high",
                    "APNSPushType": "alert",
                }
            },
        ),
    )
    rows = send(dispatch_to(tenant, config, message, [(i, None) for i in ids]))
    assert [(r.status, r.provider_message_id) for r in rows] == [
        (Status.SENT, "msg-fcm-ann"),
        (Status.SENT, "msg-fcm-bob"),
        (Status.SENT, "msg-apns-cat"),
        (Status.SENT, "msg-apns-dan"),
    ]


def test_a_silent_apns_push_carries_its_data_in_the_background(tenant: Tenant, stubber: Stubber) -> None:
    [ann] = devices(tenant, ("ann", "APNS", "apns-ann"))
    message = push_message(Default={"SilentPush": True, "Data": {"sync": "inbox", "user": "{{User.UserId}}"}})
    stubber.add_response(
        "send_messages",
        answer("apns-ann"),
        request(
            {"apns-ann": {"ChannelType": "APNS"}},
            {
                "APNSMessage": {
                    "SilentPush": True,
                    "Data": {"sync": "inbox", "user": "u-ann"},
                    "APNSPushType": "background",
                    "Priority": "normal",
                }
            },
        ),
    )
    [row] = send(dispatch_to(tenant, push_config(tenant), message, [(ann, None)]))
    assert row.status == Status.SENT


def test_raw_content_goes_per_address_when_personal_and_voip_is_marked(tenant: Tenant, stubber: Stubber) -> None:
    ids = devices(tenant, ("ann", "GCM", "fcm-ann"), ("bob", "GCM", "fcm-bob"), ("cat", "APNS_VOIP", "voip-cat"))
    message = push_message(
        GCM={"RawContent": '{"data": {"hello": "{{User.UserAttributes.FirstName}}"}}'},
        APNS={"RawContent": '{"aps": {"content-available": 1}}'},
    )
    stubber.add_response(
        "send_messages",
        answer("fcm-ann", "fcm-bob"),
        request(
            {
                "fcm-ann": {"ChannelType": "GCM", "RawContent": '{"data": {"hello": "Ann"}}'},
                "fcm-bob": {"ChannelType": "GCM", "RawContent": '{"data": {"hello": "Bob"}}'},
            },
            {"GCMMessage": {"TimeToLive": 60}},
        ),
    )
    stubber.add_response(
        "send_messages",
        answer("voip-cat"),
        request(
            {"voip-cat": {"ChannelType": "APNS_VOIP"}},
            {
                "APNSMessage": {
                    "RawContent": '{"aps": {"content-available": 1}}',
                    "TimeToLive": 60,
                    "APNSPushType": "voip",
                }
            },
        ),
    )
    rows = send(dispatch_to(tenant, push_config(tenant, time_to_live=60), message, [(i, None) for i in ids]))
    assert {r.status for r in rows} == {Status.SENT}


def test_it_maps_every_delivery_status(tenant: Tenant, stubber: Stubber) -> None:
    statuses = [
        "SUCCESSFUL",
        "THROTTLED",
        "TEMPORARY_FAILURE",
        "TIMEOUT",
        "PERMANENT_FAILURE",
        "OPT_OUT",
        "DUPLICATE",
        "UNKNOWN_FAILURE",
    ]
    ids = devices(tenant, *[(f"d{i}", "GCM", f"tok-{s}") for i, s in enumerate(statuses)])
    result = {
        f"tok-{s}": {"DeliveryStatus": s, "StatusCode": 200 if s == "SUCCESSFUL" else 400, "StatusMessage": f"{s} text"}
        for s in statuses
    }
    result["tok-SUCCESSFUL"]["MessageId"] = "m-ok"
    stubber.add_response(
        "send_messages",
        {"MessageResponse": {"ApplicationId": APP, "Result": result}},
        {"ApplicationId": APP, "MessageRequest": ANY},
    )
    message = push_message(Default={"Title": "Hello", "Body": "World"})
    rows = send(dispatch_to(tenant, push_config(tenant), message, [(i, None) for i in ids]))
    assert [(r.status, r.reason) for r in rows] == [
        (Status.SENT, ""),
        (Status.QUEUED, Reason.THROTTLED),
        (Status.QUEUED, ""),
        (Status.QUEUED, ""),
        (Status.FAILED, Reason.PROVIDER_REJECTED),
        (Status.FAILED, Reason.PROVIDER_REJECTED),
        (Status.FAILED, Reason.PROVIDER_REJECTED),
        (Status.UNKNOWN, Reason.PROVIDER_ERROR),
    ]
    assert rows[0].provider_message_id == "m-ok"
    assert rows[4].status_message == "PERMANENT_FAILURE: PERMANENT_FAILURE text"


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("TooManyRequestsException", 429, (Status.QUEUED, Reason.THROTTLED)),
        ("InternalServerErrorException", 500, (Status.QUEUED, "")),
        ("ForbiddenException", 403, (Status.FAILED, Reason.PROVIDER_REJECTED)),
        ("NotFoundException", 404, (Status.FAILED, Reason.PROVIDER_REJECTED)),
        ("BadRequestException", 400, (Status.FAILED, Reason.PROVIDER_REJECTED)),
    ],
)
def test_a_refused_call_maps_for_every_address_in_it(
    tenant: Tenant, stubber: Stubber, code: str, status: int, expected: tuple[str, str]
) -> None:
    ids = devices(tenant, ("ann", "GCM", "fcm-ann"), ("bob", "GCM", "fcm-bob"))
    stubber.add_client_error("send_messages", code, f"{code} text", status)
    message = push_message(Default={"Title": "Hello", "Body": "World"})
    rows = send(dispatch_to(tenant, push_config(tenant), message, [(i, None) for i in ids]))
    assert {(r.status, r.reason) for r in rows} == {expected}
    assert rows[0].status_message.startswith(f"{code}: {code} text")


def test_one_token_twice_goes_in_two_calls_and_addresses_take_their_channel_type(
    tenant: Tenant, stubber: Stubber
) -> None:
    message = push_message(Default={"Title": "Hello", "Body": "World"})
    for _ in range(2):
        stubber.add_response(
            "send_messages",
            answer("tok-1"),
            request({"tok-1": {"ChannelType": "BAIDU"}}, {"BaiduMessage": {"Title": "Hello", "Body": "World"}}),
        )
    recipients: list[tuple[str, dict[str, Any] | None]] = [("tok-1", {"ChannelType": "BAIDU"})] * 2
    dispatch = dispatch_to(tenant, push_config(tenant), message, recipients, by_address=True)
    rows = send(dispatch)
    assert [r.status for r in rows] == [Status.SENT, Status.SENT]


def test_an_endpoint_that_is_not_a_push_type_fails_alone(tenant: Tenant, stubber: Stubber) -> None:
    message = push_message(Default={"Title": "Hello", "Body": "World"})
    recipients: list[tuple[str, dict[str, Any] | None]] = [("tok-1", {"ChannelType": "EMAIL"})]
    [row] = send(dispatch_to(tenant, push_config(tenant), message, recipients, by_address=True))
    assert row.status == Status.FAILED and row.status_message.startswith("EMAIL is not a push channel type")


def test_check_reports_the_application_its_limits_and_channels_or_the_error(tenant: Tenant, stubber: Stubber) -> None:
    arn = f"arn:aws:mobiletargeting:us-east-1:123456789012:apps/{APP}"
    stubber.add_response(
        "get_app", {"ApplicationResponse": {"Id": APP, "Name": "Acme", "Arn": arn}}, {"ApplicationId": APP}
    )
    stubber.add_response(
        "get_application_settings",
        {"ApplicationSettingsResource": {"ApplicationId": APP, "Limits": {"Daily": 5, "MessagesPerSecond": 50}}},
        {"ApplicationId": APP},
    )
    stubber.add_response(
        "get_channels",
        {
            "ChannelsResponse": {
                "Channels": {"GCM": {"Enabled": True}, "APNS": {"Enabled": False}, "SMS": {"Enabled": True}}
            }
        },
        {"ApplicationId": APP},
    )
    stubber.add_client_error("get_app", "NotFoundException", "Resource not found", 404)
    transport = transport_class("push")(push_config(tenant))
    result = transport.check()
    missing = transport.check()
    assert result.ok and result.values == {
        "application_id": APP,
        "application_name": "Acme",
        "application_arn": arn,
        "limits": {"Daily": 5, "MessagesPerSecond": 50},
        "channels": ["GCM"],
    }
    assert not missing.ok and missing.error == "NotFoundException: Resource not found"


def test_another_tenant_cannot_send_the_dispatch(tenant: Tenant, other_tenant: Tenant, stubber: Stubber) -> None:
    from channels.services.send import deliveries_send

    [ann] = devices(tenant, ("ann", "GCM", "fcm-ann"))
    dispatch = dispatch_to(tenant, push_config(tenant), push_message(Default={"Body": "Hi"}), [(ann, None)])
    assert deliveries_send(tenant_id=other_tenant.pk, dispatch_id=dispatch.pk, chunk=0).claimed == 0
