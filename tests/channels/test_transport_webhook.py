"""The webhook transport through the real send service against a real local HTTP server."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from channels.models import ChannelConfig, Delivery, Dispatch, Reason, Status
from channels.services.dispatch import Recipient, deliveries_enqueue, dispatch_create
from channels.services.send import ChunkSender, deliveries_send, lease
from channels.services.sweep import deliveries_sweep
from channels.transports import transport_class
from channels.transports.httpclient import webhook_url_check
from engage import clock
from engage.errors import Invalid
from engage.tenancy.models import Tenant
from templates.models import Channel
from tests.channels.support import custom_message, make_endpoints, plan
from tests.channels.webhook_server import Hook, running_hook, verify

pytestmark = pytest.mark.django_db

SECRET = "whsec-test-0123456789abcdef"
OFFER = custom_message('{"offer": "spring"}')


@pytest.fixture
def hook() -> Iterator[Hook]:
    with running_hook() as hook:
        yield hook


def webhook_config(tenant: Tenant, url: str, **settings: Any) -> ChannelConfig:
    now = clock.now()
    return ChannelConfig.objects.create(
        tenant=tenant,
        name=f"Hook {ChannelConfig.objects.count() + 1}",
        is_default=False,
        channel=Channel.CUSTOM,
        provider="webhook",
        settings={"url": url, "timeout_seconds": 2, **settings},
        secrets=json.dumps({"signing_secret": SECRET}),
        created_at=now,
        updated_at=now,
    )


def send_to(tenant: Tenant, url: str, count: int, *, message: dict[str, Any] = OFFER, **settings: Any) -> Dispatch:
    ids = make_endpoints(tenant, count, channel="CUSTOM")
    config = webhook_config(tenant, url, **settings)
    dispatch, _ = plan(tenant, ids, message=message, channel=Channel.CUSTOM, config=config)
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    return dispatch


def rows(dispatch: Dispatch) -> list[Delivery]:
    return list(Delivery.objects.filter(dispatch=dispatch).order_by("id"))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_it_posts_pinpoints_custom_channel_payload_signed(tenant: Tenant, hook: Hook) -> None:
    dispatch = send_to(tenant, hook.url, 3)
    [request] = hook.posts()
    payload = request.json
    assert payload["Message"] == {} and payload["Data"] == '{"offer": "spring"}'
    assert payload["ApplicationId"] == tenant.public_id
    assert (payload["CampaignId"], payload["TreatmentId"], payload["ActivityId"]) == ("c1", "0", "r1")
    assert payload["ScheduledTime"].endswith("Z")
    assert sorted(payload["Endpoints"]) == ["ep0", "ep1", "ep2"]
    endpoint = payload["Endpoints"]["ep1"]
    assert (endpoint["ChannelType"], endpoint["Address"]) == ("CUSTOM", "+15550000001")
    assert endpoint["User"]["UserId"] == "u1"
    assert request.headers["User-Agent"] == "Engage-Webhook/1"
    assert request.headers["Content-Type"] == "application/json"
    key = request.headers["Idempotency-Key"]
    assert len(key) == 40
    assert [(r.status, r.provider_message_id) for r in rows(dispatch)] == [(Status.SENT, key)] * 3


def test_its_signature_verifies_and_a_tampered_or_stale_request_does_not(tenant: Tenant, hook: Hook) -> None:
    send_to(tenant, hook.url, 1)
    [request] = hook.posts()
    headers, body = request.headers, request.body
    sent_at = int(headers["X-Engage-Timestamp"])
    assert verify(SECRET, headers, body, now=time.time())
    assert not verify("another-secret-0123456789", headers, body, now=time.time())
    assert not verify(SECRET, headers, body.replace(b"spring", b"winter"), now=time.time())
    assert not verify(SECRET, {**headers, "X-Engage-Timestamp": str(sent_at + 60)}, body, now=time.time())
    # The same request replayed after the 5-minute window is refused.
    assert verify(SECRET, headers, body, now=sent_at + 299)
    assert not verify(SECRET, headers, body, now=sent_at + 301)


def test_it_sends_at_most_50_endpoints_per_call(tenant: Tenant, hook: Hook) -> None:
    dispatch = send_to(tenant, hook.url, 120)
    sizes = sorted(len(r.json["Endpoints"]) for r in hook.posts())
    assert sizes == [20, 50, 50]
    assert len({r.headers["Idempotency-Key"] for r in hook.posts()}) == 3
    assert {r.status for r in rows(dispatch)} == {Status.SENT}
    assert sum(hook.addresses.values()) == len(hook.addresses) == 120


def test_messages_with_different_data_go_in_separate_calls(tenant: Tenant, hook: Hook) -> None:
    dispatch = send_to(tenant, hook.url, 3, message=custom_message('{"hello": "{{User.UserId}}"}'))
    datas = sorted(r.json["Data"] for r in hook.posts())
    assert datas == ['{"hello": "u0"}', '{"hello": "u1"}', '{"hello": "u2"}']
    assert all(len(r.json["Endpoints"]) == 1 for r in hook.posts())
    assert {r.status for r in rows(dispatch)} == {Status.SENT}


def test_it_keys_raw_addresses_by_the_address(tenant: Tenant, hook: Hook) -> None:
    config = webhook_config(tenant, hook.url)
    dispatch = dispatch_create(
        tenant=tenant, channel=Channel.CUSTOM, source="transactional", message=OFFER, config=config
    )
    recipients = [Recipient(key=f"t:{i}", address=f"device-{i}") for i in range(2)]
    deliveries_enqueue(dispatch=dispatch, recipients=recipients, send=False)
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    [request] = hook.posts()
    assert request.json["Endpoints"] == {
        "device-0": {"ChannelType": "CUSTOM", "Address": "device-0"},
        "device-1": {"ChannelType": "CUSTOM", "Address": "device-1"},
    }
    assert request.json["CampaignId"] == ""


def test_it_takes_the_message_id_from_the_answer(tenant: Tenant, hook: Hook) -> None:
    hook.reply = b'{"id": "msg-42"}'
    dispatch = send_to(tenant, hook.url, 2)
    assert {r.provider_message_id for r in rows(dispatch)} == {"msg-42"}


def test_a_429_leaves_the_rows_queued_as_throttled(tenant: Tenant, hook: Hook) -> None:
    hook.status, hook.headers = 429, {"Retry-After": "7"}
    dispatch = send_to(tenant, hook.url, 3)
    got = rows(dispatch)
    assert {(r.status, r.reason) for r in got} == {(Status.QUEUED, Reason.THROTTLED)}
    assert all(r.not_before is not None and r.attempted_at is None for r in got)
    assert "HTTP 429" in got[0].status_message


def test_a_503_with_retry_after_is_throttling(tenant: Tenant, hook: Hook) -> None:
    hook.status, hook.headers = 503, {"Retry-After": "30"}
    dispatch = send_to(tenant, hook.url, 1)
    assert {(r.status, r.reason) for r in rows(dispatch)} == {(Status.QUEUED, Reason.THROTTLED)}


def test_a_500_is_retried_with_the_same_key_then_failed_after_the_cap(tenant: Tenant, hook: Hook) -> None:
    hook.status, hook.reply = 500, b"database is down"
    dispatch = send_to(tenant, hook.url, 3)
    assert {(r.status, r.reason) for r in rows(dispatch)} == {(Status.QUEUED, "")}
    for _ in range(10):
        clock.advance(seconds=600)
        deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    got = rows(dispatch)
    assert {(r.status, r.reason, r.attempts) for r in got} == {(Status.FAILED, Reason.PROVIDER_ERROR, 5)}
    assert "HTTP 500: database is down" in got[0].status_message
    assert len(hook.posts()) == 5
    # The same batch sent again carries the same Idempotency-Key.
    assert len({r.headers["Idempotency-Key"] for r in hook.posts()}) == 1


def test_a_400_fails_the_rows_with_the_answer(tenant: Tenant, hook: Hook) -> None:
    hook.status, hook.reply = 400, b'{"error": "Data must be an object"}\n'
    dispatch = send_to(tenant, hook.url, 2)
    got = rows(dispatch)
    assert {(r.status, r.reason) for r in got} == {(Status.FAILED, Reason.PROVIDER_REJECTED)}
    assert got[0].status_message.endswith('answered HTTP 400: {"error": "Data must be an object"}')
    assert len(hook.posts()) == 1


def test_a_read_timeout_leaves_the_rows_unknown(tenant: Tenant, hook: Hook) -> None:
    hook.delay = 1.5
    dispatch = send_to(tenant, hook.url, 2, timeout_seconds=1)
    got = rows(dispatch)
    assert {(r.status, r.reason) for r in got} == {(Status.UNKNOWN, Reason.PROVIDER_ERROR)}
    assert "may have received" in got[0].status_message
    assert sum(hook.addresses.values()) == 2  # it did arrive: sending it again would have been a duplicate


def test_a_refused_connection_is_retried(tenant: Tenant) -> None:
    dispatch = send_to(tenant, f"http://127.0.0.1:{closed_port()}/hook", 2)
    got = rows(dispatch)
    assert {(r.status, r.reason, r.attempted_at) for r in got} == {(Status.QUEUED, "", None)}
    assert "could not reach 127.0.0.1" in got[0].status_message


def test_it_refuses_plain_http_to_a_public_address(tenant: Tenant) -> None:
    dispatch = send_to(tenant, "http://93.184.216.34/hook", 1)
    [row] = rows(dispatch)
    assert (row.status, row.reason) == (Status.FAILED, Reason.PROVIDER_REJECTED)
    assert "must start with https://" in row.status_message


@pytest.mark.parametrize(
    ("url", "allow_private", "refusal"),
    [
        ("ftp://hooks.example/x", True, "must be an https:// URL"),
        ("https://user:pw@127.0.0.1/x", True, "user name or password"),
        ("http://93.184.216.34/x", True, "must start with https://"),
        ("http://127.0.0.1:8080/x", False, "private or reserved address"),
        ("https://10.1.2.3/x", False, "private or reserved address"),
        ("http://127.0.0.1:8080/x", True, ""),
        ("https://93.184.216.34/x", False, ""),
    ],
)
def test_its_url_policy(settings: Any, url: str, allow_private: bool, refusal: str) -> None:
    settings.EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS = allow_private
    if not refusal:
        webhook_url_check(url)
        return
    with pytest.raises(Invalid, match=refusal) as caught:
        webhook_url_check(url)
    assert caught.value.field == "url"


def test_it_forwards_only_the_configured_endpoint_types(tenant: Tenant, hook: Hook) -> None:
    ids = make_endpoints(tenant, 2, channel="EMAIL")
    config = webhook_config(tenant, hook.url)
    dispatch, _ = plan(tenant, ids, message=OFFER, channel=Channel.CUSTOM, config=config)
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    assert hook.posts() == []
    got = rows(dispatch)
    assert {(r.status, r.reason) for r in got} == {(Status.FAILED, Reason.PROVIDER_REJECTED)}
    assert "endpoint type EMAIL is not among the webhook's endpoint types (CUSTOM)" in got[0].status_message


def test_it_forwards_other_endpoint_types_when_configured(tenant: Tenant, hook: Hook) -> None:
    ids = make_endpoints(tenant, 2, channel="EMAIL")
    config = webhook_config(tenant, hook.url, endpoint_types=["CUSTOM", "EMAIL"])
    dispatch, _ = plan(tenant, ids, message=OFFER, channel=Channel.CUSTOM, config=config)
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    [request] = hook.posts()
    assert {e["ChannelType"] for e in request.json["Endpoints"].values()} == {"EMAIL"}
    assert {r.status for r in rows(dispatch)} == {Status.SENT}


def test_check_heads_the_url_and_shows_the_pinpoint_account_header(tenant: Tenant, hook: Hook) -> None:
    hook.headers = {"X-Amz-Pinpoint-AccountId": "123456789012"}
    result = transport_class("webhook")(webhook_config(tenant, hook.url)).check()
    assert result.ok, result.error
    assert result.values["status"] == 200
    assert result.values["X-Amz-Pinpoint-AccountId"] == "123456789012"
    assert result.values["Server"].startswith("BaseHTTP")
    assert [r.method for r in hook.requests] == ["HEAD"]


def test_check_shows_what_went_wrong(tenant: Tenant, hook: Hook) -> None:
    hook.status = 404
    result = transport_class("webhook")(webhook_config(tenant, hook.url)).check()
    assert not result.ok and "HTTP 404" in result.error
    config = webhook_config(tenant, f"http://127.0.0.1:{closed_port()}/x")
    refused = transport_class("webhook")(config).check()
    assert not refused.ok and "could not reach" in refused.error


def test_another_tenants_dispatch_is_not_posted(tenant: Tenant, other_tenant: Tenant, hook: Hook) -> None:
    ids = make_endpoints(tenant, 2, channel="CUSTOM")
    config = webhook_config(tenant, hook.url)
    dispatch, _ = plan(tenant, ids, message=OFFER, channel=Channel.CUSTOM, config=config)
    assert deliveries_send(tenant_id=other_tenant.pk, dispatch_id=dispatch.pk, chunk=0).claimed == 0
    assert hook.posts() == []


def test_a_worker_whose_lease_ran_out_waiting_for_a_token_sends_nothing_twice(tenant: Tenant, hook: Hook) -> None:
    ids = make_endpoints(tenant, 3, channel="CUSTOM")
    config = webhook_config(tenant, hook.url)
    config.messages_per_second = 1
    config.save()
    dispatch, _ = plan(tenant, ids, message=OFFER, channel=Channel.CUSTOM, config=config)

    def stall(seconds: float) -> None:
        # Worker A waits for the rate limiter past its lease: the sweeper re-queues the rows it has not handed
        # over yet, and worker B sends them.
        clock.advance(seconds=lease().total_seconds() + 1)
        deliveries_sweep(now=clock.now(), enqueue=lambda *a: None, is_enqueued=lambda *a: True)
        deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
        time.sleep(seconds)

    worker_a = ChunkSender(dispatch)
    assert worker_a.limiter is not None
    worker_a.limiter.sleep = stall
    while worker_a.round(0):
        pass
    assert sorted(hook.addresses.values()) == [1, 1, 1]
    assert {r.status for r in rows(dispatch)} == {Status.SENT}
