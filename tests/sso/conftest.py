"""Real identity providers for the single sign-on tests: node oidc-provider and a pysaml2 IdP, on 127.0.0.1."""

from __future__ import annotations

import datetime
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from engage.accounts.models import SsoSettings
from engage.accounts.services import sso_domain_add, sso_settings_update
from engage.redis import redis_client
from engage.tenancy.models import Tenant

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OIDC_PROVIDER_MODULE = ROOT / "engage" / "frontend" / "node_modules" / "oidc-provider" / "lib" / "index.js"
OIDC_CLIENT_ID, OIDC_SECRET = "engage", "engage-test-secret"
TEST_CALLBACK = "http://testserver/accounts/oidc/workspace/login/callback/"


def _clear_login_rate_limits() -> None:
    client = redis_client()
    for key in client.scan_iter("*allauth:rl:*"):
        client.delete(key)


@pytest.fixture(autouse=True)
def _fresh_login_rate_limits() -> Iterator[None]:
    """These tests log in dozens of times from 127.0.0.1: each starts, and leaves the next module, with allauth's
    per-address login budget unused."""
    _clear_login_rate_limits()
    yield
    _clear_login_rate_limits()


@dataclass(frozen=True)
class KeyPair:
    key_pem: str
    cert_pem: str
    key_path: Path
    cert_path: Path


def make_keypair(folder: Path, name: str) -> KeyPair:
    """An RSA key and a self-signed certificate, as an IdP signs with."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    (folder / f"{name}.key").write_text(key_pem)
    (folder / f"{name}.crt").write_text(cert_pem)
    return KeyPair(key_pem, cert_pem, folder / f"{name}.key", folder / f"{name}.crt")


@pytest.fixture(scope="session")
def idp_keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    return make_keypair(tmp_path_factory.mktemp("idp-keys"), "test-idp")


@pytest.fixture(scope="session")
def rogue_keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    """Another key: what an attacker who is not the tenant's IdP signs with."""
    return make_keypair(tmp_path_factory.mktemp("rogue-keys"), "rogue-idp")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the IdP exited: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"the IdP did not listen on {port} within 30 s: {log.read_text()[-2000:]}")


def _start(command: list[str], port: int, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    _wait_for(proc, port, log)
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def saml_idp(idp_keys: KeyPair, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The pysaml2 IdP (tests/sso/saml_idp.py); yields its base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("saml-idp") / "idp.log"
    script = str(HERE / "saml_idp.py")
    args = ["--port", str(port), "--key", str(idp_keys.key_path), "--cert", str(idp_keys.cert_path)]
    proc = _start([sys.executable, script, *args], port, log)
    yield f"http://127.0.0.1:{port}"
    _stop(proc)


@pytest.fixture(scope="session")
def oidc_idp(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """node oidc-provider (tests/sso/oidc_idp.mjs) with Engage as a client; yields its issuer URL."""
    if not OIDC_PROVIDER_MODULE.exists():
        pytest.fail("oidc-provider is not installed: run `make frontend` (npm ci in engage/frontend)")
    port = free_port()
    callbacks = [TEST_CALLBACK, f"{live_server.url}/accounts/oidc/workspace/login/callback/"]
    env = dict(
        os.environ,
        OIDC_PORT=str(port),
        OIDC_REDIRECT_URIS=",".join(callbacks),
        OIDC_PROVIDER_MODULE=str(OIDC_PROVIDER_MODULE),
        OIDC_CLIENT_ID=OIDC_CLIENT_ID,
        OIDC_CLIENT_SECRET=OIDC_SECRET,
    )
    log = tmp_path_factory.mktemp("oidc-idp") / "idp.log"
    proc = _start(["node", str(HERE / "oidc_idp.mjs")], port, log, env=env)
    yield f"http://127.0.0.1:{port}"
    _stop(proc)


def oidc_app(issuer: str) -> dict[str, Any]:
    """SOCIALACCOUNT_PROVIDERS as engage/settings.py builds it from SSO_OIDC_*, pointed at the test IdP (which,
    unlike Google, knows no `prompt=select_account`)."""
    app = {
        "provider_id": "workspace",
        "name": "Google Workspace",
        "client_id": OIDC_CLIENT_ID,
        "secret": OIDC_SECRET,
        "settings": {"server_url": issuer, "oauth_pkce_enabled": True},
    }
    return {"openid_connect": {"APPS": [app]}}


@pytest.fixture
def oidc(settings: Any, oidc_idp: str) -> str:
    settings.SOCIALACCOUNT_PROVIDERS = oidc_app(oidc_idp)
    return oidc_idp


def configure_sso(tenant: Tenant, *, domains: tuple[str, ...] = ("acme.test",), **changes: Any) -> SsoSettings:
    """Give the tenant its domains (as an operator) and SSO settings (as its admin would)."""
    for domain in domains:
        sso_domain_add(tenant=tenant, domain=domain, by="tests")
    return sso_settings_update(tenant=tenant, by="tests", **changes)


def saml_settings(idp_base: str, cert_pem: str, **more: Any) -> dict[str, Any]:
    return {
        "saml_enabled": True,
        "saml_entity_id": f"{idp_base}/metadata",
        "saml_sso_url": f"{idp_base}/sso/redirect",
        "saml_x509cert": cert_pem,
        **more,
    }
