"""Segment eligibility agrees with the send path: suppression is case-insensitive for email and per channel,
on PostgreSQL and SQLite alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engage.tenancy.models import Tenant
from segments.compiler.query import segment_members
from segments.definition import parse_definition
from segments.models import Endpoint, SuppressedAddress

pytestmark = pytest.mark.django_db(databases=["default", "sqlite"])
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ENDPOINTS = [
    ("mixed-case", "EMAIL", "Jane@Example.com"),
    ("fine", "EMAIL", "carl@example.com"),
    ("sms", "SMS", "+12065550100"),
    ("voice", "VOICE", "+12065550100"),
    ("push", "GCM", "Token-ABC"),
]
SUPPRESSED = [("jane@example.com", ""), ("+12065550100", "SMS"), ("Token-ABC", "PUSH")]


@pytest.mark.parametrize("alias", ["default", "sqlite"])
def test_eligible_members_leave_out_suppressed_addresses_for_their_channel(alias: str) -> None:
    tenant = Tenant.objects.using(alias).create(name="Acme")
    other = Tenant.objects.using(alias).create(name="Globex")
    for endpoint_id, channel, address in ENDPOINTS:
        Endpoint.objects.using(alias).create(
            tenant=tenant,
            endpoint_id=endpoint_id,
            channel_type=channel,
            address=address,
            cohort_id="1",
            effective_date=NOW,
            creation_date=NOW,
        )
    for address, channel in SUPPRESSED:
        SuppressedAddress.objects.using(alias).create(tenant=tenant, address=address, channel=channel, created_at=NOW)
    SuppressedAddress.objects.using(alias).create(tenant=other, address="carl@example.com", created_at=NOW)
    found = segment_members(tenant=tenant, definition=parse_definition({}), using=alias, now=NOW)
    assert sorted(found.values_list("endpoint_id", flat=True)) == ["fine", "voice"]
