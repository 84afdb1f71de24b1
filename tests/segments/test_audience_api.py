from __future__ import annotations

import pytest

from engage.tenancy.models import ApiKey, Role
from segments.models import Endpoint

pytestmark = pytest.mark.django_db


def url(tenant, path: str) -> str:
    return f"/api/v1/tenants/{tenant.public_id}/{path}"


def test_it_upserts_reads_lists_and_deletes_endpoints(api, tenant) -> None:
    r = api.put(
        url(tenant, "endpoints/dev-1/"),
        {"ChannelType": "EMAIL", "Address": "a@example.com", "User": {"UserId": "u1"}},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["Id"] == "dev-1" and r.json()["ApplicationId"] == tenant.public_id
    r = api.patch(url(tenant, "endpoints/dev-1/"), {"Attributes": {"Plan": ["pro"]}}, format="json")
    assert r.json()["Attributes"] == {"Plan": ["pro"]} and r.json()["Address"] == "a@example.com"
    assert api.get(url(tenant, "endpoints/dev-1/")).json()["User"]["UserId"] == "u1"
    listing = api.get(url(tenant, "endpoints/?q=a@ex")).json()
    assert [e["Id"] for e in listing["results"]] == ["dev-1"]
    assert api.get(url(tenant, "users/u1/")).json()["Item"][0]["Id"] == "dev-1"
    assert api.delete(url(tenant, "endpoints/dev-1/")).status_code == 200
    assert api.get(url(tenant, "endpoints/dev-1/")).status_code == 404


def test_a_bad_field_is_a_400_naming_it_and_saves_nothing(api, tenant) -> None:
    r = api.put(url(tenant, "endpoints/x/"), {"ChannelType": "SMS", "Address": "0101234"}, format="json")
    assert r.status_code == 400
    assert "Address" in r.json()["errors"]
    assert not Endpoint.objects.exists()


def test_batch_gives_per_item_results(api, tenant) -> None:
    items = [
        {"Id": "a", "ChannelType": "SMS", "Address": "+15555550100"},
        {"Id": "b", "ChannelType": "SMS", "Address": "nope"},
    ]
    r = api.post(url(tenant, "endpoints/batch/"), {"Item": items}, format="json")
    assert [x["StatusCode"] for x in r.json()["Results"]] == [202, 400]
    too_many = api.post(url(tenant, "endpoints/batch/"), {"Item": [{"Id": str(i)} for i in range(101)]}, format="json")
    assert too_many.status_code == 400 and "100" in too_many.json()["detail"]


def test_put_events_answers_202_per_item_and_lists_events(api, tenant) -> None:
    body = {
        "BatchItem": {
            "d1": {
                "Endpoint": {"ChannelType": "GCM", "Address": "tok"},
                "Events": {
                    "e": {"EventType": "level.up", "Timestamp": "2026-11-23T01:02:03Z", "Metrics": {"level": 4}}
                },
            }
        }
    }
    r = api.post(url(tenant, "events/"), body, format="json")
    assert r.status_code == 202
    assert r.json()["Results"]["d1"]["EventsItemResponse"]["e"]["StatusCode"] == 202
    events = api.get(url(tenant, "events/?event_type=level.up")).json()["results"]
    assert events[0]["metrics"] == {"level": 4}


def test_more_than_100_events_is_refused(api, tenant) -> None:
    events = {str(i): {"EventType": "x", "Timestamp": "2026-11-23T00:00:00Z"} for i in range(101)}
    r = api.post(url(tenant, "events/"), {"BatchItem": {"d": {"Endpoint": {}, "Events": events}}}, format="json")
    assert r.status_code == 400 and r.json()["errors"] == {"BatchItem": [r.json()["detail"]]}


def test_an_ingest_key_writes_but_cannot_read_or_erase(key_client, tenant) -> None:
    client, _ = key_client(tenant, ApiKey.Role.INGEST)
    assert (
        client.put(
            url(tenant, "endpoints/k/"), {"ChannelType": "GCM", "Address": "t", "User": {"UserId": "u"}}, format="json"
        ).status_code
        == 200
    )
    assert client.get(url(tenant, "endpoints/k/")).status_code == 403
    assert client.delete(url(tenant, "users/u/")).status_code == 403


def test_erasing_a_user_through_the_api(api, tenant, other_tenant, member_factory, client_for) -> None:
    api.put(url(tenant, "endpoints/k/"), {"ChannelType": "GCM", "Address": "t", "User": {"UserId": "u"}}, format="json")
    viewer = client_for(member_factory(tenant, Role.VIEWER))
    assert viewer.delete(url(tenant, "users/u/")).status_code == 403
    r = api.delete(url(tenant, "users/u/"))
    assert r.status_code == 200 and r.json()["Item"][0]["Id"] == "k"
    assert api.get(url(tenant, "users/u/")).status_code == 404
