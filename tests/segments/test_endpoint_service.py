from __future__ import annotations

import pytest

from engage.errors import Invalid
from engage.events.models import Event
from engage.tenancy.models import AuditLog
from segments.codec import endpoint_to_pinpoint
from segments.models import Endpoint
from segments.services.endpoints import endpoint_upsert, endpoints_upsert, user_erase
from segments.services.ingest import events_ingest

pytestmark = pytest.mark.django_db


def test_it_creates_and_merges_like_update_endpoint(tenant) -> None:
    endpoint_upsert(
        tenant=tenant,
        endpoint_id="e1",
        data={
            "ChannelType": "EMAIL",
            "Address": "a@example.com",
            "Attributes": {"Interests": ["golf", "tennis"], "Tier": ["gold"]},
            "Metrics": {"visits": 3},
            "Demographic": {"Platform": "ios", "Timezone": "Asia/Seoul"},
            "Location": {"Country": "KR", "Latitude": 37.5665, "Longitude": 126.978},
            "User": {"UserId": "u1", "UserAttributes": {"Name": ["Kim"]}},
        },
    )
    endpoint_upsert(
        tenant=tenant,
        endpoint_id="e1",
        data={"Attributes": {"Tier": ["platinum"], "Interests": []}, "Metrics": {"spend": 9.5}},
    )
    e = Endpoint.objects.get(tenant=tenant, endpoint_id="e1")
    assert e.attributes == {"Tier": ["platinum"]}
    assert e.metrics == {"visits": 3, "spend": 9.5}
    assert (e.platform, e.timezone, e.latitude, e.user_id) == ("ios", "Asia/Seoul", 37.6, "u1")
    doc = endpoint_to_pinpoint(e, application_id=tenant.public_id)
    assert doc["User"] == {"UserId": "u1", "UserAttributes": {"Name": ["Kim"]}}
    assert doc["Location"] == {"Country": "KR", "Latitude": 37.6, "Longitude": 127.0}
    assert doc["CohortId"].isdigit()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"ChannelType": "EMAIL", "Address": "not-an-email"}, "Address"),
        ({"ChannelType": "SMS", "Address": "010-1234-5678"}, "Address"),
        ({"ChannelType": "PIGEON"}, "ChannelType"),
        ({"Attributes": {"x" * 51: ["v"]}}, "Attributes." + "x" * 51),
        ({"Attributes": {"a": ["v" * 101]}}, "Attributes.a"),
        ({"Attributes": {"a": [str(i) for i in range(51)]}}, "Attributes.a"),
        ({"Metrics": {"m": "ten"}}, "Metrics.m"),
        ({"Demographic": {"Timezone": "Mars/Olympus"}}, "Demographic.Timezone"),
        ({"OptOut": "SOME"}, "OptOut"),
    ],
)
def test_it_refuses_bad_fields_naming_them(tenant, data, field) -> None:
    with pytest.raises(Invalid) as exc:
        endpoint_upsert(tenant=tenant, endpoint_id="bad", data=data)
    assert exc.value.field == field
    assert not Endpoint.objects.filter(tenant=tenant).exists()


def test_a_batch_reports_each_item_and_keeps_the_good_ones(tenant) -> None:
    results = endpoints_upsert(
        tenant=tenant,
        items=[
            ("ok", {"ChannelType": "SMS", "Address": "+821012345678"}),
            ("bad", {"ChannelType": "SMS", "Address": "12345"}),
        ],
    )
    assert [(r.endpoint_id, r.status_code) for r in results] == [("ok", 202), ("bad", 400)]
    assert list(Endpoint.objects.filter(tenant=tenant).values_list("endpoint_id", flat=True)) == ["ok"]


def test_the_sixteenth_endpoint_of_a_user_is_refused_but_push_retires_the_oldest(tenant) -> None:
    items = [(f"e{i}", {"ChannelType": "GCM", "Address": f"token{i}", "User": {"UserId": "u"}}) for i in range(15)]
    assert all(r.ok for r in endpoints_upsert(tenant=tenant, items=items))
    refused = endpoints_upsert(
        tenant=tenant, items=[("mail", {"ChannelType": "EMAIL", "Address": "u@example.com", "User": {"UserId": "u"}})]
    )
    assert refused[0].status_code == 400 and "15" in refused[0].message
    accepted = endpoints_upsert(
        tenant=tenant, items=[("push16", {"ChannelType": "GCM", "Address": "t16", "User": {"UserId": "u"}})]
    )
    assert accepted[0].ok
    assert Endpoint.objects.get(tenant=tenant, endpoint_id="e0").endpoint_status == "INACTIVE"


def test_put_events_records_events_and_activity(tenant) -> None:
    out = events_ingest(
        tenant=tenant,
        batch={
            "BatchItem": {
                "dev1": {
                    "Endpoint": {"ChannelType": "GCM", "Address": "tok", "User": {"UserId": "u9"}},
                    "Events": {
                        "a": {
                            "EventType": "play.song",
                            "Timestamp": "2026-11-23T10:00:00Z",
                            "Attributes": {"genre": "jazz"},
                            "Metrics": {"battery": 8},
                        },
                        "b": {"EventType": "x", "Timestamp": "yesterday"},
                    },
                },
            }
        },
    )
    assert out.results["dev1"]["EventsItemResponse"]["a"]["StatusCode"] == 202
    assert out.results["dev1"]["EventsItemResponse"]["b"]["StatusCode"] == 400
    event = Event.objects.get(tenant=tenant)
    assert (event.event_type, event.user_id, event.attributes, event.metrics) == (
        "play.song",
        "u9",
        {"genre": "jazz"},
        {"battery": 8},
    )
    assert Endpoint.objects.get(tenant=tenant, endpoint_id="dev1").last_active_at == event.arrival


def test_erasing_a_user_removes_endpoints_and_events_and_is_audited(tenant, other_tenant) -> None:
    for t in (tenant, other_tenant):
        events_ingest(
            tenant=t,
            batch={
                "BatchItem": {
                    "d": {
                        "Endpoint": {"User": {"UserId": "gone"}},
                        "Events": {"1": {"EventType": "e", "Timestamp": "2026-11-23T10:00:00Z"}},
                    }
                }
            },
        )
    user_erase(tenant=tenant, user_id="gone", by="tests")
    assert not Endpoint.objects.filter(tenant=tenant).exists()
    assert not Event.objects.filter(tenant=tenant).exists()
    assert Event.objects.filter(tenant=other_tenant).count() == 1
    assert AuditLog.objects.get(tenant=tenant, action="user.erase").data["events"] == 1
