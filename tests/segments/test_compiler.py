"""The segment compiler: every dimension and operator, the same endpoints on PostgreSQL and SQLite, one query,
and explain agreeing with membership."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from engage.errors import Invalid
from engage.events.models import Event
from engage.tenancy.models import Tenant
from segments.compiler.query import segment_estimate, segment_explain, segment_members
from segments.definition import parse_definition
from segments.definition_json import definition_json
from segments.models import Endpoint, ImportedMember, Segment, SuppressedAddress
from tests.segments.compiler_cases import CASES, ENDPOINTS, NOW, dims

pytestmark = pytest.mark.django_db(databases=["default", "sqlite"])
DBS = ["default", "sqlite"]


def _seed(alias: str) -> Tenant:
    tenant = Tenant.objects.using(alias).create(name="Seg")
    for eid, ch, addr, attrs, uattrs, metrics, platform, country, lat, lon, days, status, opt in ENDPOINTS:
        Endpoint.objects.using(alias).create(
            tenant=tenant,
            endpoint_id=eid,
            channel_type=ch,
            address=addr,
            attributes=attrs,
            user_attributes=uattrs,
            metrics=metrics,
            platform=platform,
            country=country,
            latitude=lat,
            longitude=lon,
            endpoint_status=status,
            opt_out=opt,
            cohort_id="1",
            effective_date=NOW,
            creation_date=NOW,
            last_active_at=None if days is None else NOW - timedelta(days=days),
        )
    SuppressedAddress.objects.using(alias).create(
        tenant=tenant, address="bounced@x.test", reason="BOUNCE", created_at=NOW
    )
    for i in range(3):
        Event.objects.using(alias).create(
            tenant=tenant,
            event_type="purchase",
            endpoint_id="e2",
            timestamp=NOW,
            arrival=NOW - timedelta(days=i * 3),
            attributes={"sku": "A1"},
            metrics={"price": 10 + i},
        )
    Event.objects.using(alias).create(
        tenant=tenant,
        event_type="purchase",
        endpoint_id="e1",
        timestamp=NOW,
        arrival=NOW - timedelta(days=40),
        attributes={"sku": "B2"},
        metrics={"price": 99},
    )
    return tenant


@pytest.fixture
def tenants() -> dict[str, Tenant]:
    return {alias: _seed(alias) for alias in DBS}


def members(tenants: dict[str, Tenant], body: dict, *, eligible_only: bool = False) -> list[str]:
    found = []
    for alias in DBS:
        qs = segment_members(
            tenant=tenants[alias], definition=parse_definition(body), eligible_only=eligible_only, using=alias, now=NOW
        )
        found.append(sorted(qs.values_list("endpoint_id", flat=True)))
    assert found[0] == found[1], f"PostgreSQL {found[0]} != SQLite {found[1]}"
    return found[0]


@pytest.mark.parametrize(("body", "expected"), CASES)
def test_it_selects_the_documented_endpoints_on_both_databases(tenants, body, expected) -> None:
    assert members(tenants, body) == expected


@pytest.mark.parametrize(("body", "_expected"), CASES)
def test_explain_agrees_with_membership_for_every_endpoint(tenants, body, _expected) -> None:
    for alias in DBS:
        tenant = tenants[alias]
        inside = set(
            segment_members(
                tenant=tenant, definition=parse_definition(body), eligible_only=False, using=alias, now=NOW
            ).values_list("endpoint_id", flat=True)
        )
        for endpoint in Endpoint.objects.using(alias).filter(tenant=tenant):
            verdict = segment_explain(
                tenant=tenant, definition=parse_definition(body), endpoint=endpoint, using=alias, now=NOW
            )
            assert verdict.in_segment == (endpoint.endpoint_id in inside), (alias, endpoint.endpoint_id)


def test_eligible_excludes_inactive_opted_out_and_suppressed(tenants) -> None:
    assert members(tenants, {}, eligible_only=True) == ["e1", "e2"]
    for alias in DBS:
        estimate = segment_estimate(tenant=tenants[alias], definition=parse_definition({}), using=alias, now=NOW)
        assert (estimate.eligible, estimate.total) == (2, 5)


def test_each_evaluation_is_exactly_one_query(tenants) -> None:
    body = CASES[0][0] | {}
    for alias in DBS:
        with CaptureQueriesContext(connections[alias]) as queries:
            list(segment_members(tenant=tenants[alias], definition=parse_definition(body), using=alias, now=NOW))
        assert len(queries) == 1
        with CaptureQueriesContext(connections[alias]) as queries:
            segment_estimate(tenant=tenants[alias], definition=parse_definition(body), using=alias, now=NOW)
        assert len(queries) == 1


def test_source_segments_imported_and_dynamic(tenants) -> None:
    for alias in DBS:
        tenant = tenants[alias]
        imported = Segment.objects.using(alias).create(tenant=tenant, name="list", kind="IMPORT")
        for eid in ("e1", "e2", "e3"):
            ImportedMember.objects.using(alias).create(
                segment=imported, endpoint=Endpoint.objects.using(alias).get(tenant=tenant, endpoint_id=eid)
            )
        Segment.objects.using(alias).create(
            tenant=tenant,
            name="ios",
            kind="DIMENSIONAL",
            public_id="0" * 32,
            definition=dims(Demographic={"Platform": {"Values": ["ios"]}}),
        )
        refined = {
            "SegmentGroups": {
                "Include": "ALL",
                "Groups": [
                    {
                        "Type": "ALL",
                        "SourceType": "ANY",
                        "SourceSegments": [{"Id": imported.public_id}],
                        "Dimensions": [{"Demographic": {"Channel": {"Values": ["EMAIL", "SMS"]}}}],
                    }
                ],
            }
        }
        assert sorted(
            segment_members(
                tenant=tenant, definition=parse_definition(refined), eligible_only=False, using=alias, now=NOW
            ).values_list("endpoint_id", flat=True)
        ) == ["e1", "e2"]
        excluded = {
            "SegmentGroups": {
                "Include": "ALL",
                "Groups": [{"Type": "ALL", "SourceType": "NONE", "SourceSegments": [{"Id": "0" * 32}]}],
            }
        }
        assert sorted(
            segment_members(
                tenant=tenant, definition=parse_definition(excluded), eligible_only=False, using=alias, now=NOW
            ).values_list("endpoint_id", flat=True)
        ) == ["e2", "e3", "e4"]


def test_another_tenants_segment_as_a_source_is_a_validation_error(tenants) -> None:
    foreign = Segment.objects.create(tenant=Tenant.objects.create(name="Other"), name="theirs")
    body = {"SegmentGroups": {"Groups": [{"SourceSegments": [{"Id": foreign.public_id}]}]}}
    with pytest.raises(Invalid) as exc:
        segment_members(tenant=tenants["default"], definition=parse_definition(body), now=NOW)
    assert exc.value.field == "SegmentGroups.SourceSegments"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (dims(Attributes={"a": {"AttributeType": "LIKE", "Values": ["x"]}}), "Dimensions.Attributes.a.AttributeType"),
        (dims(Metrics={"m": {"ComparisonOperator": "EQUAL", "Value": "ten"}}), "Dimensions.Metrics.m.Value"),
        (dims(Attributes={"a": {"Values": [str(i) for i in range(101)]}}), "Dimensions.Attributes.a.Values"),
        (
            dims(Behavior={"Recency": {"RecencyType": "ACTIVE", "Duration": "DAY_3"}}),
            "Dimensions.Behavior.Recency.Duration",
        ),
        (
            dims(Attributes={"d": {"AttributeType": "BETWEEN", "Values": ["2026-01-01"]}}),
            "Dimensions.Attributes.d.Values",
        ),
        ({"SegmentGroups": {"Groups": [{}, {}, {}]}}, "SegmentGroups.Groups"),
    ],
)
def test_bad_definitions_name_the_field(body, field) -> None:
    with pytest.raises(Invalid) as exc:
        parse_definition(body)
    assert exc.value.field == field


@pytest.mark.parametrize(("body", "_expected"), CASES)
def test_definitions_round_trip_as_json(body, _expected) -> None:
    rebuilt = definition_json(parse_definition(body))
    assert definition_json(parse_definition(rebuilt)) == rebuilt


def test_the_audience_guard_narrows_eligibility_and_shows_in_estimate_and_explain(tenants) -> None:
    guard = parse_definition(
        dims(
            UserAttributes={"real_user": {"Values": ["true"]}},
            Behavior={"Recency": {"RecencyType": "ACTIVE", "Duration": "DAY_30"}},
        )
    )
    for alias in DBS:
        tenant = tenants[alias]
        estimate = segment_estimate(tenant=tenant, definition=parse_definition({}), using=alias, now=NOW, guard=guard)
        assert (estimate.total, estimate.eligible_before_guard, estimate.eligible) == (5, 2, 1)
        e2 = Endpoint.objects.using(alias).get(tenant=tenant, endpoint_id="e2")
        verdict = segment_explain(
            tenant=tenant, definition=parse_definition({}), endpoint=e2, using=alias, now=NOW, guard=guard
        )
        assert verdict.in_segment and not verdict.eligible
        failed = [v.label for v in verdict.eligibility if not v.matched]
        assert failed == ["User.UserAttributes.real_user is any of [true]"]


def test_member_ids_stream_in_chunks_on_both_databases(tenants) -> None:
    from segments.compiler.query import segment_member_ids

    for alias in DBS:
        chunks = list(
            segment_member_ids(
                tenant=tenants[alias], definition=parse_definition({}), using=alias, now=NOW, chunk_size=1
            )
        )
        assert sorted(c[0] for c in chunks) == ["e1", "e2"] and all(len(c) == 1 for c in chunks)


def test_engage_dimensions_beyond_pinpoint_locale_time_zone_city_region_postal_code(tenants) -> None:
    for alias in DBS:
        tenant = tenants[alias]
        Endpoint.objects.using(alias).filter(tenant=tenant, endpoint_id="e1").update(
            locale="ko_KR", timezone="Asia/Seoul", city="Seoul", region="Seoul", postal_code="04524"
        )
    body = dims(
        Demographic={"Locale": {"Values": ["ko_KR"]}, "Timezone": {"Values": ["Asia/Seoul"]}},
        Location={
            "City": {"Values": ["Seoul"]},
            "Region": {"DimensionType": "INCLUSIVE", "Values": ["Seoul"]},
            "PostalCode": {"Values": ["04524"]},
        },
    )
    assert members(tenants, body) == ["e1"]
    assert definition_json(parse_definition(body))["Dimensions"]["Location"]["PostalCode"]["Values"] == ["04524"]
    excluded = dims(Location={"City": {"DimensionType": "EXCLUSIVE", "Values": ["Seoul"]}})
    assert members(tenants, excluded) == ["e2", "e3", "e4", "e5"]
