"""Events become Pinpoint's event-stream records (inventory §8.3), with the endpoint when it exists."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from engage.events.models import Event
from engage.events.services import events_record
from engage.events.streams.records import records_build
from engage.tenancy.models import Tenant
from segments.services.ingest import events_ingest

pytestmark = pytest.mark.django_db

ENDPOINT = {
    "ChannelType": "GCM",
    "Address": "device-token-1",
    "Demographic": {
        "Locale": "en_US",
        "Make": "Google",
        "Model": "Pixel 9",
        "Platform": "Android",
        "PlatformVersion": "15",
        "AppVersion": "2.4.0",
    },
    "Attributes": {"plan": ["pro"]},
    "User": {"UserId": "user-7"},
}
EVENT = {
    "EventType": "_session.start",
    "Timestamp": "2026-11-20T10:00:00.250Z",
    "AppPackageName": "com.example.app",
    "AppTitle": "Example",
    "AppVersionCode": "240",
    "SdkName": "aws-amplify",
    "ClientSdkVersion": "6.1.0",
    "Attributes": {"screen": "home"},
    "Metrics": {"duration": 12.5},
    "Session": {"Id": "s-1", "StartTimestamp": "2026-11-20T10:00:00Z", "StopTimestamp": "2026-11-20T10:05:00.5Z"},
}


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).timestamp() * 1000)


def test_it_shapes_an_ingested_event_like_pinpoint(tenant: Tenant) -> None:
    events_ingest(tenant=tenant, batch={"BatchItem": {"ep-1": {"Endpoint": ENDPOINT, "Events": {"k1": EVENT}}}})
    event = Event.objects.get(tenant=tenant)

    (record,) = records_build(tenant=tenant, events=[event])
    body = record.body

    assert record.partition_key == "ep-1"
    assert body["event_type"] == "_session.start"
    assert body["event_timestamp"] == ms("2026-11-20T10:00:00.250Z")
    assert body["arrival_timestamp"] == int(event.arrival.timestamp() * 1000)
    assert body["event_version"] == "3.0"
    assert body["application"] == {
        "app_id": tenant.public_id,
        "sdk": {"name": "aws-amplify", "version": "6.1.0"},
        "package_name": "com.example.app",
        "title": "Example",
        "version_code": "240",
        "version_name": "2.4.0",
    }
    assert body["client"] == {"client_id": "ep-1"}
    assert body["device"] == {
        "locale": {"code": "en_US", "language": "en", "country": "US"},
        "make": "Google",
        "model": "Pixel 9",
        "platform": {"name": "Android", "version": "15"},
    }
    assert body["session"] == {
        "session_id": "s-1",
        "start_timestamp": ms("2026-11-20T10:00:00Z"),
        "stop_timestamp": ms("2026-11-20T10:05:00.500Z"),
    }
    assert body["attributes"] == {"screen": "home"}
    assert body["metrics"] == {"duration": 12.5}
    assert body["awsAccountId"] == tenant.public_id
    assert body["event_id"] == str(event.pk)
    endpoint = json.loads(body["client_context"]["custom"]["endpoint"])
    assert endpoint["Id"] == "ep-1"
    assert endpoint["ChannelType"] == "GCM"
    assert endpoint["User"] == {"UserId": "user-7"}
    assert endpoint["Attributes"] == {"plan": ["pro"]}
    assert json.loads(record.data) == body


def test_it_marks_system_events_as_messaging_events_and_names_their_campaign(tenant: Tenant) -> None:
    now = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    (event,) = events_record(
        tenant=tenant,
        events=[
            Event(
                event_type="_email.send",
                endpoint_id="gone",
                timestamp=now,
                arrival=now,
                campaign_id="c-42",
                attributes={"feedback": "received"},
            )
        ],
        need_ids=True,
    )

    (record,) = records_build(tenant=tenant, events=[event])

    assert record.body["event_version"] == "3.1"
    assert record.body["attributes"] == {"feedback": "received", "campaign_id": "c-42"}
    assert record.body["client"] == {"client_id": "gone"}
    # No such endpoint: no device and no endpoint JSON, as Pinpoint does for unknown endpoints.
    assert "device" not in record.body
    assert "client_context" not in record.body
    assert record.body["event_timestamp"] == record.body["arrival_timestamp"] == ms("2026-11-20T09:30:00Z")


def test_it_reads_each_endpoint_of_a_batch_once_and_only_in_the_tenant(
    tenant: Tenant, other_tenant: Tenant, django_assert_max_num_queries: object
) -> None:
    for owner in (tenant, other_tenant):
        events_ingest(
            tenant=owner,
            batch={
                "BatchItem": {
                    "ep-1": {
                        "Endpoint": ENDPOINT,
                        "Events": {f"k{i}": {**EVENT, "EventType": "song.play"} for i in range(20)},
                    }
                }
            },
        )
    events = list(Event.objects.filter(tenant=tenant).order_by("id"))

    with django_assert_max_num_queries(1):  # type: ignore[operator]
        records = records_build(tenant=tenant, events=events)

    assert len(records) == 20
    assert {json.loads(r.body["client_context"]["custom"]["endpoint"])["ApplicationId"] for r in records} == {
        tenant.public_id
    }
