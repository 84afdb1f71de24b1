"""API key IP allowlists, judged on real sockets: the live server sees the client's bound source address."""

from __future__ import annotations

import http.client
import json
from typing import Any, cast

import pytest
from django.test import RequestFactory

from engage.tenancy.models import ApiKey, AuditLog, Tenant
from engage.tenancy.netaddr import client_ip, in_networks
from engage.tenancy.services import apikey_create
from tests.factories import TenantFactory

live = pytest.mark.django_db(transaction=True)


def call(
    live_server: Any, key: tuple[ApiKey, str], path: str, *, source: str, method: str = "GET", **headers: str
) -> tuple[int, dict[str, Any]]:
    """One HTTP request to the live server from a socket bound to `source`."""
    host, port = live_server.thread.httpd.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10, source_address=(source, 0))
    try:
        body = json.dumps({"name": "from the allowlist test"}) if method == "POST" else None
        conn.request(
            method,
            path,
            body=body,
            headers={
                "Authorization": f"Bearer {key[0].key_id}:{key[1]}",
                "Content-Type": "application/json",
                "Accept": "application/json",
                **headers,
            },
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def campaigns(tenant: Tenant) -> str:
    return f"/api/v1/tenants/{tenant.public_id}/campaigns/"


def make_key(tenant: Tenant, *cidrs: str, role: str = ApiKey.Role.MARKETER) -> tuple[ApiKey, str]:
    return apikey_create(tenant=tenant, name="allowlisted", role=role, allowed_cidrs=list(cidrs), by="tests")


@pytest.fixture
def tenant_live(transactional_db: Any) -> Tenant:
    return cast(Tenant, TenantFactory(name="Allowlist"))


@live
def test_the_live_server_listens_on_the_loopback_address(live_server: Any) -> None:
    assert live_server.thread.httpd.server_address[0] == "127.0.0.1"


@live
def test_it_refuses_a_key_from_an_address_outside_its_allowlist(live_server: Any, tenant_live: Tenant) -> None:
    key = make_key(tenant_live, "127.0.0.1/32")
    status, body = call(live_server, key, campaigns(tenant_live), source="127.0.0.2")
    assert status == 403
    assert body["code"] == "permission_denied"
    assert "127.0.0.2" in body["detail"]


@live
def test_it_accepts_the_same_key_from_an_allowed_address(live_server: Any, tenant_live: Tenant) -> None:
    key = make_key(tenant_live, "127.0.0.1/32")
    status, body = call(live_server, key, campaigns(tenant_live), source="127.0.0.1")
    assert status == 200, body
    assert body["results"] == []


@live
def test_it_judges_each_key_by_its_own_allowlist(live_server: Any, tenant_live: Tenant) -> None:
    key = make_key(tenant_live, "127.0.0.2/32")
    assert call(live_server, key, campaigns(tenant_live), source="127.0.0.2")[0] == 200
    assert call(live_server, key, campaigns(tenant_live), source="127.0.0.1")[0] == 403
    anywhere = make_key(tenant_live)
    assert call(live_server, anywhere, campaigns(tenant_live), source="127.0.0.2")[0] == 200


@live
def test_it_ignores_x_forwarded_for_without_trusted_proxies(
    live_server: Any, tenant_live: Tenant, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = []
    key = make_key(tenant_live, "127.0.0.1/32", "203.0.113.9/32")
    status, body = call(
        live_server, key, campaigns(tenant_live), source="127.0.0.2", **{"X-Forwarded-For": "127.0.0.1"}
    )
    assert status == 403
    assert "127.0.0.2" in body["detail"]
    status, _ = call(live_server, key, campaigns(tenant_live), source="127.0.0.2", **{"X-Forwarded-For": "203.0.113.9"})
    assert status == 403


@live
def test_it_believes_x_forwarded_for_from_a_trusted_proxy(live_server: Any, tenant_live: Tenant, settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    allowed = make_key(tenant_live, "203.0.113.9/32", role=ApiKey.Role.ADMIN)
    proxy_only = make_key(tenant_live, "127.0.0.1/32")

    assert call(live_server, allowed, campaigns(tenant_live), source="127.0.0.1", **forwarded)[0] == 200
    status, body = call(live_server, proxy_only, campaigns(tenant_live), source="127.0.0.1", **forwarded)
    assert status == 403
    assert "203.0.113.9" in body["detail"]
    # 127.0.0.2 is no trusted proxy: what it forwards is not believed.
    assert call(live_server, allowed, campaigns(tenant_live), source="127.0.0.2", **forwarded)[0] == 403

    path = f"/api/v1/tenants/{tenant_live.public_id}/api-keys/"
    status, body = call(live_server, allowed, path, source="127.0.0.1", method="POST", **forwarded)
    assert status == 201, body
    entry = AuditLog.objects.get(tenant=tenant_live, action="apikey.create", target_id=str(body["id"]))
    assert entry.ip == "203.0.113.9"


@pytest.mark.parametrize(
    ("ip", "cidrs", "expected"),
    [
        ("10.1.2.3", ["10.0.0.0/8"], True),
        ("11.0.0.1", ["10.0.0.0/8"], False),
        ("192.0.2.7", ["198.51.100.0/24", "192.0.2.7/32"], True),
        ("192.0.2.7", [], False),
        ("2001:db8::1", ["2001:db8::/32"], True),
        ("2001:db9::1", ["2001:db8::/32"], False),
        ("2001:db8::1", ["10.0.0.0/8"], False),
        ("10.0.0.1", ["2001:db8::/32", "::/0"], False),
        # A dual-stack listener reports IPv4 clients as IPv4-mapped IPv6 addresses.
        ("::ffff:10.0.0.1", ["10.0.0.0/8"], True),
        ("::ffff:11.0.0.1", ["10.0.0.0/8"], False),
        ("::ffff:10.0.0.1", ["::ffff:10.0.0.0/104"], True),
        ("not-an-address", ["0.0.0.0/0"], False),
        ("", ["0.0.0.0/0"], False),
    ],
)
def test_in_networks(ip: str, cidrs: list[str], expected: bool) -> None:
    assert in_networks(ip, cidrs) is expected


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "expected"),
    [
        ([], "198.51.100.7", None, "198.51.100.7"),
        ([], "198.51.100.7", "203.0.113.9", "198.51.100.7"),
        (["10.0.0.0/8"], "198.51.100.7", "203.0.113.9", "198.51.100.7"),
        (["10.0.0.0/8"], "10.0.0.5", "203.0.113.9", "203.0.113.9"),
        (["10.0.0.0/8"], "10.0.0.5", None, "10.0.0.5"),
        # The left part of the header is the client's to write: only the rightmost untrusted hop counts.
        (["10.0.0.0/8"], "10.0.0.5", "192.0.2.1, 203.0.113.9, 10.0.0.6", "203.0.113.9"),
        (["10.0.0.0/8"], "10.0.0.5", "10.0.0.8 , 10.0.0.7", "10.0.0.8"),
        (["2001:db8::/32"], "2001:db8::1", "2001:db8:ffff::1, 2001:db9::9", "2001:db9::9"),
        (["2001:db8::/32"], "2001:db9::1", "203.0.113.9", "2001:db9::1"),
        (["10.0.0.0/8"], "::ffff:10.0.0.5", "203.0.113.9", "203.0.113.9"),
    ],
)
def test_client_ip(trusted: list[str], peer: str, forwarded: str | None, expected: str, settings: Any) -> None:
    settings.TRUSTED_PROXIES = trusted
    meta: dict[str, Any] = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    assert client_ip(request) == expected


def test_a_malformed_forwarded_hop_falls_back_to_the_peer(settings, rf) -> None:
    from engage.tenancy.netaddr import client_ip

    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    for bad in ("garbage", "203.0.113.9:443", "127.0.0.1, not-an-ip"):
        request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=bad)
        assert client_ip(request) == "127.0.0.1"
