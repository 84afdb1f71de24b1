"""Event-stream fixtures: a real HTTP receiver for webhooks, moto for AWS, and helpers to ingest events."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from moto import mock_aws

from engage.events.models import Event, EventStream
from engage.events.streams.destinations import aws
from engage.events.streams.services import stream_create
from engage.tenancy.models import Tenant
from segments.services.ingest import events_ingest

WEBHOOK_SECRET = "whsec-0123456789abcdef-receiver"
REGION = "us-east-1"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def records(self) -> list[dict[str, Any]]:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A local HTTP endpoint: records every POST, and answers `fail_status` to the next `fail_next` ones."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    fail_next: int = 0
    fail_status: int = 503
    delay: float = 0.0
    redirect_to: str = ""
    refuse: set[int] = field(default_factory=set)  # request numbers (1-based) answered with fail_status
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accepted(self) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.status == 200]

    def accepted_records(self) -> list[dict[str, Any]]:
        return [record for request in self.accepted() for record in request.records]

    def accepted_ids(self) -> list[int]:
        return [int(record["event_id"]) for record in self.accepted_records()]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if state.delay:
                time.sleep(state.delay)
            with state.lock:
                status = 200
                if state.redirect_to:
                    status = 302
                elif state.fail_next > 0:
                    state.fail_next -= 1
                    status = state.fail_status
                elif len(state.requests) + 1 in state.refuse:
                    status = state.fail_status
                state.requests.append(Received(headers=dict(self.headers.items()), body=body, status=status))
            self.send_response(status)
            if status == 302:
                self.send_header("Location", state.redirect_to)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status == 200 else b"receiver is down")

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """AWS in this process (moto); boto3 clients cached by earlier tests are dropped."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    aws._client.cache_clear()
    with mock_aws():
        yield
    aws._client.cache_clear()


def webhook_stream(tenant: Tenant, url: str, **extra: Any) -> EventStream:
    options: dict[str, Any] = {"name": "Webhook", "webhook_secret": WEBHOOK_SECRET, "timeout_seconds": 5, **extra}
    return stream_create(tenant=tenant, by="tests", kind=EventStream.Kind.WEBHOOK, url=url, **options)


def put_events(tenant: Tenant, count: int, *, endpoint: str = "ep-1", event_type: str = "song.play") -> list[int]:
    """Ingest `count` events through PutEvents (100 per request); their ids, in order."""
    for start in range(0, count, 100):
        size = min(100, count - start)
        events = {
            f"e{start + i}": {"EventType": event_type, "Timestamp": "2026-11-20T10:00:00Z", "Attributes": {"n": str(i)}}
            for i in range(size)
        }
        batch = {
            "BatchItem": {endpoint: {"Endpoint": {"ChannelType": "EMAIL", "Address": "a@b.test"}, "Events": events}}
        }
        events_ingest(tenant=tenant, batch=batch)
    return list(Event.objects.filter(tenant=tenant).order_by("id").values_list("id", flat=True))[-count:]


def event_ids(tenant: Tenant) -> list[int]:
    return list(Event.objects.filter(tenant=tenant).order_by("id").values_list("id", flat=True))
