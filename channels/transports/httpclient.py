"""One keep-alive HTTP(S) connection to a tenant-configured URL, with the URL policy of event streams.

Separate connect and read timeouts tell "never reached the server" (safe to send again) from "sent, no answer"
(the server may have it): the first is a retryable TransportError, the second one with `delivered_unknown`.
"""

from __future__ import annotations

import http.client
import ipaddress
import select
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from channels.transports.base import TransportError
from engage.errors import Invalid
from engage.events.streams.destinations.base import DeliveryError
from engage.events.streams.destinations.network import address_check

MAX_BODY = 64 * 1024
DETAIL_CHARS = 300


class Unresolvable(Invalid):
    """The host name does not resolve (now): a refusal when saving, a retry when sending."""


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(f"cannot resolve {host}: {getattr(exc, 'strerror', None) or exc}", field="url") from exc
    return [str(info[4][0]).split("%")[0] for info in infos]


def webhook_url_check(url: str) -> None:
    """Refuse a URL Engage must not call (Invalid on `url`): https only, http:// only to a private address when
    EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS is on, no credentials, and private addresses only when allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("the webhook URL must be an https:// URL", field="url")
    if parts.username or parts.password:
        raise Invalid("the webhook URL must not carry a user name or password", field="url")
    addresses = _resolve(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    try:
        address_check(url)
    except DeliveryError as exc:
        raise Invalid(exc.message, field="url") from exc
    private = all(not ipaddress.ip_address(a).is_global for a in addresses)
    if parts.scheme == "http" and not (settings.EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS and private):
        raise Invalid(
            "the webhook URL must start with https:// (http:// is accepted only for a private address, when an "
            "operator sets EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS=1)",
            field="url",
        )


def response_text(body: bytes) -> str:
    """The start of an answer's body, on one line, for a status message."""
    text = " ".join(body[: DETAIL_CHARS * 4].decode("utf-8", "replace").split())
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "…"


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


class HttpConnection:
    """A connection reused across calls and reopened when the server closed it; the URL is checked on open.
    `max_body`: how much of an answer is read (a subclass for an API with large answers raises it)."""

    max_body = MAX_BODY

    def __init__(self, url: str, *, connect_timeout: float, read_timeout: float) -> None:
        parts = urlsplit(url)
        self.url = url
        self.https = parts.scheme == "https"
        self.host = parts.hostname or url
        self.port = parts.port
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.conn: http.client.HTTPConnection | None = None

    def _open(self) -> http.client.HTTPConnection:
        if self.conn is not None and self.conn.sock is not None and not _dropped(self.conn.sock):
            return self.conn
        self.close()
        if not self.url:
            raise TransportError("the webhook has no URL: set one in the channel settings", permanent=True)
        try:
            webhook_url_check(self.url)
        except Unresolvable as exc:
            raise TransportError(exc.message, permanent=False) from exc
        except Invalid as exc:
            raise TransportError(exc.message, permanent=True) from exc
        conn: http.client.HTTPConnection
        if self.https:
            context = ssl.create_default_context()
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.connect_timeout, context=context)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.connect_timeout)
        try:
            conn.connect()
        except ssl.SSLCertVerificationError as exc:
            raise TransportError(
                f"{self.host}: TLS certificate refused ({exc.verify_message})", permanent=True
            ) from exc
        except OSError as exc:
            raise TransportError(f"could not reach {self.host}: {exc}", permanent=False) from exc
        if conn.sock is not None:
            conn.sock.settimeout(self.read_timeout)
            # http.client writes the headers and the body separately: without this, Nagle holds the body back
            # until the server's delayed ACK (40 ms a request).
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn = conn
        return conn

    def exchange(self, method: str, *, body: bytes | None, headers: dict[str, str]) -> Answer:
        """Send one request and read the answer (at most `max_body` bytes of its body)."""
        conn = self._open()
        try:
            conn.request(method, self.path, body=body, headers=headers)
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise TransportError(f"could not send to {self.host}: {exc}", permanent=False) from exc
        try:
            response = conn.getresponse()
            data = response.read(self.max_body)
        except TimeoutError as exc:
            self.close()
            text = f"{self.host} did not answer within {self.read_timeout:g} s; it may have received the request"
            raise TransportError(text, permanent=False, delivered_unknown=True) from exc
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            text = f"{self.host} dropped the connection before answering ({exc}); it may have received the request"
            raise TransportError(text, permanent=False, delivered_unknown=True) from exc
        if response.will_close or not response.isclosed():
            self.close()
        return Answer(status=response.status, headers=response.headers, body=data)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _dropped(sock: socket.socket) -> bool:
    """An idle keep-alive socket that is readable has been closed by the server (or holds garbage)."""
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True
