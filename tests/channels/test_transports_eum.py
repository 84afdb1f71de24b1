"""End User Messaging SMS and voice: Stubber contract tests (pinpoint-sms-voice-v2) through the real send
service — the exact request, the origination identity order (inventory §7.2) and how each error maps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.stub import Stubber

from channels.models import ChannelConfig, Delivery, Dispatch, Reason, Status
from channels.transports import transport_class
from channels.transports.eum import OriginationUnknown, origination_choose
from engage.events.models import Event
from engage.tenancy.models import Tenant
from templates.models import Channel
from tests.channels.support import make_endpoints, sms_message
from tests.channels.transport_support import channel_config, clients, dispatch_to, send, stub_client

pytestmark = pytest.mark.django_db

US_LONG = {"identity": "+12065550100", "kind": "long_code", "country": "US", "route": "transactional"}
US_SHORT = {"identity": "54321", "kind": "short_code", "country": "US", "route": "promotional"}
US_10DLC = {"identity": "+12065550111", "kind": "10dlc", "country": "US", "route": "transactional"}
US_TOLL_FREE = {"identity": "+18885550100", "kind": "toll_free", "country": "US", "route": "transactional"}
GB_LONG = {"identity": "+447700900100", "kind": "long_code", "country": "GB", "route": "transactional"}
GB_SENDER = {"identity": "ACME", "kind": "sender_id", "country": "GB", "route": "transactional"}
IN_SENDER = {"identity": "ACMEIN", "kind": "sender_id", "country": "IN", "route": "transactional"}


@dataclass
class Stubbed:
    client: Any
    stubber: Stubber


@pytest.fixture
def stub() -> Iterator[Stubbed]:
    client = stub_client("pinpoint-sms-voice-v2")
    with Stubber(client) as stubber, clients(lambda service, config: client):
        yield Stubbed(client, stubber)
        stubber.assert_no_pending_responses()


def sms_config(tenant: Tenant, identities: list[dict[str, str]] | None = None, **settings: Any) -> ChannelConfig:
    base = {"message_type": "TRANSACTIONAL", "configuration_set": "sms-events"}
    if identities is not None:
        base["origination_identities"] = identities  # type: ignore[assignment]
    return channel_config(tenant, provider="eum_sms", channel=Channel.SMS, **{**base, **settings})


def context(dispatch: Dispatch, endpoint_or_address: str) -> dict[str, str]:
    row = Delivery.objects.get(dispatch=dispatch, key=f"{dispatch.pk}:{endpoint_or_address}")
    return {
        "engage_delivery": str(row.pk),
        "engage_key": row.key,
        "engage_application": dispatch.tenant.public_id,
        "engage_campaign": "c1",
    }


def test_it_sends_an_sms_with_type_identity_configuration_set_and_context(tenant: Tenant, stub: Stubbed) -> None:
    [endpoint] = make_endpoints(tenant, 1, channel="SMS")
    config = sms_config(tenant, [US_LONG, US_SHORT])
    dispatch = dispatch_to(tenant, config, sms_message("Your code is 1234"), [(endpoint, None)])
    stub.stubber.add_response(
        "send_text_message",
        {"MessageId": "sms-1"},
        {
            "DestinationPhoneNumber": "+15550000000",
            "OriginationIdentity": "+12065550100",
            "MessageBody": "Your code is 1234",
            "MessageType": "TRANSACTIONAL",
            "ConfigurationSetName": "sms-events",
            "Context": context(dispatch, endpoint),
        },
    )
    [row] = send(dispatch)
    assert (row.status, row.provider_message_id, row.parts) == (Status.SENT, "sms-1", 1)
    event = Event.objects.get(tenant=tenant, event_type="_SMS.BUFFERED")
    assert event.attributes["message_id"] == "sms-1" and event.attributes["message_type"] == "Transactional"


def test_promotional_messages_take_the_promotional_short_code_with_keyword_and_no_config_set(
    tenant: Tenant, stub: Stubbed
) -> None:
    [endpoint] = make_endpoints(tenant, 1, channel="SMS")
    config = sms_config(tenant, [US_LONG, US_SHORT], configuration_set="")
    message = sms_message("Spring sale! " + "x" * 160, MessageType="PROMOTIONAL", Keyword="SALE")
    dispatch = dispatch_to(tenant, config, message, [(endpoint, None)])
    stub.stubber.add_response(
        "send_text_message",
        {"MessageId": "sms-2"},
        {
            "DestinationPhoneNumber": "+15550000000",
            "OriginationIdentity": "54321",
            "MessageBody": "Spring sale! " + "x" * 160,
            "MessageType": "PROMOTIONAL",
            "Keyword": "SALE",
            "Context": context(dispatch, endpoint),
        },
    )
    [row] = send(dispatch)
    assert (row.status, row.parts) == (Status.SENT, 2)


def test_india_dlt_ids_go_as_destination_country_parameters(tenant: Tenant, stub: Stubbed) -> None:
    config = sms_config(tenant, [US_LONG, IN_SENDER])
    message = sms_message("OTP 9876", EntityId="1101456789", TemplateId="1107161234567890123")
    dispatch = dispatch_to(tenant, config, message, [("+919876543210", None)], by_address=True)
    stub.stubber.add_response(
        "send_text_message",
        {"MessageId": "sms-in"},
        {
            "DestinationPhoneNumber": "+919876543210",
            "OriginationIdentity": "+12065550100",
            "MessageBody": "OTP 9876",
            "MessageType": "TRANSACTIONAL",
            "ConfigurationSetName": "sms-events",
            "DestinationCountryParameters": {"IN_ENTITY_ID": "1101456789", "IN_TEMPLATE_ID": "1107161234567890123"},
            "Context": context(dispatch, "+919876543210"),
        },
    )
    [row] = send(dispatch)
    assert row.status == Status.SENT


def test_an_unknown_origination_number_fails_that_message_without_a_call(tenant: Tenant, stub: Stubbed) -> None:
    [endpoint] = make_endpoints(tenant, 1, channel="SMS")
    message = sms_message("Hi", OriginationNumber="+12065559999")
    [row] = send(dispatch_to(tenant, sms_config(tenant, [US_LONG]), message, [(endpoint, None)]))
    assert (row.status, row.reason) == (Status.FAILED, Reason.PROVIDER_REJECTED)
    assert row.status_message == "origination number +12065559999 is not one of this channel's identities"


@pytest.mark.parametrize(
    ("destination", "identities", "options", "message_type", "expected"),
    [
        ("+15550000000", [US_LONG, US_TOLL_FREE, US_10DLC, US_SHORT], {}, "PROMOTIONAL", "54321"),
        ("+15550000000", [US_LONG, US_TOLL_FREE, US_10DLC], {}, "TRANSACTIONAL", "+12065550111"),
        ("+15550000000", [US_TOLL_FREE, US_LONG], {}, "TRANSACTIONAL", "+18885550100"),
        ("+15550000000", [US_SHORT, US_LONG], {}, "TRANSACTIONAL", "+12065550100"),
        ("+15550000000", [US_SHORT, US_LONG], {}, "PROMOTIONAL", "54321"),
        ("+447700900123", [US_SHORT, US_LONG, GB_LONG], {}, "TRANSACTIONAL", "+447700900100"),
        ("+447700900123", [US_SHORT, US_10DLC, US_LONG], {}, "TRANSACTIONAL", "+12065550100"),
        ("+447700900123", [US_SHORT, GB_SENDER], {}, "TRANSACTIONAL", "ACME"),
        ("+447700900123", [US_SHORT], {}, "TRANSACTIONAL", "DEFAULTID"),
        ("+15550000000", [US_LONG], {"OriginationNumber": "+12065550100"}, "TRANSACTIONAL", "+12065550100"),
        ("+15550000000", [], {"OriginationNumber": "+12065557777"}, "TRANSACTIONAL", "+12065557777"),
        ("+15550000000", [US_SHORT], {"SenderId": "MyBrand"}, "PROMOTIONAL", "MyBrand"),
        ("+15550000000", [], {}, "TRANSACTIONAL", "DEFAULTID"),
    ],
)
def test_it_picks_the_origination_identity_in_pinpoints_order(
    destination: str, identities: list[dict[str, str]], options: dict[str, str], message_type: str, expected: str
) -> None:
    chosen = origination_choose(
        identities=identities,
        destination=destination,
        message_type=message_type,
        options=options,
        sender_id="DEFAULTID",
    )
    assert chosen == expected


def test_no_identity_and_no_sender_id_means_the_shared_route() -> None:
    assert (
        origination_choose(identities=[], destination="+15550000000", message_type="X", options={}, sender_id="") == ""
    )
    with pytest.raises(OriginationUnknown):
        origination_choose(
            identities=[US_LONG],
            destination="+1555",
            message_type="X",
            options={"OriginationNumber": "+1"},
            sender_id="",
        )


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ThrottlingException", 400, (Status.QUEUED, Reason.THROTTLED)),
        ("InternalServerException", 500, (Status.QUEUED, "")),
        ("ValidationException", 400, (Status.FAILED, Reason.PROVIDER_REJECTED)),
        ("ConflictException", 400, (Status.FAILED, Reason.PROVIDER_REJECTED)),
        ("AccessDeniedException", 403, (Status.FAILED, Reason.PROVIDER_REJECTED)),
        ("ServiceQuotaExceededException", 402, (Status.FAILED, Reason.PROVIDER_REJECTED)),
    ],
)
def test_it_maps_each_error_of_send_text_message(
    tenant: Tenant, stub: Stubbed, code: str, status: int, expected: tuple[str, str]
) -> None:
    [endpoint] = make_endpoints(tenant, 1, channel="SMS")
    stub.stubber.add_client_error("send_text_message", code, f"{code} happened", status)
    [row] = send(dispatch_to(tenant, sms_config(tenant, [US_LONG]), sms_message("Hi"), [(endpoint, None)]))
    assert (row.status, row.reason) == expected
    assert row.status_message.startswith(f"{code}: {code} happened")


def test_an_opted_out_destination_fails_alone(tenant: Tenant, stub: Stubbed) -> None:
    endpoints = make_endpoints(tenant, 3, channel="SMS")
    stub.stubber.add_client_error("send_text_message", "ConflictException", "DESTINATION_PHONE_NUMBER_OPTED_OUT")
    stub.stubber.add_response("send_text_message", {"MessageId": "ok-1"})
    stub.stubber.add_response("send_text_message", {"MessageId": "ok-2"})
    rows = send(dispatch_to(tenant, sms_config(tenant, [US_LONG]), sms_message("Hi"), [(e, None) for e in endpoints]))
    assert sorted(r.status for r in rows) == [Status.FAILED, Status.SENT, Status.SENT]
    failed = next(r for r in rows if r.status == Status.FAILED)
    assert failed.status_message == "ConflictException: DESTINATION_PHONE_NUMBER_OPTED_OUT"
    assert Event.objects.filter(tenant=tenant, event_type="_SMS.FAILURE").count() == 1


def test_an_explicit_number_aws_does_not_know_fails_only_its_message(tenant: Tenant, stub: Stubbed) -> None:
    [endpoint] = make_endpoints(tenant, 1, channel="SMS")
    stub.stubber.add_client_error("send_text_message", "ResourceNotFoundException", "phone-number not found", 404)
    message = sms_message("Hi", OriginationNumber="+12065557777")
    [row] = send(dispatch_to(tenant, sms_config(tenant, []), message, [(endpoint, None)]))
    assert (row.status, row.reason) == (Status.FAILED, Reason.PROVIDER_REJECTED)


def voice_config(tenant: Tenant, **settings: Any) -> ChannelConfig:
    base = {"origination_number": "+12065550100", "voice_id": "MATTHEW", "configuration_set": "voice-events"}
    return channel_config(tenant, provider="eum_voice", channel=Channel.VOICE, **{**base, **settings})


@pytest.mark.parametrize(
    ("content", "text_type", "voice"),
    [
        ({"Body": "Your code is 1 2 3 4"}, "TEXT", "MATTHEW"),
        ({"Body": "<speak>Your code is <say-as interpret-as='digits'>1234</say-as></speak>"}, "SSML", "MATTHEW"),
        ({"Body": "Hola", "VoiceId": "Lupe", "LanguageCode": "es-US"}, "TEXT", "LUPE"),
    ],
)
def test_it_calls_with_a_text_or_ssml_script_and_the_voice(
    tenant: Tenant, stub: Stubbed, content: dict[str, str], text_type: str, voice: str
) -> None:
    [endpoint] = make_endpoints(tenant, 1, channel="VOICE")
    message = {"content": content, "default_substitutions": {}, "policy": "EMPTY", "options": {}}
    dispatch = dispatch_to(tenant, voice_config(tenant), message, [(endpoint, None)])
    stub.stubber.add_response(
        "send_voice_message",
        {"MessageId": "voice-1"},
        {
            "DestinationPhoneNumber": "+15550000000",
            "OriginationIdentity": "+12065550100",
            "MessageBody": content["Body"],
            "MessageBodyTextType": text_type,
            "VoiceId": voice,
            "ConfigurationSetName": "voice-events",
            "Context": context(dispatch, endpoint),
        },
    )
    [row] = send(dispatch)
    assert (row.status, row.provider_message_id) == (Status.SENT, "voice-1")


def test_a_voice_channel_without_a_number_fails_with_what_to_set(tenant: Tenant, stub: Stubbed) -> None:
    [endpoint] = make_endpoints(tenant, 1, channel="VOICE")
    message = {"content": {"Body": "Hi"}, "default_substitutions": {}, "policy": "EMPTY", "options": {}}
    [row] = send(dispatch_to(tenant, voice_config(tenant, origination_number=""), message, [(endpoint, None)]))
    assert row.status == Status.FAILED
    assert row.status_message == "the voice channel has no origination number: set one"


def test_check_reports_tier_spend_limits_and_numbers_or_the_error(tenant: Tenant, stub: Stubbed) -> None:
    stub.stubber.add_response(
        "describe_account_attributes", {"AccountAttributes": [{"Name": "ACCOUNT_TIER", "Value": "PRODUCTION"}]}, {}
    )
    stub.stubber.add_response(
        "describe_spend_limits",
        {
            "SpendLimits": [
                {"Name": "TEXT_MESSAGE_MONTHLY_SPEND_LIMIT", "EnforcedLimit": 100, "MaxLimit": 100, "Overridden": True},
                {"Name": "VOICE_MESSAGE_MONTHLY_SPEND_LIMIT", "EnforcedLimit": 10, "MaxLimit": 10, "Overridden": False},
            ]
        },
        {},
    )
    number = {
        "PhoneNumberArn": "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-1",
        "PhoneNumber": "+12065550100",
        "Status": "ACTIVE",
        "IsoCountryCode": "US",
        "MessageType": "TRANSACTIONAL",
        "NumberCapabilities": ["SMS", "VOICE"],
        "NumberType": "LONG_CODE",
        "MonthlyLeasingPrice": "1.00",
        "TwoWayEnabled": False,
        "SelfManagedOptOutsEnabled": False,
        "OptOutListName": "Default",
        "DeletionProtectionEnabled": False,
        "CreatedTimestamp": "2026-01-01T00:00:00Z",
    }
    stub.stubber.add_response("describe_phone_numbers", {"PhoneNumbers": [number]}, {"MaxResults": 20})
    stub.stubber.add_client_error("describe_account_attributes", "AccessDeniedException", "no sms-voice access", 403)
    transport = transport_class("eum_sms")(sms_config(tenant))
    result = transport.check()
    denied = transport.check()
    assert result.ok and result.values == {
        "account_tier": "PRODUCTION",
        "text_message_monthly_spend_limit_usd": 100,
        "voice_message_monthly_spend_limit_usd": 10,
        "phone_numbers": ["+12065550100 US LONG_CODE TRANSACTIONAL SMS/VOICE ACTIVE"],
    }
    assert not denied.ok and denied.error.startswith("AccessDeniedException: no sms-voice access")


def test_another_tenant_cannot_send_the_dispatch(tenant: Tenant, other_tenant: Tenant, stub: Stubbed) -> None:
    from channels.services.send import deliveries_send

    [endpoint] = make_endpoints(tenant, 1, channel="SMS")
    dispatch = dispatch_to(tenant, sms_config(tenant, [US_LONG]), sms_message("Hi"), [(endpoint, None)])
    assert deliveries_send(tenant_id=other_tenant.pk, dispatch_id=dispatch.pk, chunk=0).claimed == 0
