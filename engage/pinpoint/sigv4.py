"""AWS Signature Version 4 verification for service `mobiletargeting`, as botocore signs Pinpoint requests.

Two traps (see the wire reference): the canonical URI is built from the path *as sent* (still %-encoded),
then %-encoded again; and only the headers named in SignedHeaders take part, with the values the client
sent (Host included, with its port). The payload hash is always checked: a tampered body fails.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote

SERVICE = "mobiletargeting"
MAX_SKEW_SECONDS = 15 * 60
AMZ_DATE = "%Y%m%dT%H%M%SZ"
_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<key_id>[^/\s,]+)/(?P<date>\d{8})/(?P<region>[^/\s,]+)/"
    r"(?P<service>[^/\s,]+)/aws4_request\s*,\s*SignedHeaders=(?P<signed>[a-z0-9\-;]+)\s*,\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})\s*$"
)
_UNRESERVED = "-_.~"


class SignatureRefused(Exception):
    """The request is not signed, or not signed right; the message says which (never which secret)."""


@dataclass(frozen=True)
class Credential:
    key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def credential_parse(authorization: str) -> Credential:
    """Parse `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`."""
    if not authorization:
        raise SignatureRefused("Missing Authentication Token: sign the request with AWS Signature Version 4")
    found = _AUTH.match(authorization.strip())
    if found is None:
        raise SignatureRefused(
            "The Authorization header must be AWS4-HMAC-SHA256 with Credential, SignedHeaders and Signature"
        )
    signed = tuple(found["signed"].split(";"))
    if found["service"] != SERVICE:
        raise SignatureRefused(f"The credential scope names service {found['service']!r}; sign for {SERVICE!r}")
    if "host" not in signed or "x-amz-date" not in signed:
        raise SignatureRefused("SignedHeaders must include host and x-amz-date")
    return Credential(found["key_id"], found["date"], found["region"], found["service"], signed, found["signature"])


def request_time_check(*, credential: Credential, amz_date: str, now: datetime) -> None:
    """X-Amz-Date is well formed, agrees with the credential scope, and lies within 15 minutes of now."""
    try:
        signed_at = datetime.strptime(amz_date, AMZ_DATE).replace(tzinfo=UTC)
    except ValueError:
        raise SignatureRefused("X-Amz-Date must look like 20261122T104734Z") from None
    if amz_date[:8] != credential.date:
        raise SignatureRefused("The date in the credential scope differs from X-Amz-Date")
    skew = (now - signed_at).total_seconds()
    if abs(skew) > MAX_SKEW_SECONDS:
        when = "earlier" if skew > 0 else "later"
        raise SignatureRefused(
            f"Signature expired: {amz_date} is more than 15 minutes {when} than the server time "
            f"{now.astimezone(UTC).strftime(AMZ_DATE)}; check the client's clock"
        )


def _dot_segments_removed(path: str) -> str:
    kept: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if kept:
                kept.pop()
            continue
        kept.append(segment)
    lead = "/" if path.startswith("/") else ""
    trail = "/" if path.endswith("/") and kept else ""
    return lead + "/".join(kept) + trail or "/"


def canonical_uri(raw_path: str) -> str:
    """The path as sent, normalised, then %-encoded once more (every `%` becomes `%25`)."""
    return quote(_dot_segments_removed(raw_path or "/"), safe="/~")


def canonical_query(raw_query: str) -> str:
    """Pairs sorted by key then value, each part strictly re-encoded (RFC 3986 unreserved characters only)."""
    pairs = []
    for part in raw_query.split("&") if raw_query else []:
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((quote(unquote(key), safe=_UNRESERVED), quote(unquote(value), safe=_UNRESERVED)))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def payload_hash(body: bytes, declared: str | None) -> str:
    """sha256 of the body; a client-declared X-Amz-Content-SHA256 must be that same hash."""
    digest = hashlib.sha256(body).hexdigest()
    if declared is not None and declared.strip().lower() != digest:
        raise SignatureRefused("X-Amz-Content-SHA256 does not match the body (unsigned payloads are not accepted)")
    return digest


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signature_check(
    *,
    credential: Credential,
    secret: str,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body: bytes,
) -> None:
    """Recompute the signature from the raw request and compare in constant time; SignatureRefused otherwise.

    `headers` maps lower-case names to the values received (only the signed ones are read)."""
    missing = [name for name in credential.signed_headers if headers.get(name) is None]
    if missing:
        raise SignatureRefused(f"The signed header {missing[0]} is missing from the request")
    lines = "".join(f"{name}:{' '.join(str(headers[name]).split())}\n" for name in credential.signed_headers)
    canonical = "\n".join(
        [
            method.upper(),
            canonical_uri(raw_path),
            canonical_query(raw_query),
            lines,
            ";".join(credential.signed_headers),
            payload_hash(body, headers.get("x-amz-content-sha256")),
        ]
    )
    scope = f"{credential.date}/{credential.region}/{credential.service}/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", headers["x-amz-date"], scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(("AWS4" + secret).encode(), credential.date)
    for part in (credential.region, credential.service, "aws4_request"):
        key = _hmac(key, part)
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, credential.signature):
        raise SignatureRefused(
            "The request signature we calculated does not match the signature you provided. "
            "Check your secret access key and signing method."
        )
