"""Campaign test sends through the API: every treatment's message to ≤ 10 addresses or a ≤ 100-endpoint segment,
with source TEST (never in the campaign's metrics); errors name the field; other tenants get 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from campaigns.services import campaign_create
from channels.models import Delivery, Source
from engage.tenancy.models import AuditLog, Role, Tenant
from segments.services.segments import segment_create
from tests.campaigns.support import endpoints, push_body, segment_all, url

pytestmark = pytest.mark.django_db
AB = [{"SizePercent": 50, "TreatmentName": "B", "MessageConfiguration": {"GCMMessage": {"Title": "B", "Body": "b"}}}]


def email_campaign(tenant: Tenant) -> str:
    body = {
        "Name": "Spring sale",
        "SegmentId": segment_all(tenant).public_id,
        "MessageConfiguration": {"EmailMessage": {"Title": "Sale for {{User.UserId}}", "HtmlBody": "<p>Hi</p>"}},
        "Schedule": {"StartTime": "IMMEDIATE", "Frequency": "ONCE"},
    }
    return str(campaign_create(tenant=tenant, by="tests", body=body).pk)


def test_it_sends_the_campaign_message_to_test_addresses(api: APIClient, tenant: Tenant) -> None:
    pk = email_campaign(tenant)
    addresses = ["a@example.com", "b@example.com"]
    r = api.post(url(tenant, f"{pk}/test-send/"), {"Addresses": addresses}, format="json")
    assert r.status_code == 200, r.content
    result = r.json()["Treatments"]["0"]["Result"]
    assert {k: v["DeliveryStatus"] for k, v in result.items()} == dict.fromkeys(addresses, "SUCCESSFUL")
    rows = Delivery.objects.filter(dispatch__source=Source.TEST)
    assert sorted(rows.values_list("address", flat=True)) == addresses
    assert all(d.payload["Subject"] == "Sale for " for d in rows)
    assert not Delivery.objects.filter(dispatch__campaign_id=pk).exists()  # nothing in the campaign's metrics
    assert AuditLog.objects.filter(tenant=tenant, action="campaign.test_send").count() == 1


def test_it_sends_every_treatment_to_a_small_segment(api: APIClient, tenant: Tenant) -> None:
    endpoints(tenant, 3)
    campaign = campaign_create(tenant=tenant, by="tests", body=push_body(segment_all(tenant), AdditionalTreatments=AB))
    segment = segment_all(tenant, name="Testers")
    r = api.post(url(tenant, f"{campaign.pk}/test-send/"), {"SegmentId": segment.public_id}, format="json")
    assert r.status_code == 200, r.content
    treatments = r.json()["Treatments"]
    assert set(treatments) == {"0", "1"}
    assert all(v["DeliveryStatus"] == "SUCCESSFUL" for t in treatments.values() for v in t["Result"].values())
    rows = Delivery.objects.filter(dispatch__source=Source.TEST, status="sent")
    assert rows.count() == 6
    titles = sorted(d.payload["Default"]["Title"] for d in rows if "Default" in d.payload)
    assert "Hello u0" in titles


def test_it_refuses_more_than_ten_addresses(api: APIClient, tenant: Tenant) -> None:
    pk = email_campaign(tenant)
    addresses = [f"a{i}@example.com" for i in range(11)]
    r = api.post(url(tenant, f"{pk}/test-send/"), {"Addresses": addresses}, format="json")
    assert r.status_code == 400 and "Addresses" in r.json()["detail"], r.content
    assert not Delivery.objects.exists()


def test_it_refuses_a_segment_of_more_than_100_endpoints(api: APIClient, tenant: Tenant) -> None:
    endpoints(tenant, 101)
    campaign = campaign_create(tenant=tenant, by="tests", body=push_body(segment_all(tenant)))
    r = api.post(url(tenant, f"{campaign.pk}/test-send/"), {"SegmentId": campaign.segment.public_id}, format="json")
    assert r.status_code == 400 and "SegmentId" in r.json()["detail"], r.content


def test_it_refuses_an_empty_request_and_an_unknown_segment(api: APIClient, tenant: Tenant) -> None:
    pk = email_campaign(tenant)
    r = api.post(url(tenant, f"{pk}/test-send/"), {}, format="json")
    assert r.status_code == 400 and "Addresses" in r.json()["detail"]
    r = api.post(url(tenant, f"{pk}/test-send/"), {"SegmentId": "nope"}, format="json")
    assert r.status_code == 400 and "SegmentId" in r.json()["detail"]
    r = api.post(url(tenant, f"{pk}/test-send/"), {"Addresses": ["not-an-address"]}, format="json")
    assert r.status_code == 400 and "Addresses" in r.json()["detail"]


def test_another_tenants_campaign_is_not_found(api: APIClient, tenant: Tenant, other_tenant: Tenant) -> None:
    pk = email_campaign(other_tenant)
    r = api.post(url(tenant, f"{pk}/test-send/"), {"Addresses": ["a@example.com"]}, format="json")
    assert r.status_code == 404
    dims = {"Attributes": {"Team": {"AttributeType": "INCLUSIVE", "Values": ["red"]}}}
    theirs = segment_create(tenant=other_tenant, body={"Name": "Red", "Dimensions": dims}, by="tests")
    mine = email_campaign(tenant)
    r = api.post(url(tenant, f"{mine}/test-send/"), {"SegmentId": theirs.public_id}, format="json")
    assert r.status_code == 400 and "SegmentId" in r.json()["detail"]
    assert not Delivery.objects.exists()


def page(tenant: Tenant, path: str = "") -> str:
    return f"/t/{tenant.public_id}/campaigns/{path}"


def test_the_page_sends_a_test_from_its_dialog(owner_client: Client, tenant: Tenant) -> None:
    pk = email_campaign(tenant)
    detail = owner_client.get(page(tenant, f"{pk}/")).content.decode()
    assert "Send test…" in detail and 'id="test-dialog"' in detail
    r = owner_client.post(
        page(tenant, f"{pk}/test-send/"), {"target": "addresses", "addresses": "a@example.com\nb@x.io"}
    )
    assert r.status_code == 302
    shown = owner_client.get(page(tenant, f"{pk}/")).content.decode()
    assert "Test sent: 2 messages" in shown
    assert Delivery.objects.filter(dispatch__source=Source.TEST, status="sent").count() == 2


def test_the_page_shows_a_refused_test_as_an_error(owner_client: Client, tenant: Tenant) -> None:
    pk = email_campaign(tenant)
    many = ",".join(f"a{i}@example.com" for i in range(11))
    owner_client.post(page(tenant, f"{pk}/test-send/"), {"target": "addresses", "addresses": many})
    shown = owner_client.get(page(tenant, f"{pk}/")).content.decode()
    assert "Addresses: Give at most 10 addresses for a test." in shown
    assert not Delivery.objects.exists()


def test_the_page_refuses_viewers_and_other_tenants(
    owner_client: Client, tenant: Tenant, other_tenant: Tenant, member_factory: Any
) -> None:
    theirs = email_campaign(other_tenant)
    assert owner_client.post(page(tenant, f"{theirs}/test-send/"), {"addresses": "a@example.com"}).status_code == 404
    viewer = member_factory(tenant, Role.VIEWER, "viewer@acme.test")
    client = Client()
    client.force_login(viewer.user)
    mine = email_campaign(tenant)
    assert "Send test…" not in client.get(page(tenant, f"{mine}/")).content.decode()
    assert client.post(page(tenant, f"{mine}/test-send/"), {"addresses": "a@example.com"}).status_code == 403
    assert not Delivery.objects.exists()
