"""The kakao_alimtalk transport through the real send service against a strict local NHN Cloud AlimTalk v2.3 server."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest

from channels.models import ChannelConfig, Delivery, Dispatch, Reason, Status
from channels.services.alimtalk_fields import alimtalk_secrets_check, clean_alimtalk
from channels.services.send import deliveries_send
from channels.transports import OutboundMessage, transport_class
from channels.transports.alimtalk_wire import national_number
from engage import clock
from engage.errors import Invalid
from engage.tenancy.models import Tenant
from segments.services.endpoints import endpoints_upsert
from templates.models import Channel
from tests.channels.alimtalk_server import AlimTalkServer, running_alimtalk
from tests.channels.support import plan

pytestmark = pytest.mark.django_db

SHIPPED = {
    "content": {
        "SenderKey": "SENDERKEY1",
        "TemplateCode": "ORDER_SHIPPED",
        "Text": "#{name}님, 주문 #{order}이(가) 발송되었습니다.",
        "Variables": {"name": "{{User.UserAttributes.FirstName}}", "order": "{{Attributes.Order}}"},
    },
    "default_substitutions": {},
    "policy": "EMPTY",
    "options": {},
}


@pytest.fixture(autouse=True)
def _private_networks(settings: Any) -> None:
    settings.EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS = True  # the stand-in listens on 127.0.0.1 over http


@pytest.fixture
def nhn() -> Iterator[AlimTalkServer]:
    with running_alimtalk() as server:
        yield server


def alimtalk_config(tenant: Tenant, server: AlimTalkServer, *, secret: str = "", **settings: Any) -> ChannelConfig:
    now = clock.now()
    return ChannelConfig.objects.create(
        tenant=tenant,
        name=f"AlimTalk {ChannelConfig.objects.count() + 1}",
        is_default=False,
        channel=Channel.ALIMTALK,
        provider="kakao_alimtalk",
        settings={"base_url": server.base_url, "appkey": server.appkey, "timeout_seconds": 2, **settings},
        secrets=json.dumps({"secret_key": secret or server.secret}),
        created_at=now,
        updated_at=now,
    )


def korean_endpoints(tenant: Tenant, count: int, *, prefix: str = "kr") -> list[str]:
    items = [
        (
            f"{prefix}{i}",
            {
                "ChannelType": "SMS",
                "Address": f"+8210{i:08d}",
                "Attributes": {"Order": [f"A-{i}"]},
                "User": {"UserId": f"u{i}", "UserAttributes": {"FirstName": [f"민준{i}"]}},
            },
        )
        for i in range(count)
    ]
    for start in range(0, len(items), 100):
        assert all(r.ok for r in endpoints_upsert(tenant=tenant, items=items[start : start + 100], trusted=True))
    return [endpoint_id for endpoint_id, _ in items]


def send(tenant: Tenant, config: ChannelConfig, ids: list[str], message: dict[str, Any] = SHIPPED) -> Dispatch:
    dispatch, _ = plan(tenant, ids, message=message, channel=Channel.ALIMTALK, config=config, chunk_size=5000)
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    return dispatch


def rows(dispatch: Dispatch) -> list[Delivery]:
    return list(Delivery.objects.filter(dispatch=dispatch).order_by("id"))


def test_it_posts_nhns_v2_3_substitution_send(tenant: Tenant, nhn: AlimTalkServer) -> None:
    dispatch = send(tenant, alimtalk_config(tenant, nhn), korean_endpoints(tenant, 3))
    [request] = nhn.posts()
    assert request.path == f"/alimtalk/v2.3/appkeys/{nhn.appkey}/messages"
    assert request.headers["X-Secret-Key"] == nhn.secret
    assert request.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert len(request.headers["X-NC-API-IDEMPOTENCY-KEY"]) == 40
    body = request.json
    assert (body["senderKey"], body["templateCode"]) == ("SENDERKEY1", "ORDER_SHIPPED")
    assert body["senderGroupingKey"] == "campaign:c1"
    got = rows(dispatch)
    assert body["recipientList"] == [
        {
            "recipientNo": f"0100000000{i}",
            "templateParameter": {"name": f"민준{i}", "order": f"A-{i}"},
            "resendParameter": {"isResend": False},
            "recipientGroupingKey": got[i].key,
        }
        for i in range(3)
    ]
    [request_id] = nhn.sent
    assert [(r.status, r.provider_message_id) for r in got] == [
        (Status.SENT, f"{request_id}:{seq}") for seq in (1, 2, 3)
    ]


@pytest.mark.parametrize(
    ("address", "national"),
    [
        ("+82 10-1234-5678", "01012345678"),
        ("+821012345678", "01012345678"),
        ("+82 010 1234 5678", "01012345678"),
        ("0082-10-1234-5678", "01012345678"),
        ("010-1234-5678", "01012345678"),
        ("+82 16-123-4567", "0161234567"),
        ("+82 2-123-4567", None),  # a Seoul landline: no KakaoTalk account behind it
        ("+1 206 555 0100", None),
        ("", None),
    ],
)
def test_it_turns_numbers_into_national_form(address: str, national: str | None) -> None:
    assert national_number(address) == national


def test_a_number_alimtalk_cannot_reach_fails_without_a_call(tenant: Tenant, nhn: AlimTalkServer) -> None:
    ids = korean_endpoints(tenant, 1)
    endpoints_upsert(tenant=tenant, items=[("us", {"ChannelType": "SMS", "Address": "+12065550100"})], trusted=True)
    dispatch = send(tenant, alimtalk_config(tenant, nhn), [*ids, "us"])
    [korean, american] = rows(dispatch)
    assert korean.status == Status.SENT
    assert (american.status, american.reason) == (Status.FAILED, Reason.PROVIDER_REJECTED)
    assert "is not a Korean mobile number" in american.status_message
    assert [len(r.json["recipientList"]) for r in nhn.posts()] == [1]


def test_it_sends_at_most_1000_recipients_per_call(tenant: Tenant, nhn: AlimTalkServer) -> None:
    dispatch = send(tenant, alimtalk_config(tenant, nhn), korean_endpoints(tenant, 1001))
    assert sorted(len(r.json["recipientList"]) for r in nhn.posts()) == [1, 1000]
    assert len(nhn.keys) == 2 and set(nhn.keys.values()) == {1}
    assert {r.status for r in rows(dispatch)} == {Status.SENT}


def test_different_template_codes_go_in_separate_calls(tenant: Tenant, nhn: AlimTalkServer) -> None:
    transport = transport_class("kakao_alimtalk")(alimtalk_config(tenant, nhn))
    batch = [
        OutboundMessage(
            delivery_id=i,
            key=f"k{i}",
            channel=Channel.ALIMTALK,
            address=f"+8210{i:08d}",
            endpoint_id="",
            parts={"SenderKey": "SENDERKEY1", "TemplateCode": code, "Variables": {"n": str(i)}},
        )
        for i, code in enumerate(["ORDER_SHIPPED", "WELCOME", "ORDER_SHIPPED"])
    ]
    results = transport.send(batch)
    transport.close()
    calls = sorted((r.json["templateCode"], [x["recipientNo"] for x in r.json["recipientList"]]) for r in nhn.posts())
    assert calls == [("ORDER_SHIPPED", ["01000000000", "01000000002"]), ("WELCOME", ["01000000001"])]
    assert sorted(r.status for r in results) == ["sent"] * 3


def test_it_fails_the_recipients_nhn_refuses(tenant: Tenant, nhn: AlimTalkServer) -> None:
    nhn.fail_numbers["01000000001"] = (-3016, "template and message do not match")
    dispatch = send(tenant, alimtalk_config(tenant, nhn), korean_endpoints(tenant, 3))
    got = rows(dispatch)
    assert [r.status for r in got] == [Status.SENT, Status.FAILED, Status.SENT]
    assert got[1].reason == Reason.PROVIDER_REJECTED
    assert got[1].status_message == (
        "NHN Cloud refused the recipient: template and message do not match (resultCode -3016)"
    )


@pytest.mark.parametrize(("status", "reason"), [(429, Reason.THROTTLED), (503, "")])
def test_throttling_and_server_errors_requeue_then_send(
    tenant: Tenant, nhn: AlimTalkServer, status: int, reason: str
) -> None:
    nhn.answers.append(status)
    dispatch = send(tenant, alimtalk_config(tenant, nhn), korean_endpoints(tenant, 2))
    got = rows(dispatch)
    assert {(r.status, r.reason) for r in got} == {(Status.QUEUED, reason)}
    assert f"HTTP {status}" in got[0].status_message and got[0].not_before is not None
    clock.advance(seconds=600)
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    assert {r.status for r in rows(dispatch)} == {Status.SENT}
    # The batch went out again with the same idempotency key.
    assert list(nhn.keys.values()) == [2]


def test_refused_credentials_fail_the_batch(tenant: Tenant, nhn: AlimTalkServer) -> None:
    dispatch = send(tenant, alimtalk_config(tenant, nhn, secret="wrong-secret"), korean_endpoints(tenant, 2))
    got = rows(dispatch)
    assert {(r.status, r.reason) for r in got} == {(Status.FAILED, Reason.PROVIDER_REJECTED)}
    assert "HTTP 401: unknown appkey or wrong X-Secret-Key (resultCode -1401)" in got[0].status_message
    assert "check the appkey and the X-Secret-Key" in got[0].status_message


def test_an_unknown_template_fails_with_nhns_message(tenant: Tenant, nhn: AlimTalkServer) -> None:
    message = {**SHIPPED, "content": {**SHIPPED["content"], "TemplateCode": "NOPE"}}
    dispatch = send(tenant, alimtalk_config(tenant, nhn), korean_endpoints(tenant, 1), message)
    [row] = rows(dispatch)
    assert (row.status, row.reason) == (Status.FAILED, Reason.PROVIDER_REJECTED)
    assert row.status_message == "NHN Cloud AlimTalk refused the request: no approved template NOPE (resultCode -3002)"


def test_the_sender_key_of_the_settings_is_used_when_the_template_has_none(tenant: Tenant, nhn: AlimTalkServer) -> None:
    content = {k: v for k, v in SHIPPED["content"].items() if k != "SenderKey"}
    config = alimtalk_config(tenant, nhn, sender_key="SENDERKEY1")
    dispatch = send(tenant, config, korean_endpoints(tenant, 1), {**SHIPPED, "content": content})
    assert [r.json["senderKey"] for r in nhn.posts()] == ["SENDERKEY1"]
    assert [r.status for r in rows(dispatch)] == [Status.SENT]


def _post(server: AlimTalkServer, body: Any, **headers: str) -> tuple[int, dict[str, Any]]:
    conn = http.client.HTTPConnection(server.base_url.removeprefix("http://"), timeout=5)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    conn.request("POST", f"/alimtalk/v2.3/appkeys/{server.appkey}/messages", body=data, headers=headers)
    response = conn.getresponse()
    answer = json.loads(response.read())
    conn.close()
    return response.status, answer


GOOD = {
    "senderKey": "SENDERKEY1",
    "templateCode": "WELCOME",
    "recipientList": [{"recipientNo": "01012345678", "templateParameter": {"name": "A"}}],
}


CT = "application/json;charset=UTF-8"
SIGNED = {"X-Secret-Key": "SECRET", "Content-Type": CT}


@pytest.mark.parametrize(
    ("change", "headers", "status", "text"),
    [
        ({}, {"Content-Type": CT}, 401, "X-Secret-Key"),
        ({}, {"X-Secret-Key": "wrong", "Content-Type": CT}, 401, "X-Secret-Key"),
        ({}, {"X-Secret-Key": "SECRET", "Content-Type": "application/json"}, 415, "Content-Type"),
        ({"senderKey": None}, SIGNED, 400, "senderKey is required"),
        ({"templateCode": ""}, SIGNED, 400, "templateCode is required"),
        ({"recipientList": []}, SIGNED, 400, "recipientList is required"),
        ({"recipientList": [{"recipientNo": "+821012345678"}]}, SIGNED, 400, "recipientNo is invalid"),
        ({"recipientList": [{"recipientNo": "010-1234-5678"}]}, SIGNED, 400, "recipientNo is invalid"),
        ({"recipientList": [{"recipientNo": "01012345678"}] * 1001}, SIGNED, 400, "at most 1000"),
        ({"senderKey": "OTHER"}, SIGNED, 200, "no sender profile"),
        ({}, SIGNED, 200, "SUCCESS"),
    ],
)
def test_the_stand_in_refuses_malformed_requests_as_nhn_does(
    nhn: AlimTalkServer, change: dict[str, Any], headers: dict[str, str], status: int, text: str
) -> None:
    given = {k: (nhn.secret if v == "SECRET" else v) for k, v in headers.items()}
    body = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    got_status, answer = _post(nhn, body, **given)
    assert got_status == status
    assert answer["header"]["isSuccessful"] is (text == "SUCCESS")
    assert text in answer["header"]["resultMessage"]


def test_check_shows_the_sender_profile_and_the_callback_url(tenant: Tenant, nhn: AlimTalkServer) -> None:
    config = alimtalk_config(tenant, nhn, sender_key="SENDERKEY1")
    result = transport_class("kakao_alimtalk")(config).check()
    assert result.ok, result.error
    assert result.values["plusFriendId"] == "@engage-shop"
    assert result.values["status"] == "YSC03 정상 등록"
    assert result.values["result_callback"].startswith(f"/hooks/alimtalk/{config.pk}-")
    assert nhn.requests[-1].path == f"/alimtalk/v2.3/appkeys/{nhn.appkey}/senders/SENDERKEY1"


def test_check_shows_nhns_error(tenant: Tenant, nhn: AlimTalkServer) -> None:
    bad_key = transport_class("kakao_alimtalk")(alimtalk_config(tenant, nhn, sender_key="NOSUCHKEY")).check()
    assert not bad_key.ok and "no sender profile with senderKey NOSUCHKEY" in bad_key.error
    bad_secret = transport_class("kakao_alimtalk")(alimtalk_config(tenant, nhn, secret="wrong")).check()
    assert not bad_secret.ok and "HTTP 401" in bad_secret.error


def test_check_without_a_sender_key_lists_the_sender_profiles(tenant: Tenant, nhn: AlimTalkServer) -> None:
    result = transport_class("kakao_alimtalk")(alimtalk_config(tenant, nhn)).check()
    assert result.ok, result.error
    assert (result.values["senders"], result.values["totalCount"]) == ("@engage-shop", 1)
    assert nhn.requests[-1].path == f"/alimtalk/v2.3/appkeys/{nhn.appkey}/senders?pageNum=1&pageSize=15"


def test_its_settings_are_cleaned_for_the_config_forms(settings: Any) -> None:
    out: dict[str, Any] = {}
    clean_alimtalk({"appkey": " app-key-1 ", "sender_key": "SENDERKEY1"}, out)
    assert out == {
        "base_url": "https://api-alimtalk.cloud.toast.com",
        "appkey": "app-key-1",
        "sender_key": "SENDERKEY1",
        "timeout_seconds": 10,
    }
    with pytest.raises(Invalid, match="appkey from the NHN Cloud console") as caught:
        clean_alimtalk({}, {})
    assert caught.value.field == "settings.appkey"
    settings.EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(Invalid, match="private or reserved") as caught:
        clean_alimtalk({"appkey": "a", "base_url": "http://127.0.0.1:8080"}, {})
    assert caught.value.field == "settings.base_url"
    with pytest.raises(Invalid, match="X-Secret-Key"):
        alimtalk_secrets_check({})
