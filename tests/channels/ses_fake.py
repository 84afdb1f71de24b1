"""SES v2 for channel-config tests: moto, plus the two things of SES that moto 5.2.5 lacks.

moto keeps identities but never verifies them, gives domains no Easy DKIM tokens and does not implement
GetAccount. `SesServer` is a small local HTTP front of a ThreadedMotoServer: it answers GetAccount itself
(with `account`), hands every other call to moto, and gives a new domain identity three DKIM tokens the way
SES does. `ses_verifies` plays SES noticing the published records (or the clicked link)."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from moto import mock_aws
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.ses.models import ses_backends

from channels.transports import aws

REGION = "us-east-1"
ACCOUNT = {
    "DedicatedIpAutoWarmupEnabled": True,
    "EnforcementStatus": "HEALTHY",
    "ProductionAccessEnabled": False,
    "SendingEnabled": True,
    "SendQuota": {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 3.0},
}


def ses_identity(name: str) -> Any:
    """moto's record of an identity, in whichever account and region the config's calls created it."""
    for account in list(ses_backends):
        for region, backend in ses_backends[account].items():
            if name in backend.email_identities and region != "global":
                return backend.email_identities[name]
    raise LookupError(f"SES (moto) holds no identity {name}")


def ses_generates_dkim(domain: str) -> list[str]:
    """What SES does when a domain identity is created: three Easy DKIM tokens, status PENDING."""
    tokens = [f"{domain.replace('.', '')[:12]}tok{i}abcdefghijklmnop" for i in range(1, 4)]
    ses_identity(domain).dkim_attributes.update(Status="PENDING", Tokens=tokens, SigningEnabled=True)
    ses_identity(domain).verification_status = "PENDING"
    return tokens


def ses_verifies(name: str) -> None:
    """SES found the DKIM records (a domain) or the link was clicked (an address)."""
    identity = ses_identity(name)
    identity.verified_for_sending_status = True
    identity.verification_status = "SUCCESS"
    if identity.dkim_attributes.get("Tokens"):
        identity.dkim_attributes["Status"] = "SUCCESS"


def _exists(body: bytes) -> bool:
    try:
        ses_identity(json.loads(body)["EmailIdentity"])
    except LookupError:
        return False
    return True


@dataclass
class SesServer:
    url: str = ""
    account: dict[str, Any] = field(default_factory=lambda: json.loads(json.dumps(ACCOUNT)))
    moto_url: str = ""


@pytest.fixture(name="ses_server")
def ses_server_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[SesServer]:
    """The SES front at `.url` (a config's endpoint_url); the default credential chain finds test keys."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    state = SesServer(moto_url="http://{}:{}".format(*moto.get_host_and_port()))

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.command == "GET" and self.path.rstrip("/") == "/v2/email/account":
                return self._answer(200, {"Content-Type": "application/json"}, json.dumps(state.account).encode())
            if self.command == "POST" and self.path.rstrip("/") == "/v2/email/identities" and _exists(body):
                error = {"message": "Email identity already exists."}  # what SES answers, and moto does not
                headers = {"Content-Type": "application/json", "x-amzn-ErrorType": "AlreadyExistsException"}
                return self._answer(400, headers, json.dumps(error).encode())
            request = urllib.request.Request(
                state.moto_url + self.path, data=body or None, method=self.command, headers=dict(self.headers)
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    status, headers, data = answer.status, dict(answer.headers), answer.read()
            except urllib.error.HTTPError as exc:
                status, headers, data = exc.code, dict(exc.headers), exc.read()
            if self.command == "POST" and self.path.rstrip("/") == "/v2/email/identities" and status == 200:
                data = self._with_dkim(json.loads(body), json.loads(data))
            self._answer(status, headers, data)

        def _with_dkim(self, request: dict[str, Any], answer: dict[str, Any]) -> bytes:
            name = request["EmailIdentity"]
            if "@" not in name:
                answer["DkimAttributes"] = {**answer.get("DkimAttributes", {}), "Status": "PENDING"}
                answer["DkimAttributes"]["Tokens"] = ses_generates_dkim(name)
            return json.dumps(answer).encode()

        do_GET = do_POST = do_PUT = do_DELETE = _forward

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    aws._cached_client.cache_clear()
    yield state
    server.shutdown()
    server.server_close()
    urllib.request.urlopen(urllib.request.Request(state.moto_url + "/moto-api/reset", method="POST"))
    moto.stop()
    aws._cached_client.cache_clear()


@pytest.fixture(name="moto_ses")
def moto_ses_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """SES in this process (moto's mock_aws); boto3 clients cached by earlier tests are dropped."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    aws._cached_client.cache_clear()
    with mock_aws():
        yield
    aws._cached_client.cache_clear()
