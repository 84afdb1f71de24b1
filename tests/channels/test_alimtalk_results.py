"""NHN Cloud's AlimTalk result callback (/hooks/alimtalk/<token>/) marking ledger rows delivered or failed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from channels.hooktokens import alimtalk_hook_path
from channels.models import ChannelConfig, Delivery, Dispatch, Reason, Status
from engage.tenancy.models import Tenant
from tests.channels.alimtalk_server import AlimTalkServer, running_alimtalk
from tests.channels.test_transport_alimtalk import alimtalk_config, korean_endpoints, rows, send

pytestmark = pytest.mark.django_db

SIGNATURE = "nhn-webhook-signature-1"


@pytest.fixture(autouse=True)
def _private_networks(settings: Any) -> None:
    settings.EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS = True


@pytest.fixture
def nhn() -> Iterator[AlimTalkServer]:
    with running_alimtalk() as server:
        yield server


def sent(tenant: Tenant, nhn: AlimTalkServer, count: int = 3, prefix: str = "kr") -> tuple[ChannelConfig, Dispatch]:
    config = alimtalk_config(tenant, nhn)
    dispatch = send(tenant, config, korean_endpoints(tenant, count, prefix=prefix))
    assert {r.status for r in rows(dispatch)} == {Status.SENT}
    return config, dispatch


def post(path: str, body: Any, **headers: str) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body)
    return Client().post(path, data=data, content_type="application/json;charset=UTF-8", **headers)


def test_the_callback_marks_rows_delivered(tenant: Tenant, nhn: AlimTalkServer) -> None:
    config, dispatch = sent(tenant, nhn)
    [request_id] = nhn.sent
    response = post(alimtalk_hook_path(config), nhn.callback(request_id, "1000"))
    assert response.status_code == 200
    assert response.json()["header"]["isSuccessful"] is True
    assert (response.json()["delivered"], response.json()["failed"]) == (3, 0)
    got = rows(dispatch)
    assert {(r.status, r.reason) for r in got} == {(Status.DELIVERED, "")}
    assert all(r.delivered_at is not None for r in got)


def test_a_failure_code_marks_rows_failed_with_kakaos_result(tenant: Tenant, nhn: AlimTalkServer) -> None:
    config, dispatch = sent(tenant, nhn, 2)
    [request_id] = nhn.sent
    post(alimtalk_hook_path(config), nhn.callback(request_id, "3018", resultCodeName="메시지를 전송할 수 없음"))
    got = rows(dispatch)
    assert {(r.status, r.reason) for r in got} == {(Status.FAILED, Reason.PROVIDER_REJECTED)}
    assert got[0].status_message == "KakaoTalk result 3018: 메시지를 전송할 수 없음 (NHN Cloud result callback)"


def test_a_row_left_unknown_is_found_by_its_grouping_key(tenant: Tenant, nhn: AlimTalkServer) -> None:
    config, dispatch = sent(tenant, nhn, 1)
    [request_id] = nhn.sent
    Delivery.objects.filter(dispatch=dispatch).update(status=Status.UNKNOWN, provider_message_id="")
    post(alimtalk_hook_path(config), nhn.callback(request_id, "1000"))
    [row] = rows(dispatch)
    assert (row.status, row.provider_message_id) == (Status.DELIVERED, f"{request_id}:1")


def test_an_edited_token_gets_404_and_changes_nothing(tenant: Tenant, nhn: AlimTalkServer) -> None:
    config, dispatch = sent(tenant, nhn, 1)
    [request_id] = nhn.sent
    path = alimtalk_hook_path(config)
    token = path.rstrip("/").rsplit("/", 1)[1]
    edited = [
        path.replace(token, f"{config.pk + 1}-{token.split('-')[1]}"),
        path.replace(token, token[:-1] + ("0" if token[-1] != "0" else "1")),
        path.replace(token, str(config.pk)),
    ]
    for forged in edited:
        assert post(forged, nhn.callback(request_id, "1000")).status_code == 404, forged
    assert [r.status for r in rows(dispatch)] == [Status.SENT]


def test_the_signature_header_must_match_when_configured(tenant: Tenant, nhn: AlimTalkServer) -> None:
    config, dispatch = sent(tenant, nhn, 1)
    config.secrets = json.dumps({"secret_key": nhn.secret, "webhook_signature": SIGNATURE})
    config.save()
    [request_id] = nhn.sent
    body = nhn.callback(request_id, "1000")
    assert post(alimtalk_hook_path(config), body).status_code == 403
    assert post(alimtalk_hook_path(config), body, HTTP_X_TOAST_WEBHOOK_SIGNATURE="guess").status_code == 403
    assert [r.status for r in rows(dispatch)] == [Status.SENT]
    assert post(alimtalk_hook_path(config), body, HTTP_X_TOAST_WEBHOOK_SIGNATURE=SIGNATURE).status_code == 200
    assert [r.status for r in rows(dispatch)] == [Status.DELIVERED]


def test_another_tenants_callback_never_touches_your_rows(
    tenant: Tenant, other_tenant: Tenant, nhn: AlimTalkServer
) -> None:
    _, dispatch = sent(tenant, nhn, 2)
    [request_id] = nhn.sent
    theirs = alimtalk_config(other_tenant, nhn)
    response = post(alimtalk_hook_path(theirs), nhn.callback(request_id, "3018"))
    assert response.status_code == 200
    assert (response.json()["failed"], response.json()["unmatched"]) == (0, 2)
    assert {r.status for r in rows(dispatch)} == {Status.SENT}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        ([1, 2], 400),
        ({"event": "MESSAGE_RESULT_UPDATE", "hooks": "x"}, 400),
        ({"event": "TEMPLATE_STATUS_UPDATE", "hooks": [{"templateCode": "WELCOME", "status": "TSC03"}]}, 200),
    ],
)
def test_other_bodies_are_answered_without_changes(tenant: Tenant, nhn: AlimTalkServer, body: Any, status: int) -> None:
    config, dispatch = sent(tenant, nhn, 1)
    response = post(alimtalk_hook_path(config), body)
    assert response.status_code == status
    assert response.json()["header"]["isSuccessful"] is (status == 200)
    assert [r.status for r in rows(dispatch)] == [Status.SENT]


def test_only_post_is_answered(tenant: Tenant, nhn: AlimTalkServer) -> None:
    config, _ = sent(tenant, nhn, 1)
    assert Client().get(alimtalk_hook_path(config)).status_code == 405


def test_a_send_left_unknown_by_a_timeout_is_resolved_by_the_callback(tenant: Tenant, nhn: AlimTalkServer) -> None:
    nhn.delay = 1.5
    config = alimtalk_config(tenant, nhn, timeout_seconds=1)
    dispatch = send(tenant, config, korean_endpoints(tenant, 2))
    got = rows(dispatch)
    assert {(r.status, r.reason) for r in got} == {(Status.UNKNOWN, Reason.PROVIDER_ERROR)}
    assert "may have received the request" in got[0].status_message
    [request_id] = nhn.sent  # NHN did take it: sending it again would have been a duplicate
    post(alimtalk_hook_path(config), nhn.callback(request_id, "1000"))
    assert [(r.status, r.provider_message_id) for r in rows(dispatch)] == [
        (Status.DELIVERED, f"{request_id}:1"),
        (Status.DELIVERED, f"{request_id}:2"),
    ]


def test_a_partner_failure_inside_the_window_falls_back_to_sms(tenant: Tenant, nhn: AlimTalkServer) -> None:
    from channels.services.dispatch import dispatch_create
    from channels.services.fallback import dispatch_fallback_set
    from templates.models import Channel
    from tests.channels.support import sms_message

    config, dispatch = sent(tenant, nhn, 2)
    sms = dispatch_create(tenant=tenant, channel=Channel.SMS, source="campaign", message=sms_message("Order shipped"))
    dispatch_fallback_set(dispatch=dispatch, to=sms)
    [request_id] = nhn.sent
    post(alimtalk_hook_path(config), nhn.callback(request_id, "3018", resultCodeName="메시지를 전송할 수 없음"))
    hops = list(Delivery.objects.filter(dispatch=sms).order_by("user_id"))
    assert [(h.user_id, h.reason, h.status) for h in hops] == [
        ("u0", Reason.FALLBACK, Status.QUEUED),
        ("u1", Reason.FALLBACK, Status.QUEUED),
    ]
