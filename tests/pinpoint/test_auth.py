"""SigV4 and access through a real boto3 client: who may call, and how everyone else is refused (always 403 JSON,
never a redirect or a page; another tenant's application looks exactly like one that does not exist)."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.test import Client as DjangoClient

from engage import clock
from engage.tenancy.models import ApiKey, Tenant
from segments.services.endpoints import endpoint_upsert
from tests.pinpoint.conftest import Client, ClientMaker, Key, KeyMaker, error_of

FORBIDDEN = "ForbiddenException"


def test_it_answers_a_correctly_signed_call_with_the_request_id(pinpoint: Client, acme: Tenant) -> None:
    answer = pinpoint.get_app(ApplicationId=acme.public_id)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert len(answer["ResponseMetadata"]["RequestId"]) == 36
    assert answer["ApplicationResponse"]["Id"] == acme.public_id
    assert answer["ApplicationResponse"]["Name"] == "Acme"


def test_it_accepts_any_region(client_for: ClientMaker, acme_key: Key, acme: Tenant) -> None:
    for region in ("eu-west-1", "ap-northeast-2"):
        assert client_for(acme_key, region=region).get_app(ApplicationId=acme.public_id)["ApplicationResponse"]


def test_it_refuses_a_wrong_secret(client_for: ClientMaker, acme_key: Key, acme: Tenant) -> None:
    client = client_for(key_id=acme_key.key_id, secret=acme_key.secret + "x")
    code, message, status = error_of(lambda: client.get_segments(ApplicationId=acme.public_id))
    assert (code, status) == (FORBIDDEN, 403)
    assert message.startswith("The request signature we calculated does not match")
    assert isinstance(client.exceptions.ForbiddenException, type)


def test_it_refuses_an_unknown_or_revoked_key(client_for: ClientMaker, acme_key: Key, acme: Tenant) -> None:
    unknown = client_for(key_id="EKNOSUCHKEY0000000000", secret="whatever")
    assert error_of(lambda: unknown.get_app(ApplicationId=acme.public_id))[::2] == (FORBIDDEN, 403)
    ApiKey.objects.filter(pk=acme_key.key.pk).update(revoked_at=clock.now())
    code, message, status = error_of(lambda: client_for(acme_key).get_app(ApplicationId=acme.public_id))
    assert (code, message, status) == (FORBIDDEN, "The security token included in the request is invalid", 403)


def test_it_refuses_a_tampered_body(pinpoint: Client, acme: Tenant) -> None:
    def tamper(request: Any, **kwargs: Any) -> None:
        request.body = request.body.replace(b"Alice", b"Mally")  # same length: only the signature can tell

    pinpoint.meta.events.register("before-send.pinpoint.UpdateEndpoint", tamper)
    body = {"ChannelType": "EMAIL", "Address": "a@example.com", "User": {"UserId": "Alice"}}
    call = lambda: pinpoint.update_endpoint(ApplicationId=acme.public_id, EndpointId="e1", EndpointRequest=body)  # noqa: E731
    assert error_of(call)[::2] == (FORBIDDEN, 403)
    pinpoint.meta.events.unregister("before-send.pinpoint.UpdateEndpoint", tamper)
    assert pinpoint.update_endpoint(ApplicationId=acme.public_id, EndpointId="e1", EndpointRequest=body)


def test_it_refuses_another_tenants_application_exactly_like_a_missing_one(
    client_for: ClientMaker, make_key: KeyMaker, acme: Tenant, globex: Tenant
) -> None:
    theirs = client_for(make_key(globex))
    endpoint_upsert(tenant=acme, endpoint_id="secret", data={"ChannelType": "EMAIL", "Address": "s@example.com"})
    foreign = error_of(lambda: theirs.get_endpoint(ApplicationId=acme.public_id, EndpointId="secret"))
    missing = error_of(lambda: theirs.get_endpoint(ApplicationId="f" * 32, EndpointId="secret"))
    garbage = error_of(lambda: theirs.get_endpoint(ApplicationId="not-an-app", EndpointId="secret"))
    assert foreign[::2] == missing[::2] == garbage[::2] == (FORBIDDEN, 403)
    assert foreign[1].replace(acme.public_id, "X") == missing[1].replace("f" * 32, "X")
    # Writes are refused too, and nothing lands in Acme.
    body = {
        "BatchItem": {"e": {"Endpoint": {}, "Events": {"1": {"EventType": "x", "Timestamp": "2026-01-01T00:00:00Z"}}}}
    }
    assert error_of(lambda: theirs.put_events(ApplicationId=acme.public_id, EventsRequest=body))[::2] == (
        FORBIDDEN,
        403,
    )


def test_it_refuses_a_request_signed_more_than_15_minutes_away(pinpoint: Client, acme: Tenant) -> None:
    clock.advance(seconds=16 * 60)  # the server's clock, not the client's, moves
    code, message, status = error_of(lambda: pinpoint.get_app(ApplicationId=acme.public_id))
    assert (code, status) == (FORBIDDEN, 403) and message.startswith("Signature expired")
    clock.reset()
    clock.advance(seconds=14 * 60)
    assert pinpoint.get_app(ApplicationId=acme.public_id)["ApplicationResponse"]["Id"] == acme.public_id


def test_it_applies_the_keys_role(client_for: ClientMaker, make_key: KeyMaker, acme: Tenant) -> None:
    ingest = client_for(make_key(acme, ApiKey.Role.INGEST))
    events = {"BatchItem": {"e1": {"Endpoint": {}, "Events": {"1": {"EventType": "open", "Timestamp": "2026-01-01"}}}}}
    assert (
        ingest.put_events(ApplicationId=acme.public_id, EventsRequest=events)["ResponseMetadata"]["HTTPStatusCode"]
        == 202
    )
    code, message, status = error_of(lambda: ingest.get_segments(ApplicationId=acme.public_id))
    assert (code, message, status) == (FORBIDDEN, "The API key's role (ingest) does not allow GetSegments", 403)
    marketer = client_for(make_key(acme))
    assert error_of(lambda: marketer.get_event_stream(ApplicationId=acme.public_id))[::2] == (FORBIDDEN, 403)


def test_it_applies_the_keys_ip_allowlist(client_for: ClientMaker, make_key: KeyMaker, acme: Tenant) -> None:
    far = client_for(make_key(acme, cidrs=["203.0.113.0/24"]))
    code, message, status = error_of(lambda: far.get_app(ApplicationId=acme.public_id))
    assert (code, status) == (FORBIDDEN, 403) and "not allowed from 127.0.0.1" in message
    near = client_for(make_key(acme, cidrs=["127.0.0.0/8"]))
    assert near.get_app(ApplicationId=acme.public_id)["ApplicationResponse"]["Id"] == acme.public_id


def test_it_records_when_a_key_was_last_used(pinpoint: Client, acme_key: Key, acme: Tenant) -> None:
    pinpoint.get_app(ApplicationId=acme.public_id)
    acme_key.key.refresh_from_db()
    assert acme_key.key.last_used_at is not None


def test_operator_keys_manage_applications_only(client_for: ClientMaker, make_key: KeyMaker, acme: Tenant) -> None:
    operator = client_for(make_key(None))
    created = operator.create_app(CreateApplicationRequest={"Name": "Initech", "tags": {"ignored": "yes"}})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    new_id = created["ApplicationResponse"]["Id"]
    assert Tenant.objects.get(public_id=new_id).name == "Initech"
    assert {a["Id"] for a in operator.get_apps()["ApplicationsResponse"]["Item"]} >= {acme.public_id, new_id}
    assert error_of(lambda: operator.get_segments(ApplicationId=new_id))[::2] == (FORBIDDEN, 403)
    assert error_of(lambda: operator.list_templates())[::2] == (FORBIDDEN, 403)
    tenant_key = client_for(make_key(acme, ApiKey.Role.ADMIN))
    code, message, _ = error_of(lambda: tenant_key.create_app(CreateApplicationRequest={"Name": "Nope"}))
    assert (code, message) == (FORBIDDEN, "CreateApp needs an operator key")
    assert [a["Id"] for a in tenant_key.get_apps()["ApplicationsResponse"]["Item"]] == [acme.public_id]


def test_it_says_which_operations_are_not_supported(pinpoint: Client, acme: Tenant, globex: Tenant) -> None:
    code, message, status = error_of(lambda: pinpoint.get_channels(ApplicationId=acme.public_id))
    assert (code, status) == ("MethodNotAllowedException", 405) and "GetChannels" in message
    assert error_of(lambda: pinpoint.delete_app(ApplicationId=acme.public_id))[::2] == (
        "MethodNotAllowedException",
        405,
    )
    # ...but only to the application's own keys.
    assert error_of(lambda: pinpoint.get_channels(ApplicationId=globex.public_id))[::2] == (FORBIDDEN, 403)


def _signed(method: str, url: str, key: Key, body: bytes = b"", headers: dict[str, str] | None = None) -> AWSRequest:
    request = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    SigV4Auth(Credentials(key.key_id, key.secret), "mobiletargeting", "us-east-1").add_auth(request)
    return request


def test_it_answers_unknown_paths_and_methods_in_json_and_never_redirects(
    endpoint_url: str, acme_key: Key, acme: Tenant
) -> None:
    unknown = _signed("GET", f"{endpoint_url}/v1/nothing/here", acme_key)
    answer = requests.get(unknown.url, headers=dict(unknown.headers), allow_redirects=False, timeout=10)
    assert answer.status_code == 404 and answer.headers["x-amzn-ErrorType"] == "NotFoundException"
    assert set(answer.json()) == {"Message", "RequestID"}
    trailing = _signed("GET", f"{endpoint_url}/v1/apps/{acme.public_id}/", acme_key)
    answer = requests.get(trailing.url, headers=dict(trailing.headers), allow_redirects=False, timeout=10)
    assert answer.status_code == 404 and answer.headers["Content-Type"] == "application/json"
    patch = _signed("PATCH", f"{endpoint_url}/v1/apps/{acme.public_id}", acme_key)
    answer = requests.patch(patch.url, headers=dict(patch.headers), allow_redirects=False, timeout=10)
    assert answer.status_code == 405 and answer.headers["x-amzn-ErrorType"] == "MethodNotAllowedException"
    unsigned = requests.get(f"{endpoint_url}/v1/apps/{acme.public_id}", allow_redirects=False, timeout=10)
    assert unsigned.status_code == 403 and unsigned.json()["Message"].startswith("Missing Authentication Token")


def test_it_refuses_a_declared_payload_hash_that_is_not_the_bodys(
    endpoint_url: str, acme_key: Key, acme: Tenant
) -> None:
    body = json.dumps({"ChannelType": "EMAIL", "Address": "a@example.com"}).encode()
    url = f"{endpoint_url}/v1/apps/{acme.public_id}/endpoints/e1"
    headers = {"Content-Type": "application/json", "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}
    request = _signed("PUT", url, acme_key, body, headers)
    answer = requests.put(url, data=body, headers=dict(request.headers), timeout=10)
    assert answer.status_code == 403 and "X-Amz-Content-SHA256" in answer.json()["Message"]
    headers["X-Amz-Content-SHA256"] = hashlib.sha256(body).hexdigest()
    request = _signed("PUT", url, acme_key, body, headers)
    assert requests.put(url, data=body, headers=dict(request.headers), timeout=10).status_code == 202


@pytest.mark.parametrize("meta", ["RAW_URI", "REQUEST_URI"])
def test_it_routes_and_verifies_on_the_raw_path_a_server_passes_on(meta: str, acme_key: Key, acme: Tenant) -> None:
    """gunicorn and uWSGI pass the undecoded path: a user id holding `/` (sent as %2F) then routes correctly."""
    user = "team/a b@example.com"
    endpoint_upsert(
        tenant=acme,
        endpoint_id="e1",
        data={"ChannelType": "EMAIL", "Address": "a@example.com", "User": {"UserId": user}},
    )
    raw = f"/pinpoint/v1/apps/{acme.public_id}/users/{quote(user, safe='-_.~')}"
    request = _signed("GET", f"http://testserver{raw}", acme_key)
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in request.headers.items()}
    answer = DjangoClient().get(raw, **headers, **{meta: raw})
    assert answer.status_code == 200, answer.content
    assert [e["User"]["UserId"] for e in answer.json()["Item"]] == [user]


def test_it_refuses_bodies_that_are_not_json_or_too_large(endpoint_url: str, acme_key: Key, acme: Tenant) -> None:
    url = f"{endpoint_url}/v1/apps/{acme.public_id}/segments"
    expected = {
        b"{not json": "The request body is not valid JSON",
        b'{"Name": NaN}': "The request body is not valid JSON",
        b"[1, 2]": "Invalid type for parameter body: expected an object, got list",
    }
    for body, message in expected.items():
        request = _signed("POST", url, acme_key, body, {"Content-Type": "application/json"})
        answer = requests.post(url, data=body, headers=dict(request.headers), timeout=10)
        assert answer.status_code == 400 and answer.headers["x-amzn-ErrorType"] == "BadRequestException", body
        assert answer.json()["Message"] == message
    huge = b"x" * (7 * 1024 * 1024 + 1)
    answer = requests.post(url, data=huge, headers={"Content-Type": "application/json"}, timeout=30)
    assert answer.status_code == 413 and answer.headers["x-amzn-ErrorType"] == "PayloadTooLargeException"
