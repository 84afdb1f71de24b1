"""The Deliveries console pages and the read-only dispatches / deliveries API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from channels.models import Delivery, Dispatch, Reason, Status
from engage.tenancy.models import Membership, Role, Tenant
from templates.models import Channel
from tests.channels.support import make_endpoints, plan, sms_message

pytestmark = pytest.mark.django_db

# (status, reason) of the six rows of `mixed()`, in endpoint order.
MIXED = [
    (Status.SENT, ""),
    (Status.SENT, ""),
    (Status.QUEUED, Reason.THROTTLED),
    (Status.FAILED, Reason.PROVIDER_REJECTED),
    (Status.UNKNOWN, Reason.WORKER_LOST),
    (Status.SKIPPED, Reason.OPT_OUT),
]


def mixed(tenant: Tenant, *, campaign_id: str = "spring") -> Dispatch:
    """A dispatch whose six rows stand in different states."""
    ids = make_endpoints(tenant, len(MIXED), prefix=f"{campaign_id}-")
    dispatch, _ = plan(tenant, ids, campaign_id=campaign_id)
    for (status, reason), row in zip(MIXED, Delivery.objects.filter(dispatch=dispatch).order_by("id"), strict=True):
        Delivery.objects.filter(pk=row.pk).update(status=status, reason=reason, status_message=f"{status} row")
    return dispatch


@pytest.fixture
def web(tenant: Tenant, member_factory: Callable[..., Membership]) -> Client:
    client = Client()
    client.force_login(member_factory(tenant, Role.VIEWER).user)
    return client


def page(client: Client, name: str, tenant: Tenant, *args: Any, query: str = "") -> str:
    response = client.get(reverse(f"channels:{name}", args=[tenant.public_id, *args]) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_shows_each_dispatch_with_its_progress_and_refreshes_while_pending(
    tenant: Tenant, web: Client
) -> None:
    dispatch = mixed(tenant)
    html = page(web, "deliveries", tenant)
    assert f'data-dispatch="{dispatch.pk}" data-unknown="1" data-pending="1"' in html
    assert 'hx-trigger="every 3s"' in html
    assert "<strong>2</strong> sent" in html and "<strong>1</strong> unknown" in html
    assert "with an unknown outcome" in html and "spring" in html
    Delivery.objects.filter(dispatch=dispatch, status=Status.QUEUED).update(status=Status.SENT)
    done = page(web, "deliveries", tenant)
    assert 'data-pending="0"' in done and "every 3s" not in done


def test_the_list_is_empty_for_a_new_tenant(tenant: Tenant, web: Client) -> None:
    assert "Nothing sent yet" in page(web, "deliveries", tenant)


def test_the_dispatch_page_counts_by_status_and_reason(tenant: Tenant, web: Client) -> None:
    dispatch = mixed(tenant)
    html = page(web, "dispatch", tenant, dispatch.pk)
    assert 'data-unknown="1" data-pending="1"' in html
    assert 'data-status="sent" data-count="2"' in html and 'data-status="delivered" data-count="0"' in html
    assert 'data-status="failed" data-reason="provider_rejected"' in html
    assert "The provider refused the message" in html
    assert html.count("data-delivery=") == 6


def test_the_ledger_filters_by_status_reason_and_address(tenant: Tenant, web: Client) -> None:
    dispatch = mixed(tenant)
    by_status = page(web, "dispatch", tenant, dispatch.pk, query="?status=sent")
    assert by_status.count("data-delivery=") == 2
    by_reason = page(web, "dispatch", tenant, dispatch.pk, query="?reason=worker_lost")
    assert by_reason.count("data-delivery=") == 1 and 'data-status="unknown"' in by_reason
    no_reason = page(web, "dispatch", tenant, dispatch.pk, query="?reason=")
    assert no_reason.count("data-delivery=") == 2
    Delivery.objects.filter(dispatch=dispatch).update(address="")
    Delivery.objects.filter(dispatch=dispatch, endpoint_id="spring-3").update(address="user3@example.com")
    by_address = page(web, "dispatch", tenant, dispatch.pk, query="?q=user3")
    assert by_address.count("data-delivery=") == 1 and "user3@example.com" in by_address
    assert "No messages match" in page(web, "dispatch", tenant, dispatch.pk, query="?status=expired")


def test_the_ledger_pages_newest_first(tenant: Tenant, web: Client) -> None:
    ids = make_endpoints(tenant, 60, channel="SMS")
    dispatch, _ = plan(tenant, ids, channel=Channel.SMS, message=sms_message())
    newest = Delivery.objects.filter(dispatch=dispatch).order_by("-id")
    first = page(web, "dispatch", tenant, dispatch.pk, query="?status=queued")
    assert first.count("data-delivery=") == 50
    assert first.index(f'data-delivery="{newest[0].pk}"') < first.index(f'data-delivery="{newest[1].pk}"')
    older = newest[49].pk
    assert f"?before={older}&amp;status=queued" in first
    second = page(web, "dispatch", tenant, dispatch.pk, query=f"?before={older}&status=queued")
    assert second.count("data-delivery=") == 10


def test_the_pages_hide_another_tenants_dispatch(tenant: Tenant, other_tenant: Tenant, web: Client) -> None:
    theirs = mixed(other_tenant, campaign_id="theirs")
    response = web.get(reverse("channels:dispatch", args=[tenant.public_id, theirs.pk]))
    assert response.status_code == 404
    assert web.get(reverse("channels:deliveries", args=[other_tenant.public_id])).status_code == 404
    assert "theirs" not in page(web, "deliveries", tenant)


def url(tenant: Tenant, path: str) -> str:
    return f"/api/v1/tenants/{tenant.public_id}/{path}"


def test_the_api_lists_dispatches_with_counts(tenant: Tenant, api: APIClient) -> None:
    dispatch = mixed(tenant)
    other = mixed(tenant, campaign_id="autumn")
    body = api.get(url(tenant, "dispatches/")).json()
    assert [d["id"] for d in body["results"]] == [other.pk, dispatch.pk]
    counts = body["results"][1]["counts"]
    assert counts == {
        **dict.fromkeys(Status.values, 0),
        "sent": 2,
        "queued": 1,
        "failed": 1,
        "unknown": 1,
        "skipped": 1,
    }
    assert body["results"][1]["campaign_id"] == "spring" and body["results"][1]["provider"] == "sandbox"
    filtered = api.get(url(tenant, "dispatches/?campaign_id=autumn&channel=EMAIL&source=campaign")).json()
    assert [d["id"] for d in filtered["results"]] == [other.pk]
    refused = api.get(url(tenant, "dispatches/?channel=FAX"))
    assert refused.status_code == 400 and "channel" in str(refused.json())


def test_the_api_retrieves_a_dispatch_with_reasons(tenant: Tenant, api: APIClient) -> None:
    dispatch = mixed(tenant)
    body = api.get(url(tenant, f"dispatches/{dispatch.pk}/")).json()
    assert body["counts"]["unknown"] == 1
    assert {"status": "sent", "reason": "", "count": 2} in body["reasons"]
    assert {"status": "unknown", "reason": "worker_lost", "count": 1} in body["reasons"]
    assert body["reasons"][0]["count"] == 2


def test_the_api_filters_the_ledger(tenant: Tenant, api: APIClient) -> None:
    dispatch = mixed(tenant)
    mixed(tenant, campaign_id="autumn")

    def ids(query: str) -> list[int]:
        response = api.get(url(tenant, f"deliveries/?{query}"))
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert len(ids("")) == 12
    assert len(ids(f"dispatch={dispatch.pk}")) == 6
    assert len(ids(f"dispatch={dispatch.pk}&status=sent")) == 2
    assert len(ids("reason=worker_lost")) == 2
    assert len(ids("channel=EMAIL")) == 12 and ids("channel=SMS") == []
    assert len(ids("endpoint_id=spring-1")) == 1
    Delivery.objects.filter(dispatch=dispatch, endpoint_id="spring-2").update(address="x@example.com")
    [row] = api.get(url(tenant, "deliveries/?address=x@example.com")).json()["results"]
    assert row["endpoint_id"] == "spring-2" and row["status"] == "queued" and row["reason"] == "throttled"
    newest_first = ids("")
    assert newest_first == sorted(newest_first, reverse=True)


def test_the_api_pages_the_ledger_with_a_cursor(tenant: Tenant, api: APIClient) -> None:
    mixed(tenant)
    first = api.get(url(tenant, "deliveries/?page_size=4")).json()
    assert len(first["results"]) == 4 and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])


@pytest.mark.parametrize(
    ("query", "field"), [("status=lost", "status"), ("reason=nope", "reason"), ("dispatch=x", "dispatch")]
)
def test_the_api_refuses_an_unknown_filter_value(tenant: Tenant, api: APIClient, query: str, field: str) -> None:
    response = api.get(url(tenant, f"deliveries/?{query}"))
    assert response.status_code == 400
    assert field in str(response.json())


def test_the_api_hides_another_tenants_dispatches(tenant: Tenant, other_tenant: Tenant, api: APIClient) -> None:
    theirs = mixed(other_tenant, campaign_id="theirs")
    assert api.get(url(tenant, f"dispatches/{theirs.pk}/")).status_code == 404
    assert api.get(url(other_tenant, "dispatches/")).status_code == 404
    assert api.get(url(other_tenant, "deliveries/")).status_code == 404
    assert api.get(url(tenant, f"deliveries/?dispatch={theirs.pk}")).json()["results"] == []
    assert api.get(url(tenant, "dispatches/")).json()["results"] == []


def test_the_api_is_read_only(tenant: Tenant, api: APIClient) -> None:
    dispatch = mixed(tenant)
    assert api.post(url(tenant, "dispatches/"), {}, format="json").status_code == 405
    assert api.delete(url(tenant, f"dispatches/{dispatch.pk}/")).status_code == 405
    assert api.post(url(tenant, "deliveries/"), {}, format="json").status_code == 405
