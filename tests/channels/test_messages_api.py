"""The direct-send API (SendMessages / SendUsersMessages semantics) through the real send service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from channels.models import Delivery, Dispatch, Reason, Source, Status
from channels.services.send import lease
from channels.services.transactional import messages_send
from channels.tasks import chunk_is_enqueued
from engage import clock
from engage.errors import Conflict
from engage.events.models import Event
from engage.tenancy.models import ApiKey, Membership, Role, Tenant
from segments.models import Endpoint, SuppressedAddress
from tests.channels.messaging_support import (
    ProcessKilled,
    email_template,
    scripted_config,
    simple_email,
    sms_template,
)
from tests.channels.support import make_endpoints

pytestmark = pytest.mark.django_db


def url(tenant: Tenant, path: str = "messages/") -> str:
    return f"/api/v1/tenants/{tenant.public_id}/{path}"


def send(api: APIClient, tenant: Tenant, body: dict[str, Any], path: str = "messages/", **headers: str) -> Any:
    return api.post(url(tenant, path), body, format="json", headers=headers)


def addresses(*items: str, channel: str = "EMAIL", **extra: Any) -> dict[str, Any]:
    return {a: {"ChannelType": channel, **extra} for a in items}


def test_it_sends_to_addresses_and_answers_with_the_ledger(api: APIClient, tenant: Tenant) -> None:
    body = {
        "Addresses": {
            "ann@example.com": {"ChannelType": "EMAIL", "Substitutions": {"Name": ["Ann"]}},
            "bob@example.com": {"ChannelType": "EMAIL", "TitleOverride": "Just for Bob"},
        },
        "MessageConfiguration": simple_email(),
    }
    r = send(api, tenant, body)
    assert r.status_code == 200, r.content
    answer = r.json()
    assert answer["ApplicationId"] == tenant.public_id and answer["RequestId"]
    ann = answer["Result"]["ann@example.com"]
    assert ann["DeliveryStatus"] == "SUCCESSFUL" and ann["StatusCode"] == 200
    row = Delivery.objects.get(tenant=tenant, address="ann@example.com")
    assert ann["MessageId"] == row.provider_message_id == f"sandbox-{row.pk}"
    assert row.payload["Subject"] == "Hi Ann" and row.payload["TextPart"] == "Hello Ann"
    assert Delivery.objects.get(tenant=tenant, address="bob@example.com").payload["Subject"] == "Just for Bob"
    dispatch = row.dispatch
    assert dispatch.source == Source.TRANSACTIONAL and dispatch.message["options"]["FromAddress"] == "shop@example.com"
    assert Event.objects.filter(tenant=tenant, event_type="_email.send").count() == 2
    assert not Event.objects.filter(tenant=tenant, event_type="_campaign.send").exists()


def test_it_sends_to_endpoints_and_reports_opt_out_suppressed_duplicate_and_unknown_ids(
    api: APIClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    ids = make_endpoints(tenant, 4)
    theirs = make_endpoints(other_tenant, 1, prefix="theirs")
    Endpoint.objects.filter(tenant=tenant, endpoint_id="ep1").update(opt_out="ALL")
    SuppressedAddress.objects.create(tenant=tenant, address="user2@example.com", created_at="2026-11-01T00:00Z")
    Endpoint.objects.filter(tenant=tenant, endpoint_id="ep3").update(address="user0@example.com")
    body = {
        "Endpoints": {**{i: {} for i in ids}, "nobody": {}, theirs[0]: {}},
        "MessageConfiguration": simple_email("Hi {{User.UserAttributes.FirstName}}", "Hello"),
    }
    answer = send(api, tenant, body).json()["EndpointResult"]
    assert answer["ep0"]["DeliveryStatus"] == "SUCCESSFUL" and answer["ep0"]["Address"] == "user0@example.com"
    assert answer["ep1"]["DeliveryStatus"] == "OPT_OUT"
    assert answer["ep2"]["DeliveryStatus"] == "PERMANENT_FAILURE" and "suppressed" in answer["ep2"]["StatusMessage"]
    assert answer["ep3"]["DeliveryStatus"] == "DUPLICATE"
    for missing in ("nobody", theirs[0]):
        assert answer[missing]["DeliveryStatus"] == "PERMANENT_FAILURE", answer[missing]
        assert answer[missing]["StatusCode"] == 404 and "endpoint not found" in answer[missing]["StatusMessage"]
    assert Delivery.objects.get(tenant=tenant, endpoint_id="ep0").payload["Subject"] == "Hi Name0"
    assert Delivery.objects.filter(tenant=tenant, status=Status.SENT).count() == 1
    assert Delivery.objects.get(tenant=tenant, endpoint_id="ep3").reason == Reason.DUPLICATE
    assert not Delivery.objects.filter(tenant=other_tenant).exists()


def test_a_request_to_unknown_endpoints_only_plans_nothing(api: APIClient, tenant: Tenant) -> None:
    body = {"Endpoints": {"nobody": {}}, "MessageConfiguration": simple_email()}
    answer = send(api, tenant, body).json()
    assert answer["EndpointResult"]["nobody"]["DeliveryStatus"] == "PERMANENT_FAILURE"
    assert not Dispatch.objects.filter(tenant=tenant).exists()


def test_it_reports_provider_outcomes_as_pinpoint_statuses(
    api: APIClient, tenant: Tenant, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    scripted_config(tenant)
    body = {
        "Addresses": addresses(
            "ok@example.com", "throttle@example.com", "reject@example.com", "flaky@example.com", "lost@example.com"
        ),
        "MessageConfiguration": simple_email(),
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = send(api, tenant, body).json()["Result"]
    statuses = {a: (r["DeliveryStatus"], r["StatusCode"]) for a, r in answer.items()}
    assert statuses == {
        "ok@example.com": ("SUCCESSFUL", 200),
        "throttle@example.com": ("THROTTLED", 429),
        "reject@example.com": ("PERMANENT_FAILURE", 400),
        "flaky@example.com": ("TEMPORARY_FAILURE", 503),
        "lost@example.com": ("UNKNOWN_FAILURE", 500),
    }
    assert answer["ok@example.com"]["MessageId"].startswith("scripted-")
    assert "MessageRejected" in answer["reject@example.com"]["StatusMessage"]
    assert "retries it" in answer["throttle@example.com"]["StatusMessage"]
    throttled = Delivery.objects.get(tenant=tenant, address="throttle@example.com")
    assert (throttled.status, throttled.reason) == (Status.QUEUED, Reason.THROTTLED)
    assert throttled.not_before is not None
    assert chunk_is_enqueued(throttled.dispatch_id, throttled.chunk)


def test_a_rendering_failure_is_a_permanent_failure(api: APIClient, tenant: Tenant) -> None:
    template = email_template(tenant, "strict")
    template.missing_variable_policy = "SKIP"
    template.save()
    version = template.active_version
    version.default_substitutions = {}
    version.save()
    body = {
        "Addresses": addresses("ann@example.com"),
        "TemplateConfiguration": {"EmailTemplate": {"Name": "strict"}},
    }
    answer = send(api, tenant, body).json()["Result"]["ann@example.com"]
    assert answer["DeliveryStatus"] == "PERMANENT_FAILURE"
    assert "FirstName" in answer["StatusMessage"]


def test_it_sends_a_template_by_name_and_version(api: APIClient, tenant: Tenant) -> None:
    email_template(
        tenant,
        "news",
        {"Subject": "Version one", "TextPart": "one"},
        {"Subject": "Version two for {{Attributes.Name}}", "TextPart": "two"},
    )
    by_version = {
        "Addresses": addresses("ann@example.com", Substitutions={"Name": ["Ann"]}),
        "TemplateConfiguration": {"EmailTemplate": {"Name": "news", "Version": "2"}},
    }
    assert send(api, tenant, by_version).json()["Result"]["ann@example.com"]["DeliveryStatus"] == "SUCCESSFUL"
    assert Delivery.objects.get(tenant=tenant, address="ann@example.com").payload["Subject"] == "Version two for Ann"
    active = {
        "Addresses": addresses("bob@example.com"),
        "TemplateConfiguration": {"EmailTemplate": {"Name": "news"}},
        "MessageConfiguration": {"EmailMessage": {"SimpleEmail": {"TextPart": {"Data": "inline wins"}}}},
    }
    assert send(api, tenant, active).status_code == 200
    bob = Delivery.objects.get(tenant=tenant, address="bob@example.com")
    assert bob.payload["Subject"] == "Version one" and bob.payload["TextPart"] == "inline wins"
    assert bob.dispatch.message["template"]["version"] == 1
    missing = {**active, "TemplateConfiguration": {"EmailTemplate": {"Name": "news", "Version": "9"}}}
    r = send(api, tenant, missing)
    assert r.status_code == 404 and "TemplateConfiguration.EmailTemplate.Version" in r.json()["errors"]
    unknown = {**active, "TemplateConfiguration": {"EmailTemplate": {"Name": "nope"}}}
    assert "TemplateConfiguration.EmailTemplate.Name" in send(api, tenant, unknown).json()["errors"]


def test_it_sends_sms_and_push_addresses_with_their_options(api: APIClient, tenant: Tenant) -> None:
    sms_template(tenant)
    body = {
        "Addresses": {
            "+15555550100": {"ChannelType": "SMS", "Substitutions": {"Code": ["123456"]}},
            "device-token-1": {"ChannelType": "APNS", "BodyOverride": "Your order shipped"},
        },
        "MessageConfiguration": {
            "SMSMessage": {"MessageType": "TRANSACTIONAL", "OriginationNumber": "+15555550199"},
            "APNSMessage": {"Title": "Shop", "Body": "Hello", "TimeToLive": 60},
        },
        "TemplateConfiguration": {"SMSTemplate": {"Name": "otp"}},
    }
    answer = send(api, tenant, body).json()["Result"]
    assert {r["DeliveryStatus"] for r in answer.values()} == {"SUCCESSFUL"}
    sms = Delivery.objects.get(tenant=tenant, channel="SMS")
    assert sms.payload["Body"] == "Your code is 123456"
    assert sms.dispatch.message["options"]["OriginationNumber"] == "+15555550199"
    push = Delivery.objects.get(tenant=tenant, channel="PUSH")
    assert push.payload["APNS"]["Title"] == "Shop" and push.payload["Body"] == "Your order shipped"
    assert push.context["Options"]["ChannelType"] == "APNS"
    assert push.dispatch.message["options"]["TimeToLive"] == 60


def test_it_replays_an_idempotency_key_and_refuses_it_with_another_body(api: APIClient, tenant: Tenant) -> None:
    body = {"Addresses": addresses("ann@example.com"), "MessageConfiguration": simple_email()}
    first = send(api, tenant, body, **{"Idempotency-Key": "order-42"})
    again = send(api, tenant, body, **{"Idempotency-Key": "order-42"})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert Delivery.objects.filter(tenant=tenant).count() == 1
    assert Dispatch.objects.get(tenant=tenant, request_key="order-42").response["response"] == first.json()
    other = {**body, "Addresses": addresses("bob@example.com")}
    conflict = send(api, tenant, other, **{"Idempotency-Key": "order-42"})
    assert conflict.status_code == 409
    assert "Idempotency-Key" in conflict.json()["errors"]
    assert Delivery.objects.filter(tenant=tenant).count() == 1
    assert send(api, tenant, other, **{"Idempotency-Key": "order-43"}).status_code == 200


def test_a_key_whose_request_died_mid_send_is_answered_from_the_ledger_after_a_lease(tenant: Tenant) -> None:
    scripted_config(tenant)
    body = {"Addresses": addresses("killed@example.com"), "MessageConfiguration": simple_email()}
    with pytest.raises(ProcessKilled):
        messages_send(tenant=tenant, request=body, by="tests", idempotency_key="k-1")
    with pytest.raises(Conflict) as running:
        messages_send(tenant=tenant, request=body, by="tests", idempotency_key="k-1")
    assert running.value.field == "Idempotency-Key" and "still being sent" in running.value.message
    clock.advance(seconds=lease().total_seconds() + 1)
    answer = messages_send(tenant=tenant, request=body, by="tests", idempotency_key="k-1")
    assert answer["Result"]["killed@example.com"]["DeliveryStatus"] == "TEMPORARY_FAILURE"
    assert Delivery.objects.filter(tenant=tenant).count() == 1
    assert messages_send(tenant=tenant, request=body, by="tests", idempotency_key="k-1") == answer


def test_it_refuses_more_than_100_recipients(api: APIClient, tenant: Tenant) -> None:
    body = {
        "Addresses": addresses(*(f"u{i}@example.com" for i in range(60))),
        "Endpoints": {f"ep{i}": {} for i in range(41)},
        "MessageConfiguration": simple_email(),
    }
    r = send(api, tenant, body)
    assert r.status_code == 400 and "at most 100" in r.json()["detail"]
    assert "Addresses" in r.json()["errors"]
    assert not Dispatch.objects.filter(tenant=tenant).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"Addresses": {"foo@bar.com": {"ChannelType": "FAX"}}}, "Addresses.foo@bar.com.ChannelType"),
        ({"Addresses": {"foo@bar.com": {}}}, "Addresses.foo@bar.com.ChannelType"),
        ({"Addresses": {"not-an-email": {"ChannelType": "EMAIL"}}}, "Addresses.not-an-email"),
        ({"Addresses": {"555-0100": {"ChannelType": "SMS"}}}, "Addresses.555-0100"),
        ({"Addresses": {"+15555550100": {"ChannelType": "SMS"}}}, "Addresses.+15555550100.ChannelType"),
        (
            {
                "Addresses": {"a@example.com": {"ChannelType": "EMAIL"}},
                "MessageConfiguration": {"EmailMessage": {"SimpleEmail": {"Subject": {"Data": "Hi"}}}},
            },
            "MessageConfiguration.EmailMessage.SimpleEmail.HtmlPart",
        ),
        (
            {
                "Addresses": {"a@example.com": {"ChannelType": "EMAIL", "Substitutions": "x"}},
            },
            "Addresses.a@example.com.Substitutions",
        ),
        ({"MessageConfiguration": {}}, "Addresses"),
    ],
)
def test_it_names_the_field_to_fix(api: APIClient, tenant: Tenant, body: dict[str, Any], field: str) -> None:
    body = {"MessageConfiguration": simple_email(), **body}
    r = send(api, tenant, body)
    assert r.status_code == 400, r.content
    assert field in r.json()["errors"], r.json()
    assert not Delivery.objects.filter(tenant=tenant).exists()


def test_it_sends_to_every_endpoint_of_each_user(api: APIClient, tenant: Tenant) -> None:
    make_endpoints(tenant, 1)  # ep0 of user u0 (EMAIL)
    make_endpoints(tenant, 1, channel="SMS", prefix="phone")  # phone0 of user u0 (SMS)
    body = {
        "Users": {"u0": {"Substitutions": {"Name": ["Zed"]}}, "ghost": {}},
        "MessageConfiguration": simple_email(),
    }
    r = send(api, tenant, body, path="users-messages/")
    assert r.status_code == 200, r.content
    result = r.json()["Result"]
    assert result["ghost"] == {}
    assert result["u0"]["ep0"]["DeliveryStatus"] == "SUCCESSFUL"
    assert result["u0"]["phone0"]["DeliveryStatus"] == "PERMANENT_FAILURE"
    assert "no SMS message" in result["u0"]["phone0"]["StatusMessage"]
    assert Delivery.objects.get(tenant=tenant, endpoint_id="ep0").payload["Subject"] == "Hi Zed"


def test_it_hides_other_tenants_and_refuses_viewers(
    api: APIClient,
    tenant: Tenant,
    other_tenant: Tenant,
    member_factory: Callable[..., Membership],
    client_for: Callable[[Membership], APIClient],
    key_client: Callable[..., tuple[APIClient, ApiKey]],
) -> None:
    body = {"Addresses": addresses("ann@example.com"), "MessageConfiguration": simple_email()}
    for path in ("messages/", "users-messages/"):
        assert send(api, other_tenant, body, path=path).status_code == 404
        viewer = client_for(member_factory(tenant, Role.VIEWER))
        assert send(viewer, tenant, body, path=path).status_code == 403
    ingest, _ = key_client(tenant, ApiKey.Role.INGEST)
    assert send(ingest, tenant, body).status_code == 403
    marketer, _ = key_client(tenant, ApiKey.Role.MARKETER)
    assert send(marketer, tenant, body).status_code == 200
    stranger, _ = key_client(other_tenant, ApiKey.Role.ADMIN)
    assert send(stranger, tenant, body).status_code == 404
    assert Delivery.objects.filter(tenant=tenant).count() == 1


def test_a_template_test_send_goes_out_as_a_test_message(api: APIClient, tenant: Tenant, other_tenant: Tenant) -> None:
    template = email_template(
        tenant, "welcome", {"Subject": "One", "TextPart": "1"}, {"Subject": "Two", "TextPart": "2"}
    )
    make_endpoints(tenant, 1)
    path = f"templates/{template.pk}/test-send/"
    r = send(api, tenant, {"Addresses": ["ann@example.com"], "EndpointIds": ["ep0"], "Version": 2}, path=path)
    assert r.status_code == 200, r.content
    answer = r.json()
    assert answer["Result"]["ann@example.com"]["DeliveryStatus"] == "SUCCESSFUL"
    assert answer["EndpointResult"]["ep0"]["DeliveryStatus"] == "SUCCESSFUL"
    rows = Delivery.objects.filter(tenant=tenant)
    assert {d.payload["Subject"] for d in rows} == {"Two"}
    assert {d.dispatch.source for d in rows} == {Source.TEST}
    assert not Event.objects.filter(tenant=tenant).exists()
    too_many = {"Addresses": [f"u{i}@example.com" for i in range(16)]}
    assert "Addresses" in send(api, tenant, too_many, path=path).json()["errors"]
    foreign = email_template(other_tenant, "theirs")
    assert (
        send(api, tenant, {"Addresses": ["a@example.com"]}, path=f"templates/{foreign.pk}/test-send/").status_code
        == 404
    )
