"""Amazon SNS HTTPS deliveries: parsing, signature verification, subscription confirmation.

Every message is verified before anything reads it: the canonical string AWS signs (the fields of its type, each
as `name\\nvalue\\n`, in byte order of the names) against the RSA key of the certificate at SigningCertURL —
SHA1withRSA for SignatureVersion 1, SHA256withRSA for 2. The certificate (and the SubscribeURL) must come from a
host of settings.SNS_CERT_HOST_ALLOWLIST (default `sns.*.amazonaws.com`, https only, where `*` is exactly one
DNS label — so an S3 bucket named `sns.x` at `sns.x.s3.amazonaws.com` does not pass). Certificates are cached.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import http.client
import json
import re
import ssl
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.core.cache import cache

from engage import clock

TIMEOUT = 10
MAX_CERTIFICATE = 16 * 1024
CERT_CACHE_SECONDS = 24 * 3600
CONFIRMATION_TYPES = ("SubscriptionConfirmation", "UnsubscribeConfirmation")
SIGNED_FIELDS: dict[str, tuple[str, ...]] = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}
HASHES: dict[str, type[hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}
REQUIRED = ("Type", "MessageId", "TopicArn", "Timestamp", "Message", "Signature", "SignatureVersion", "SigningCertURL")
LABEL = re.compile(r"^[a-z0-9-]+$")


class SnsRejected(Exception):
    """The request is not a genuine SNS message for us (answered 403, logged, nothing changes)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sns_message_parse(body: bytes, *, message_type_header: str = "") -> dict[str, str]:
    """The SNS JSON document, with every field a signed message needs (else SnsRejected)."""
    try:
        message = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise SnsRejected("the body is not an SNS JSON document") from None
    if not isinstance(message, dict):
        raise SnsRejected("the body is not an SNS JSON document")
    missing = [name for name in REQUIRED if not isinstance(message.get(name), str)]
    if missing:
        raise SnsRejected(f"unsigned or incomplete SNS message (no {', '.join(missing)})")
    kind = message["Type"]
    if kind not in SIGNED_FIELDS:
        raise SnsRejected(f"unknown SNS message type {kind!r}")
    if message_type_header and message_type_header != kind:
        raise SnsRejected("x-amz-sns-message-type does not match the message")
    if kind in CONFIRMATION_TYPES and not all(isinstance(message.get(k), str) for k in ("SubscribeURL", "Token")):
        raise SnsRejected("a confirmation without SubscribeURL and Token")
    return message


def sns_canonical(message: dict[str, Any]) -> bytes:
    """The string SNS signed: `name\\nvalue\\n` for each signed field present, in order."""
    out = []
    for name in SIGNED_FIELDS[message["Type"]]:
        if name in message and message[name] is not None:
            out.append(f"{name}\n{message[name]}\n")
    return "".join(out).encode()


def _host_matches(pattern: str, host: str) -> bool:
    want, have = pattern.lower().split("."), host.lower().split(".")
    if len(want) != len(have):
        return False
    return all(w == h or (w == "*" and bool(LABEL.match(h))) for w, h in zip(want, have, strict=True))


def sns_url_allowed(url: str) -> bool:
    """Whether Engage may fetch this SNS URL: an allow-listed host, https (http only where the entry says
    http://), the entry's port (else the scheme's default), no user name or password."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return False
    if not parts.hostname or parts.username or parts.password or parts.scheme not in ("http", "https"):
        return False
    for entry in settings.SNS_CERT_HOST_ALLOWLIST:
        scheme, _, rest = entry.rpartition("://")
        host, _, entry_port = rest.partition(":")
        if parts.scheme != (scheme or "https"):
            continue
        default = 443 if parts.scheme == "https" else 80
        if (port or default) != (int(entry_port) if entry_port.isdigit() else default):
            continue
        if _host_matches(host, parts.hostname):
            return True
    return False


def http_get(url: str, *, limit: int) -> bytes:
    """GET without following redirects (a redirect could leave the allow-list); 200 only, at most `limit` bytes."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        context = ssl.create_default_context()
        connection = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=TIMEOUT, context=context)
    else:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=TIMEOUT)
    try:
        connection.request("GET", target, headers={"User-Agent": "Engage-SNS/1"})
        response = connection.getresponse()
        body = response.read(limit + 1)
    except (OSError, http.client.HTTPException) as exc:
        raise SnsRejected(f"cannot fetch {parts.hostname}: {type(exc).__name__}") from None
    finally:
        connection.close()
    if response.status != 200 or len(body) > limit:
        raise SnsRejected(f"{parts.hostname} answered {response.status}")
    return body


@lru_cache(maxsize=32)
def _certificate(pem: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem)


def certificate_get(url: str) -> x509.Certificate:
    """The signing certificate at an allow-listed URL, from the cache when fetched before (24 h)."""
    if not sns_url_allowed(url) or not urlsplit(url).path.endswith(".pem"):
        raise SnsRejected(f"SigningCertURL {url[:200]!r} is not an allowed SNS certificate URL")
    key = "sns-cert:" + hashlib.sha256(url.encode()).hexdigest()
    pem = cache.get(key)
    if not isinstance(pem, bytes):
        pem = http_get(url, limit=MAX_CERTIFICATE)
        cache.set(key, pem, CERT_CACHE_SECONDS)
    try:
        certificate = _certificate(pem)
    except ValueError:
        cache.delete(key)
        raise SnsRejected("SigningCertURL does not hold a PEM certificate") from None
    now = clock.now()
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise SnsRejected("the signing certificate is not valid now")
    return certificate


def sns_verify(message: dict[str, str]) -> None:
    """Raise SnsRejected unless the message carries a valid SNS signature."""
    algorithm = HASHES.get(message["SignatureVersion"])
    if algorithm is None:
        raise SnsRejected(f"unsupported SignatureVersion {message['SignatureVersion']!r}")
    try:
        signature = base64.b64decode(message["Signature"], validate=True)
    except (binascii.Error, ValueError):
        raise SnsRejected("the signature is not base64") from None
    key = certificate_get(message["SigningCertURL"]).public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SnsRejected("the signing certificate has no RSA key")
    try:
        key.verify(signature, sns_canonical(message), padding.PKCS1v15(), algorithm())
    except InvalidSignature:
        raise SnsRejected("the signature does not match the message") from None


def subscription_confirm(message: dict[str, str]) -> None:
    """Confirm a verified subscription by fetching its SubscribeURL (an allow-listed SNS host only)."""
    url = message["SubscribeURL"]
    if not sns_url_allowed(url):
        raise SnsRejected(f"SubscribeURL {url[:200]!r} is not an allowed SNS URL")
    http_get(url, limit=64 * 1024)
