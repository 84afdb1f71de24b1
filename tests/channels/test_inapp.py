"""The in_app channel: the transport stores messages, the API returns the eligible ones in Pinpoint's
GetInAppMessages shape, and display / click / dismiss events coming back through PutEvents hold the caps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from channels.models import ChannelConfig, Delivery, Dispatch, InAppMessage, Status
from channels.selectors import outbox
from channels.services.dispatch import Recipient, deliveries_enqueue, dispatch_create
from channels.services.send import deliveries_send
from engage import clock
from engage.tenancy.models import ApiKey, Membership, Role, Tenant
from segments.services.endpoints import endpoints_upsert
from templates.models import Channel

pytestmark = pytest.mark.django_db

KeyClient = Callable[..., tuple[APIClient, ApiKey]]


def banner(text: str = "Spring sale", **options: Any) -> dict[str, Any]:
    content = {
        "Layout": "TOP_BANNER",
        "Content": [{"BodyConfig": {"Body": text, "TextColor": "#000000", "Alignment": "LEFT"}}],
        "CustomConfig": {"screen": "home"},
    }
    return {"content": content, "default_substitutions": {}, "policy": "EMPTY", "options": options}


def inapp_config(tenant: Tenant) -> ChannelConfig:
    now = clock.now()
    return ChannelConfig.objects.create(
        tenant=tenant,
        name="In-app",
        channel=Channel.INAPP,
        provider="in_app",
        created_at=now,
        updated_at=now,
    )


def devices(tenant: Tenant, *ids: str) -> list[str]:
    items = [(i, {"ChannelType": "IN_APP", "Address": f"device-{i}", "User": {"UserId": f"user-{i}"}}) for i in ids]
    assert all(r.ok for r in endpoints_upsert(tenant=tenant, items=items, trusted=True))
    return list(ids)


def deliver(
    tenant: Tenant, endpoint_ids: list[str], message: dict[str, Any], *, campaign: str = "c1", **kw: Any
) -> Dispatch:
    config = ChannelConfig.objects.filter(tenant=tenant, provider="in_app").first() or inapp_config(tenant)
    dispatch = dispatch_create(
        tenant=tenant,
        channel=Channel.INAPP,
        source="campaign",
        message=message,
        config=config,
        campaign_id=campaign,
        run_id=f"{campaign}-run",
        treatment_id="0",
        **kw,
    )
    recipients = [Recipient(key=f"{dispatch.pk}:{e}", endpoint_id=e) for e in endpoint_ids]
    deliveries_enqueue(dispatch=dispatch, recipients=recipients, send=False)
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    return dispatch


def url(tenant: Tenant, endpoint_id: str) -> str:
    return f"/api/v1/tenants/{tenant.public_id}/endpoints/{endpoint_id}/in-app-messages/"


def campaigns(client: APIClient, tenant: Tenant, endpoint_id: str, **params: str) -> list[dict[str, Any]]:
    response = client.get(url(tenant, endpoint_id), params)
    assert response.status_code == 200, response.content
    return list(response.json()["InAppMessageCampaigns"])


def report(client: APIClient, tenant: Tenant, endpoint_id: str, kind: str, campaign: str, session: str) -> None:
    event = {
        "EventType": f"_inapp.message_{kind}",
        "Timestamp": clock.now().isoformat(),
        "Attributes": {"campaign_id": campaign, "treatment_id": "0"},
        "Session": {"Id": session, "StartTimestamp": clock.now().isoformat()},
    }
    body = {"BatchItem": {endpoint_id: {"Endpoint": {}, "Events": {f"{kind}-{clock.now().timestamp()}": event}}}}
    response = client.post(f"/api/v1/tenants/{tenant.public_id}/events/", body, format="json")
    assert response.status_code == 202, response.content


def test_the_transport_stores_the_message_for_the_endpoint(tenant: Tenant) -> None:
    dispatch = deliver(tenant, devices(tenant, "phone1", "phone2"), banner(Priority=2, SessionCap=1, TotalCap=5))
    rows = list(Delivery.objects.filter(dispatch=dispatch).order_by("id"))
    assert [(r.status, r.provider_message_id) for r in rows] == [(Status.SENT, f"inapp-{r.pk}") for r in rows]
    stored = list(InAppMessage.objects.filter(tenant=tenant).order_by("endpoint_id"))
    assert [(m.endpoint_id, m.message_key, m.priority, m.session_cap, m.total_cap) for m in stored] == [
        ("phone1", "c1", 2, 1, 5),
        ("phone2", "c1", 2, 1, 5),
    ]
    assert stored[0].content["Content"][0]["BodyConfig"]["Body"] == "Spring sale"
    assert not outbox(tenant=tenant).exists()  # in-app messages are not Outbox entries


def test_sending_the_batch_again_stores_nothing_new(tenant: Tenant) -> None:
    dispatch = deliver(tenant, devices(tenant, "phone1"), banner())
    Delivery.objects.filter(dispatch=dispatch).update(status=Status.QUEUED)
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    assert InAppMessage.objects.filter(tenant=tenant).count() == 1


def test_the_api_answers_pinpoints_get_in_app_messages(tenant: Tenant, key_client: KeyClient) -> None:
    ends = clock.now() + timedelta(days=7)
    deliver(
        tenant, devices(tenant, "phone1"), banner(Priority=2, SessionCap=1, DailyCap=2, TotalCap=3), expires_at=ends
    )
    client, _ = key_client(tenant, ApiKey.Role.INGEST)
    assert campaigns(client, tenant, "phone1") == [
        {
            "CampaignId": "c1",
            "DailyCap": 2,
            "InAppMessage": {
                "Content": [{"BodyConfig": {"Body": "Spring sale", "TextColor": "#000000", "Alignment": "LEFT"}}],
                "CustomConfig": {"screen": "home"},
                "Layout": "TOP_BANNER",
            },
            "Priority": 2,
            "Schedule": {"EndDate": ends.isoformat().replace("+00:00", "Z")},
            "SessionCap": 1,
            "TotalCap": 3,
            "TreatmentId": "0",
        }
    ]


def test_it_orders_by_priority_then_newest_one_per_campaign(tenant: Tenant, key_client: KeyClient) -> None:
    phone = devices(tenant, "phone1")
    deliver(tenant, phone, banner("low", Priority=4), campaign="low")
    deliver(tenant, phone, banner("old urgent", Priority=1), campaign="urgent-a")
    clock.advance(seconds=5)
    deliver(tenant, phone, banner("new urgent", Priority=1), campaign="urgent-b")
    clock.advance(seconds=5)
    deliver(tenant, phone, banner("low, run 2", Priority=4), campaign="low")  # the campaign's newer run replaces it
    client, _ = key_client(tenant, ApiKey.Role.INGEST)
    got = campaigns(client, tenant, "phone1")
    assert [(c["CampaignId"], c["InAppMessage"]["Content"][0]["BodyConfig"]["Body"]) for c in got] == [
        ("urgent-b", "new urgent"),
        ("urgent-a", "old urgent"),
        ("low", "low, run 2"),
    ]


def test_expired_messages_are_not_returned(tenant: Tenant, key_client: KeyClient) -> None:
    deliver(tenant, devices(tenant, "phone1"), banner(), expires_at=clock.now() + timedelta(hours=1))
    client, _ = key_client(tenant, ApiKey.Role.INGEST)
    assert len(campaigns(client, tenant, "phone1")) == 1
    clock.advance(seconds=3601)
    assert campaigns(client, tenant, "phone1") == []


def test_events_hold_the_session_daily_and_total_caps(
    tenant: Tenant, key_client: KeyClient, django_capture_on_commit_callbacks: Any
) -> None:
    deliver(tenant, devices(tenant, "phone1"), banner(SessionCap=2, DailyCap=3, TotalCap=4))
    client, _ = key_client(tenant, ApiKey.Role.INGEST)

    def shown(session: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            report(client, tenant, "phone1", "displayed", "c1", session)

    shown("s1")
    shown("s1")
    assert campaigns(client, tenant, "phone1", session_id="s1") == []  # 2 in session s1
    assert len(campaigns(client, tenant, "phone1", session_id="s2")) == 1
    assert len(campaigns(client, tenant, "phone1")) == 1  # no session given: the app applies SessionCap
    shown("s2")
    assert campaigns(client, tenant, "phone1", session_id="s3") == []  # 3 today
    clock.advance(seconds=24 * 3600)
    assert len(campaigns(client, tenant, "phone1", session_id="s3")) == 1  # a new UTC day
    shown("s3")
    assert campaigns(client, tenant, "phone1", session_id="s4") == []  # 4 in all
    message = InAppMessage.objects.get(tenant=tenant)
    assert (message.displayed_count, message.day_count, message.session_id, message.session_count) == (4, 1, "s3", 1)


def test_clicks_and_dismissals_are_counted(
    tenant: Tenant, key_client: KeyClient, django_capture_on_commit_callbacks: Any
) -> None:
    deliver(tenant, devices(tenant, "phone1", "phone2"), banner())
    client, _ = key_client(tenant, ApiKey.Role.INGEST)
    with django_capture_on_commit_callbacks(execute=True):
        report(client, tenant, "phone1", "clicked", "c1", "s1")
        report(client, tenant, "phone1", "dismissed", "c1", "s1")
        report(client, tenant, "phone1", "dismissed", "another-campaign", "s1")
    counts = dict(InAppMessage.objects.filter(tenant=tenant).values_list("endpoint_id", "clicked_count"))
    assert counts == {"phone1": 1, "phone2": 0}
    assert InAppMessage.objects.get(endpoint_id="phone1").dismissed_count == 1


def test_another_tenants_events_do_not_count(
    tenant: Tenant, other_tenant: Tenant, key_client: KeyClient, django_capture_on_commit_callbacks: Any
) -> None:
    deliver(tenant, devices(tenant, "phone1"), banner(TotalCap=1))
    devices(other_tenant, "phone1")
    theirs, _ = key_client(other_tenant, ApiKey.Role.INGEST)
    with django_capture_on_commit_callbacks(execute=True):
        report(theirs, other_tenant, "phone1", "displayed", "c1", "s1")
    assert InAppMessage.objects.get(tenant=tenant).displayed_count == 0


def test_another_tenants_endpoint_is_404(tenant: Tenant, other_tenant: Tenant, key_client: KeyClient) -> None:
    deliver(other_tenant, devices(other_tenant, "their-phone"), banner())
    ours, _ = key_client(tenant, ApiKey.Role.INGEST)
    theirs, _ = key_client(other_tenant, ApiKey.Role.INGEST)
    assert ours.get(url(tenant, "their-phone")).status_code == 404  # not an endpoint of ours
    assert ours.get(url(other_tenant, "their-phone")).status_code == 404  # not our tenant
    assert theirs.get(url(other_tenant, "their-phone")).status_code == 200
    assert ours.get(url(tenant, "no-such-phone")).status_code == 404


def test_members_who_can_read_may_fetch_and_writes_are_refused(
    tenant: Tenant, member_factory: Callable[..., Membership], client_for: Callable[[Membership], APIClient]
) -> None:
    deliver(tenant, devices(tenant, "phone1"), banner())
    viewer = client_for(member_factory(tenant, Role.VIEWER))
    assert len(campaigns(viewer, tenant, "phone1")) == 1
    assert viewer.post(url(tenant, "phone1"), {}, format="json").status_code == 405
