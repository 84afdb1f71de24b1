"""Event-triggered campaigns: the filter, the refusals, the 5-minute freshness and the per-tenant trigger index."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from campaigns.eventfilter import EventFilter, event_filter_check
from campaigns.models import Campaign, CampaignRun
from campaigns.services.triggers import triggers_for
from channels.models import Delivery
from channels.services.send import deliveries_send
from engage import clock
from engage.errors import Invalid
from engage.tenancy.models import Tenant
from segments.models import Segment
from segments.services.ingest import events_ingest
from tests.campaigns.support import endpoints, push_body, segment_all, url

BATTERY = {
    "FilterType": "ENDPOINT",
    "Dimensions": {
        "EventType": {"DimensionType": "INCLUSIVE", "Values": ["battery.low"]},
        "Metrics": {"battery_remain": {"ComparisonOperator": "LESS_THAN", "Value": 10}},
    },
}


def event_body(segment: Segment, event_filter: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    schedule = {"StartTime": "IMMEDIATE", "Frequency": "EVENT", "EventFilter": event_filter or BATTERY}
    return push_body(segment, **{"Name": "Charge me", "Schedule": schedule, **extra})


def events_url(tenant: Tenant) -> str:
    return f"/api/v1/tenants/{tenant.public_id}/events/"


def put_events(api: APIClient, tenant: Tenant, items: dict[str, dict[str, Any]]) -> None:
    """PutEvents: endpoint id → {event id: (type, metrics)}."""
    batch = {
        endpoint_id: {
            "Endpoint": {},
            "Events": {
                key: {"EventType": kind, "Timestamp": "2026-01-01T00:00:00Z", "Metrics": metrics}
                for key, (kind, metrics) in events.items()
            },
        }
        for endpoint_id, events in items.items()
    }
    r = api.post(events_url(tenant), {"BatchItem": batch}, format="json")
    assert r.status_code == 202, r.json()


def launch(api: APIClient, tenant: Tenant, body: dict[str, Any]) -> int:
    created = api.post(url(tenant), body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    launched = api.post(url(tenant, f"{pk}/launch/"))
    assert launched.status_code == 200, launched.json()
    return int(pk)


def test_it_matches_metrics_attributes_and_event_types_as_pinpoint_did() -> None:
    f = EventFilter.parse(event_filter_check(BATTERY))
    assert f.matches("battery.low", {}, {"battery_remain": 9.5})
    assert not f.matches("battery.low", {}, {"battery_remain": 10})
    assert not f.matches("battery.low", {}, {})
    assert not f.matches("app.open", {}, {"battery_remain": 1})
    others = event_filter_check(
        {
            "FilterType": "SYSTEM",
            "Dimensions": {
                "EventType": {"DimensionType": "EXCLUSIVE", "Values": ["app.close"]},
                "Attributes": {"plan": {"AttributeType": "EXCLUSIVE", "Values": ["free"]}},
            },
        }
    )
    g = EventFilter.parse(others)
    assert g.matches("_session.start", {"plan": "pro"}, {})
    assert not g.matches("app.close", {}, {})
    assert not g.matches("app.open", {"plan": "free"}, {})
    assert not g.matches("_email.open", {}, {}) and not g.matches("_campaign.send", {}, {})
    ops = {"EQUAL": 10, "GREATER_THAN": 11, "GREATER_THAN_OR_EQUAL": 10, "LESS_THAN_OR_EQUAL": 10}
    for op, value in ops.items():
        h = {"FilterType": "ENDPOINT", "Dimensions": {"Metrics": {"m": {"ComparisonOperator": op, "Value": 10}}}}
        assert EventFilter.parse(event_filter_check(h)).matches("x", {}, {"m": value}), op


def test_it_names_the_filter_member_to_fix() -> None:
    bad = {"FilterType": "ENDPOINT", "Dimensions": {"Metrics": {"m": {"ComparisonOperator": "BETWEEN", "Value": 1}}}}
    with pytest.raises(Invalid) as caught:
        event_filter_check(bad)
    assert caught.value.field == "Schedule.EventFilter.Dimensions.Metrics.m.ComparisonOperator"


@pytest.mark.django_db
def test_it_refuses_an_imported_segment_for_an_event_campaign(api: APIClient, tenant: Tenant) -> None:
    imported = Segment.objects.create(tenant=tenant, name="Uploaded", kind=Segment.Kind.IMPORT)
    r = api.post(url(tenant), event_body(imported), format="json")
    assert r.status_code == 400
    assert "SegmentId" in str(r.json())


@pytest.mark.django_db
@override_settings(CAMPAIGNS_MAX_EVENT_CAMPAIGNS=1)
def test_it_limits_the_active_event_campaigns_of_a_tenant(api: APIClient, tenant: Tenant) -> None:
    segment = segment_all(tenant)
    launch(api, tenant, event_body(segment))
    second = api.post(url(tenant), event_body(segment, Name="Second"), format="json").json()["id"]
    r = api.post(url(tenant, f"{second}/launch/"))
    assert r.status_code == 400 and "Schedule.Frequency" in str(r.json())


@pytest.mark.django_db
def test_it_drops_messages_not_sendable_within_five_minutes(
    api: APIClient, tenant: Tenant, other_tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    endpoints(tenant, 2)
    endpoints(other_tenant, 2)
    pk = launch(api, tenant, event_body(segment_all(tenant)))
    with django_capture_on_commit_callbacks(execute=True):
        put_events(api, tenant, {"ep0": {"e1": ("battery.low", {"battery_remain": 3})}})
    row = Delivery.objects.get(tenant=tenant)
    assert (row.endpoint_id, row.status, row.dispatch.campaign_id) == ("ep0", "queued", str(pk))
    run = CampaignRun.objects.get(campaign_id=pk)
    assert run.triggered and run.planned == 1
    clock.advance(seconds=301)
    deliveries_send(tenant_id=tenant.pk, dispatch_id=row.dispatch_id, chunk=row.chunk)
    row.refresh_from_db()
    assert (row.status, row.reason) == ("expired", "expired")
    assert Campaign.objects.get(pk=pk).status == Campaign.Status.SCHEDULED
    # Another tenant's endpoints with the same ids trigger nothing, and its URL is not this member's.
    event = {"EventType": "battery.low", "Timestamp": "2026-01-01T00:00:00Z", "Metrics": {"battery_remain": 1}}
    with django_capture_on_commit_callbacks(execute=True):
        events_ingest(tenant=other_tenant, batch={"BatchItem": {"ep1": {"Endpoint": {}, "Events": {"e2": event}}}})
    assert triggers_for(tenant=other_tenant) == []
    assert Delivery.objects.filter(tenant=other_tenant).count() == 0
    assert Delivery.objects.filter(tenant=tenant).count() == 1
    assert api.post(events_url(other_tenant), {"BatchItem": {}}, format="json").status_code == 404
