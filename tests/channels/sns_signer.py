"""A local Amazon SNS stand-in: a test RSA key and self-signed certificate, served as PEM over a local HTTP server,
and SNS-shaped HTTPS deliveries signed exactly as SNS signs them (SignatureVersion 1 SHA1withRSA, 2 SHA256withRSA
over the canonical `name\\nvalue\\n` string). It also answers SubscribeURLs and counts every request it gets.

Only tests allow its host: the `sns` fixture sets SNS_CERT_HOST_ALLOWLIST to http://127.0.0.1:<its port>.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}
TOPIC = "arn:aws:sns:us-east-1:123456789012:engage-feedback"
CERT_PATH = "/SimpleNotificationService-0000000000000000000000.pem"


def make_key_and_certificate(common_name: str = "sns.amazonaws.com") -> tuple[rsa.RSAPrivateKey, bytes]:
    """A fresh RSA key and a self-signed certificate for it (PEM), valid from yesterday for 30 days."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, certificate.public_bytes(serialization.Encoding.PEM)


class SnsStandIn:
    """Serves its certificate and SubscribeURLs on 127.0.0.1 and signs messages with its key."""

    def __init__(self) -> None:
        self.key, self.pem = make_key_and_certificate()
        self.requests: Counter[str] = Counter()
        self.confirmed: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def cert_url(self) -> str:
        return self.base + CERT_PATH

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                stand_in.requests[parts.path] += 1
                if parts.path == CERT_PATH:
                    self._answer(200, stand_in.pem, "application/x-pem-file")
                elif parts.path == "/" and parse_qs(parts.query).get("Action") == ["ConfirmSubscription"]:
                    stand_in.confirmed.append(parse_qs(parts.query)["Token"][0])
                    self._answer(200, b"<ConfirmSubscriptionResponse/>", "text/xml")
                else:
                    self._answer(404, b"not found", "text/plain")

            def _answer(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def sign(
        self, message: dict[str, Any], *, version: str = "1", key: rsa.RSAPrivateKey | None = None
    ) -> dict[str, Any]:
        """The message with SignatureVersion, SigningCertURL and Signature, signed as SNS signs."""
        signed = {
            **message,
            "SignatureVersion": version,
            "SigningCertURL": message.get("SigningCertURL") or self.cert_url,
        }
        canonical = "".join(
            f"{name}\n{signed[name]}\n" for name in SIGNED_FIELDS[signed["Type"]] if signed.get(name) is not None
        ).encode()
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
        signature = (key or self.key).sign(canonical, padding.PKCS1v15(), algorithm)
        signed["Signature"] = base64.b64encode(signature).decode()
        return signed

    def notification(
        self, record: dict[str, Any] | str, *, version: str = "1", subject: str | None = None, topic: str = TOPIC
    ) -> dict[str, Any]:
        """A signed Notification carrying `record` (a dict is sent as its JSON text, as SNS sends SES events)."""
        message: dict[str, Any] = {
            "Type": "Notification",
            "MessageId": str(uuid.uuid4()),
            "TopicArn": topic,
            "Message": record if isinstance(record, str) else json.dumps(record),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "UnsubscribeURL": f"{self.base}/?Action=Unsubscribe&SubscriptionArn={topic}:sub",
        }
        if subject is not None:
            message["Subject"] = subject
        return self.sign(message, version=version)

    def subscription_confirmation(self, *, topic: str = TOPIC, version: str = "1") -> dict[str, Any]:
        token = uuid.uuid4().hex
        message = {
            "Type": "SubscriptionConfirmation",
            "MessageId": str(uuid.uuid4()),
            "Token": token,
            "TopicArn": topic,
            "Message": f"You have chosen to subscribe to the topic {topic}.",
            "SubscribeURL": f"{self.base}/?Action=ConfirmSubscription&TopicArn={topic}&Token={token}",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        }
        return self.sign(message, version=version)


@pytest.fixture
def sns(settings: Any) -> Iterator[SnsStandIn]:
    """A running stand-in whose host (and only it) the SNS certificate allow-list admits."""
    stand_in = SnsStandIn()
    settings.SNS_CERT_HOST_ALLOWLIST = [f"http://127.0.0.1:{stand_in.server.server_address[1]}"]
    try:
        yield stand_in
    finally:
        stand_in.close()
