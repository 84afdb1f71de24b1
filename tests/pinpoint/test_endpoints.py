"""Endpoints, users, events and in-app messages through boto3, against the same services as the console."""

from __future__ import annotations

from typing import Any

from engage.events.models import Event
from engage.tenancy.models import Tenant
from segments.models import AttributeName, Endpoint
from segments.services.endpoints import endpoint_upsert
from tests.channels.test_inapp import banner, deliver, devices
from tests.pinpoint.conftest import Client, body_extra, error_of

ALICE = {
    "ChannelType": "EMAIL",
    "Address": "alice@example.com",
    "Attributes": {"Plan": ["pro"]},
    "Metrics": {"Visits": 3},
    "Demographic": {"Platform": "iOS", "Timezone": "Europe/Berlin"},
    "Location": {"Country": "DE", "City": "Berlin"},
    "User": {"UserId": "alice", "UserAttributes": {"FirstName": ["Alice"]}},
    "OptOut": "NONE",
}


def put(pinpoint: Client, tenant: Tenant, endpoint_id: str, body: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = pinpoint.update_endpoint(
        ApplicationId=tenant.public_id, EndpointId=endpoint_id, EndpointRequest=body
    )
    return answer


def test_it_upserts_and_reads_an_endpoint(pinpoint: Client, acme: Tenant) -> None:
    body_extra(pinpoint, "UpdateEndpoint", {"UnknownMember": "ignored", "EngageOptIn": {"Source": "not Pinpoint"}})
    answer = put(pinpoint, acme, "alice-mail", ALICE)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert answer["MessageBody"] == {"Message": "Accepted", "RequestID": answer["ResponseMetadata"]["RequestId"]}
    got = pinpoint.get_endpoint(ApplicationId=acme.public_id, EndpointId="alice-mail")["EndpointResponse"]
    assert got["Id"] == "alice-mail" and got["ApplicationId"] == acme.public_id
    assert (got["ChannelType"], got["Address"], got["EndpointStatus"], got["OptOut"]) == (
        "EMAIL",
        "alice@example.com",
        "ACTIVE",
        "NONE",
    )
    assert got["Attributes"] == {"Plan": ["pro"]} and got["Metrics"] == {"Visits": 3.0}
    assert got["User"] == {"UserId": "alice", "UserAttributes": {"FirstName": ["Alice"]}}
    assert got["Location"] == {"Country": "DE", "City": "Berlin"}
    assert got["CohortId"].isdigit() and got["CreationDate"].endswith("Z")
    assert Endpoint.objects.get(tenant=acme, endpoint_id="alice-mail").opt_in_source == ""  # unknown: ignored
    assert got["RequestId"] == answer["ResponseMetadata"]["RequestId"]
    # A merge: given members replace, absent ones stay; a change made in the console shows up.
    put(pinpoint, acme, "alice-mail", {"Attributes": {"Plan": ["team"]}})
    Endpoint.objects.filter(tenant=acme, endpoint_id="alice-mail").update(city="Hamburg")
    got = pinpoint.get_endpoint(ApplicationId=acme.public_id, EndpointId="alice-mail")["EndpointResponse"]
    assert got["Attributes"] == {"Plan": ["team"]} and got["Location"]["City"] == "Hamburg"
    assert got["User"]["UserId"] == "alice"


def test_it_names_the_field_it_refuses(pinpoint: Client, acme: Tenant) -> None:
    bad_enum = error_of(lambda: put(pinpoint, acme, "e1", {"ChannelType": "PIGEON", "Address": "x"}))
    assert bad_enum[::2] == ("BadRequestException", 400) and "ChannelType" in bad_enum[1] and "PIGEON" in bad_enum[1]
    bad_address = error_of(lambda: put(pinpoint, acme, "e1", {"ChannelType": "SMS", "Address": "12345"}))
    assert bad_address[0] == "BadRequestException" and bad_address[1].startswith("Address: ")
    bad_status = error_of(lambda: put(pinpoint, acme, "e1", {"EndpointStatus": "GONE"}))
    assert "EndpointStatus" in bad_status[1]
    assert not Endpoint.objects.filter(tenant=acme).exists()


def test_it_upserts_a_batch_all_or_nothing(pinpoint: Client, acme: Tenant) -> None:
    items = [{"Id": f"ep{i}", "ChannelType": "EMAIL", "Address": f"u{i}@example.com"} for i in range(3)]
    answer = pinpoint.update_endpoints_batch(ApplicationId=acme.public_id, EndpointBatchRequest={"Item": items})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202 and answer["MessageBody"]["Message"] == "Accepted"
    assert sorted(Endpoint.objects.filter(tenant=acme).values_list("endpoint_id", flat=True)) == ["ep0", "ep1", "ep2"]
    bad = [*items[:1], {"Id": "ep9", "ChannelType": "EMAIL", "Address": "nope"}]
    code, message, status = error_of(
        lambda: pinpoint.update_endpoints_batch(ApplicationId=acme.public_id, EndpointBatchRequest={"Item": bad})
    )
    assert (code, status) == ("BadRequestException", 400)
    assert message.startswith("Item[1].Address (endpoint ep9): ")
    assert not Endpoint.objects.filter(tenant=acme, endpoint_id="ep9").exists()
    no_id = error_of(
        lambda: pinpoint.update_endpoints_batch(
            ApplicationId=acme.public_id, EndpointBatchRequest={"Item": [{"Address": "a@example.com"}]}
        )
    )
    assert no_id[1] == "Item[0].Id is required"
    too_many = [{"Id": f"x{i}"} for i in range(101)]
    assert (
        "1 to 100"
        in error_of(
            lambda: pinpoint.update_endpoints_batch(
                ApplicationId=acme.public_id, EndpointBatchRequest={"Item": too_many}
            )
        )[1]
    )


def test_it_refuses_a_new_attribute_name_past_the_limit_of_250(pinpoint: Client, acme: Tenant) -> None:
    AttributeName.objects.bulk_create(AttributeName(tenant=acme, kind="attribute", name=f"a{i}") for i in range(250))
    code, message, _ = error_of(lambda: put(pinpoint, acme, "e1", {"Attributes": {"OneTooMany": ["x"]}}))
    assert code == "BadRequestException" and "too many custom attributes" in message


def test_it_deletes_an_endpoint_and_answers_with_it(pinpoint: Client, acme: Tenant) -> None:
    put(pinpoint, acme, "alice-mail", ALICE)
    answer = pinpoint.delete_endpoint(ApplicationId=acme.public_id, EndpointId="alice-mail")
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert answer["EndpointResponse"]["Address"] == "alice@example.com"
    code, message, status = error_of(
        lambda: pinpoint.get_endpoint(ApplicationId=acme.public_id, EndpointId="alice-mail")
    )
    assert (code, message, status) == ("NotFoundException", "Endpoint alice-mail not found", 404)
    missing = error_of(lambda: pinpoint.delete_endpoint(ApplicationId=acme.public_id, EndpointId="alice-mail"))
    assert missing[::2] == ("NotFoundException", 404)
    assert isinstance(pinpoint.exceptions.NotFoundException, type)


def test_it_reads_and_deletes_a_users_endpoints(pinpoint: Client, acme: Tenant, globex: Tenant) -> None:
    user = "jane doe@example.com"  # sent as jane%20doe%40example.com
    for endpoint_id, address in (("jane-mail", "jane@example.com"), ("jane-sms", "+14155550100")):
        channel = "EMAIL" if "@" in address else "SMS"
        put(pinpoint, acme, endpoint_id, {"ChannelType": channel, "Address": address, "User": {"UserId": user}})
    endpoint_upsert(
        tenant=globex,
        endpoint_id="theirs",
        data={"ChannelType": "EMAIL", "Address": "t@example.com", "User": {"UserId": user}},
    )
    got = pinpoint.get_user_endpoints(ApplicationId=acme.public_id, UserId=user)["EndpointsResponse"]["Item"]
    assert [e["Id"] for e in got] == ["jane-mail", "jane-sms"]
    Event.objects.create(
        tenant=acme,
        event_type="kept",
        endpoint_id="jane-mail",
        user_id=user,
        timestamp="2026-01-01T00:00Z",
        arrival="2026-01-01T00:00Z",
    )
    answer = pinpoint.delete_user_endpoints(ApplicationId=acme.public_id, UserId=user)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert sorted(e["Id"] for e in answer["EndpointsResponse"]["Item"]) == ["jane-mail", "jane-sms"]
    assert not Endpoint.objects.filter(tenant=acme).exists()
    assert Endpoint.objects.filter(tenant=globex, endpoint_id="theirs").exists()
    assert Event.objects.filter(tenant=acme, event_type="kept").exists()
    code, message, status = error_of(lambda: pinpoint.get_user_endpoints(ApplicationId=acme.public_id, UserId=user))
    assert (code, message, status) == ("NotFoundException", f"User {user} not found", 404)


def test_it_ingests_events_with_per_item_results(pinpoint: Client, acme: Tenant) -> None:
    body = {
        "BatchItem": {
            "alice-app": {
                "Endpoint": {"ChannelType": "APNS", "Address": "token-1", "User": {"UserId": "alice"}},
                "Events": {
                    "ev1": {
                        "EventType": "purchase",
                        "Timestamp": "2026-11-20T10:00:00.000Z",
                        "Attributes": {"item": "book"},
                        "Metrics": {"price": 9.5},
                        "Session": {"Id": "s1", "StartTimestamp": "2026-11-20T09:59:00Z"},
                    },
                    "ev2": {"EventType": "", "Timestamp": "2026-11-20T10:00:00Z"},
                },
            }
        }
    }
    answer = pinpoint.put_events(ApplicationId=acme.public_id, EventsRequest=body)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202
    result = answer["EventsResponse"]["Results"]["alice-app"]
    assert result["EndpointItemResponse"] == {"Message": "Accepted", "StatusCode": 202}
    assert result["EventsItemResponse"]["ev1"] == {"Message": "Accepted", "StatusCode": 202}
    assert result["EventsItemResponse"]["ev2"]["StatusCode"] == 400
    event = Event.objects.get(tenant=acme)
    assert (event.event_type, event.endpoint_id, event.user_id) == ("purchase", "alice-app", "alice")
    assert event.attributes == {"item": "book"} and event.metrics == {"price": 9.5}
    assert Endpoint.objects.get(tenant=acme, endpoint_id="alice-app").address == "token-1"
    missing = error_of(lambda: pinpoint.put_events(ApplicationId=acme.public_id, EventsRequest={"BatchItem": {}}))
    assert missing[0] == "BadRequestException" and "BatchItem" in missing[1]
    wrong_type = {"e": {"Endpoint": {}, "Events": {"1": {"EventType": "x", "Timestamp": "t", "Metrics": {"m": "hi"}}}}}
    body_extra(pinpoint, "PutEvents", {"BatchItem": wrong_type})
    code, message, _ = error_of(lambda: pinpoint.put_events(ApplicationId=acme.public_id, EventsRequest=body))
    assert code == "BadRequestException" and "BatchItem.e.Events.1.Metrics.m" in message


def test_it_answers_in_app_messages_for_an_endpoint(pinpoint: Client, acme: Tenant) -> None:
    devices(acme, "app-1", "app-2")
    deliver(acme, ["app-1"], banner("Spring sale"), campaign="spring")
    answer = pinpoint.get_in_app_messages(ApplicationId=acme.public_id, EndpointId="app-1")
    campaigns = answer["InAppMessagesResponse"]["InAppMessageCampaigns"]
    assert [c["CampaignId"] for c in campaigns] == ["spring"]
    message = campaigns[0]["InAppMessage"]
    assert message["Layout"] == "TOP_BANNER" and message["CustomConfig"] == {"screen": "home"}
    assert message["Content"][0]["BodyConfig"]["Body"] == "Spring sale"
    other = pinpoint.get_in_app_messages(ApplicationId=acme.public_id, EndpointId="app-2")
    assert other["InAppMessagesResponse"] == {"InAppMessageCampaigns": []}
    missing = error_of(lambda: pinpoint.get_in_app_messages(ApplicationId=acme.public_id, EndpointId="nobody"))
    assert missing[::2] == ("NotFoundException", 404)


def test_it_addresses_ids_with_spaces_and_non_ascii_characters(pinpoint: Client, acme: Tenant) -> None:
    """botocore %-encodes labels (`ünï cødé` → `%C3%BCn%C3%AF%20c%C3%B8d%C3%A9`) and signs that path."""
    put(pinpoint, acme, "ünï cødé", {"ChannelType": "EMAIL", "Address": "u@example.com", "User": {"UserId": "ü ser"}})
    got = pinpoint.get_endpoint(ApplicationId=acme.public_id, EndpointId="ünï cødé")["EndpointResponse"]
    assert got["Id"] == "ünï cødé"
    users = pinpoint.get_user_endpoints(ApplicationId=acme.public_id, UserId="ü ser")["EndpointsResponse"]["Item"]
    assert [e["Id"] for e in users] == ["ünï cødé"]
