"""The send path's endpoint reader gives exactly segments.codec's EndpointResponse JSON, and events written with
the pre-formatted COPY keep every value (escapes included)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.services.recipients import endpoint_rows_for_send
from engage.events.models import Event
from engage.events.services import SystemEvent, system_events_record
from engage.tenancy.models import Tenant
from segments.codec import endpoint_to_pinpoint
from segments.models import Endpoint

pytestmark = pytest.mark.django_db

STAMP = datetime(2026, 3, 4, 5, 6, 7, 891_234, tzinfo=UTC)


def _full(tenant: Tenant) -> Endpoint:
    return Endpoint.objects.create(
        tenant=tenant,
        endpoint_id="full",
        channel_type="EMAIL",
        address="ann@example.com",
        endpoint_status="INACTIVE",
        opt_out="ALL",
        attributes={"Interests": ["hiking", "jazz"], "Empty": []},
        metrics={"visits": 12.0, "score": 3},
        user_id="u-1",
        user_attributes={"FirstName": ["Ann"], "Quote": ['tab\there "q" \\ \u00e9']},
        app_version="1.2",
        locale="en_US",
        make="Apple",
        model="iPhone",
        model_version="15",
        platform="ios",
        platform_version="17.1",
        timezone="America/Los_Angeles",
        city="Los Angeles",
        country="US",
        latitude=34.052235,
        longitude=-118.243683,
        postal_code="90001",
        region="CA",
        cohort_id="42",
        effective_date=STAMP,
        creation_date=datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        request_id="req-1",
        opt_in_at=STAMP,
        opt_in_source="form",
    )


def _sparse(tenant: Tenant) -> Endpoint:
    return Endpoint.objects.create(
        tenant=tenant,
        endpoint_id="sparse",
        cohort_id="0",
        effective_date=STAMP,
        creation_date=STAMP,
        opt_in_source="api",
    )


def test_it_reads_the_same_endpoint_json_as_the_codec(tenant: Tenant) -> None:
    full, sparse = _full(tenant), _sparse(tenant)
    rows = endpoint_rows_for_send(tenant_id=tenant.pk, endpoint_ids=["full", "sparse", "gone"], application_id="app")
    assert set(rows) == {"full", "sparse"}
    for endpoint in (full, sparse):
        endpoint.refresh_from_db()
        expected = endpoint_to_pinpoint(endpoint, application_id="app")
        got = rows[endpoint.endpoint_id]
        assert got.data == expected
        assert list(got.data) == list(expected)  # the same key order as well
        assert (got.address, got.endpoint_status, got.opt_out) == (
            endpoint.address,
            endpoint.endpoint_status,
            endpoint.opt_out,
        )
        assert (got.opt_in_at is None) == (endpoint.opt_in_at is None)
    assert rows["full"].data["CreationDate"] == "1999-12-31T23:59:59.999Z"


def test_it_reads_nothing_for_no_ids_and_only_its_own_tenant(tenant: Tenant, other_tenant: Tenant) -> None:
    _full(other_tenant)
    assert endpoint_rows_for_send(tenant_id=tenant.pk, endpoint_ids=[], application_id="app") == {}
    assert endpoint_rows_for_send(tenant_id=tenant.pk, endpoint_ids=["full"], application_id="app") == {}


def test_system_events_keep_escaped_text_and_shared_attributes(tenant: Tenant) -> None:
    shared = {"campaign_id": "c\\1", "note": "line\nbreak\ttab"}
    odd = "ep\\with\ttab\nand\rreturn"
    events = [
        SystemEvent("_campaign.send", odd, "u\\1", STAMP, shared, {}, "c\\1", "", 7),
        SystemEvent("_campaign.send", "ep2", "", STAMP, shared, {"m": 1.5}, "c\\1", "j", None),
    ]
    assert system_events_record(tenant=tenant, events=events, arrival=STAMP) == 2
    first, second = Event.objects.filter(tenant=tenant).order_by("id")
    assert (first.endpoint_id, first.user_id, first.campaign_id, first.delivery_id) == (odd, "u\\1", "c\\1", 7)
    assert first.attributes == shared and second.attributes == shared
    assert second.metrics == {"m": 1.5} and second.delivery_id is None and second.journey_id == "j"
    assert first.timestamp == STAMP and first.arrival == STAMP and first.session is None and first.client == {}
