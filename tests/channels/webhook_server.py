"""A real local HTTP server for the webhook transport: records every request, counts idempotency keys and
addresses, and answers with whatever status, headers, body or delay a test sets."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REPLAY_WINDOW = 300  # seconds, as docs/channels.md tells receivers


def verify(secret: str, headers: dict[str, str], body: bytes, *, now: float) -> bool:
    """The receiver's check that docs/channels.md shows: signature over "<timestamp>.<body>", 5-minute window."""
    timestamp = headers.get("X-Engage-Timestamp", "")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > REPLAY_WINDOW:
        return False
    expected = "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers.get("X-Engage-Signature", ""))


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Hook:
    """What the server saw and how it answers (`status`, `headers`, `reply`, `delay` seconds before answering)."""

    url: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    reply: bytes = b'{"ok": true}'
    delay: float = 0.0
    requests: list[Request] = field(default_factory=list)
    keys: Counter[str] = field(default_factory=Counter)
    addresses: Counter[str] = field(default_factory=Counter)
    keep_bodies: bool = True
    # The first accepted POST that brings the count of received addresses to `hold_at` is answered only after
    # `hold_seconds`: a test can kill its sender while that request is in flight (`holding` is set meanwhile).
    hold_at: int = 0
    hold_seconds: float = 0.0
    holding: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def posts(self) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.method == "POST"]

    def received(self) -> int:
        with self.lock:
            return self.received_unlocked()

    def received_unlocked(self) -> int:
        return sum(self.addresses.values())


def _handler(hook: Hook) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_HEAD(self) -> None:
            self._answer(b"")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._answer(body)

        def _answer(self, body: bytes) -> None:
            status = hook.status
            if self.command == "POST" and 200 <= status < 300:
                # Count what was accepted before answering: a client that gives up waiting still delivered it.
                endpoints = json.loads(body).get("Endpoints", {})
                with hook.lock:
                    hook.keys[self.headers.get("Idempotency-Key", "")] += 1
                    hook.addresses.update(e.get("Address", key) for key, e in endpoints.items())
                    hold = bool(hook.hold_at) and not hook.holding.is_set() and hook.received_unlocked() >= hook.hold_at
                    if hold:
                        hook.holding.set()
                if hold:
                    time.sleep(hook.hold_seconds)
            with hook.lock:
                kept = body if hook.keep_bodies else b""
                hook.requests.append(Request(self.command, self.path, dict(self.headers.items()), kept, status))
            if hook.delay:
                time.sleep(hook.delay)
            reply = hook.reply if self.command != "HEAD" else b""
            try:
                self.send_response(status)
                for name, value in hook.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(hook.reply if self.command == "HEAD" else reply)))
                self.end_headers()
                self.wfile.write(reply)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def running_hook(**options: Any) -> Iterator[Hook]:
    """A Hook served on 127.0.0.1 (a random port) from a background thread."""
    hook = Hook(**options)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hook))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/pinpoint/custom"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
