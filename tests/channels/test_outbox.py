"""The sandbox Outbox: the API listing (page size, order, fields, cursor) and the console page's live poll."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.test import APIClient

from channels.models import Delivery
from channels.services.send import deliveries_send
from channels.services.transactional import messages_send
from engage.tenancy.models import Membership, Role, Tenant
from tests.channels.messaging_support import simple_email
from tests.channels.support import custom_message, make_endpoints, plan

pytestmark = pytest.mark.django_db


def outbox_url(tenant: Tenant, query: str = "") -> str:
    return f"/api/v1/tenants/{tenant.public_id}/outbox/{query}"


def email_to(tenant: Tenant, *addresses: str, subject: str = "Hi {{Attributes.Name}}") -> None:
    request = {
        "Addresses": {a: {"ChannelType": "EMAIL", "Substitutions": {"Name": [a.split("@")[0]]}} for a in addresses},
        "MessageConfiguration": simple_email(subject=subject),
    }
    messages_send(tenant=tenant, request=request, by="tests")


def test_it_lists_rendered_messages_newest_first_with_their_source(api: APIClient, tenant: Tenant) -> None:
    ids = make_endpoints(tenant, 2)
    dispatch, _ = plan(tenant, ids, campaign_id="camp-1")
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    email_to(tenant, "ann@example.com")
    messages_send(
        tenant=tenant,
        request={
            "Addresses": {"+15555550100": {"ChannelType": "SMS"}},
            "MessageConfiguration": {"SMSMessage": {"Body": "Code 1"}},
        },
        by="tests",
    )
    custom, _ = plan(tenant, ids[:1], channel="CUSTOM", message=custom_message())
    deliveries_send(tenant_id=tenant.pk, dispatch_id=custom.pk, chunk=0)

    r = api.get(outbox_url(tenant))
    assert r.status_code == 200, r.content
    items = r.json()["results"]
    assert [i["id"] for i in items] == sorted((i["id"] for i in items), reverse=True)
    assert len(items) == 5
    data, sms, email = items[0], items[1], items[2]
    assert data["channel"] == "CUSTOM" and data["data"] == '{"hello": "u0"}'
    assert sms == {**sms, "channel": "SMS", "body": "Code 1", "address": "+15555550100", "source": "transactional"}
    assert email["subject"] == "Hi ann" and email["body"] == "Hello ann" and email["title"] == ""
    assert email["html"].startswith("<p>") and email["source"] == "transactional" and email["sent_at"]
    campaign = items[-1]
    assert campaign["campaign_id"] == "camp-1" and campaign["run_id"] == "r1" and campaign["treatment_id"] == "0"
    assert campaign["endpoint_id"] in ids and campaign["source"] == "campaign"
    assert set(campaign) == {
        "id", "channel", "address", "endpoint_id", "user_id", "subject", "title", "body", "html", "data",
        "campaign_id", "journey_id", "run_id", "treatment_id", "activity_id", "source", "sent_at",
    }  # fmt: skip
    assert campaign["subject"].startswith("Hi Name") and campaign["html"].startswith("<p>Hello Name")


def test_it_pages_with_a_cursor_and_checks_page_size(api: APIClient, tenant: Tenant) -> None:
    email_to(tenant, *(f"p{i}@example.com" for i in range(7)))
    first = api.get(outbox_url(tenant, "?page_size=3")).json()
    assert len(first["results"]) == 3 and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 3
    assert first["results"][-1]["id"] > second["results"][0]["id"]
    assert len(api.get(outbox_url(tenant, "?page_size=500")).json()["results"]) == 7
    assert len(api.get(outbox_url(tenant)).json()["results"]) == 7
    for bad in ("501", "0", "ten"):
        r = api.get(outbox_url(tenant, f"?page_size={bad}"))
        assert r.status_code == 400 and "page_size" in r.json()["errors"], bad
    assert "channel" in api.get(outbox_url(tenant, "?channel=FAX")).json()["errors"]
    assert api.get(outbox_url(tenant, "?channel=SMS")).json()["results"] == []


def test_it_never_shows_another_tenants_messages(
    api: APIClient, tenant: Tenant, other_tenant: Tenant, member_factory: Callable[..., Membership]
) -> None:
    email_to(tenant, "mine@example.com")
    email_to(other_tenant, "theirs@example.com")
    addresses = [i["address"] for i in api.get(outbox_url(tenant)).json()["results"]]
    assert addresses == ["mine@example.com"]
    assert api.get(outbox_url(other_tenant)).status_code == 404
    client = Client()
    client.force_login(member_factory(tenant, Role.VIEWER).user)
    page = client.get(f"/t/{tenant.public_id}/channels/outbox/")
    assert page.status_code == 200
    assert b"mine@example.com" in page.content and b"theirs@example.com" not in page.content
    assert client.get(f"/t/{other_tenant.public_id}/channels/outbox/").status_code == 404


def test_the_page_polls_for_newer_messages_only(tenant: Tenant, owner: Membership) -> None:
    client = Client()
    client.force_login(owner.user)
    email_to(tenant, "old@example.com", subject="Old news")
    page = client.get(f"/t/{tenant.public_id}/channels/outbox/")
    newest = Delivery.objects.get(tenant=tenant).pk
    assert f"after={newest}".encode() in page.content
    assert b'sandbox=""' in page.content and b"srcdoc=" in page.content
    email_to(tenant, "new@example.com", subject="Fresh news")
    poll = client.get(f"/t/{tenant.public_id}/channels/outbox/?after={newest}", headers={"HX-Request": "true"})
    body = poll.content.decode()
    assert "Fresh news" in body and "Old news" not in body
    assert 'hx-swap-oob="afterbegin:#outbox-rows"' in body
    assert f"after={newest + 1}" in body
    only_sms = client.get(f"/t/{tenant.public_id}/channels/outbox/?channel=SMS").content.decode()
    assert "Fresh news" not in only_sms and "No messages on this channel yet" in only_sms
