"""Validating a destination's configuration. Every refusal is an `Invalid` naming the field to fix."""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from engage.errors import Invalid
from engage.events.streams.models import EventStream

Kind = EventStream.Kind

# What a caller may set (the API and the console use these names), and which of them are secret.
CONFIG_FIELDS = (
    "s3_url",
    "stream_name",
    "url",
    "webhook_secret",
    "timeout_seconds",
    "region",
    "endpoint_url",
    "access_key_id",
    "secret_access_key",
)
SECRET_FIELDS = ("webhook_secret", "access_key_id", "secret_access_key")
AWS_FIELDS = ("region", "endpoint_url", "access_key_id", "secret_access_key")
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.S3: ("s3_url", *AWS_FIELDS),
    Kind.KINESIS: ("stream_name", *AWS_FIELDS),
    Kind.FIREHOSE: ("stream_name", *AWS_FIELDS),
    Kind.WEBHOOK: ("url", "webhook_secret", "timeout_seconds"),
}

BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
KINESIS_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,128}$")
KINESIS_ARN = re.compile(r"^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream/[a-zA-Z0-9_.-]{1,128}$")
FIREHOSE_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,64}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
ACCESS_KEY_ID = re.compile(r"^[A-Za-z0-9]{4,128}$")
MIN_SECRET = 16
MAX_TIMEOUT = 30


def _text(data: dict[str, Any], field: str, limit: int) -> str:
    value = data.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{field} must be a string", field=field)
    value = value.strip()
    if len(value) > limit:
        raise Invalid(f"{field} is longer than {limit} characters", field=field)
    return value


def parse_s3_url(text: str) -> tuple[str, str]:
    """`s3://bucket/prefix` → (bucket, prefix ending in "/" or empty)."""
    if not text:
        raise Invalid("give the S3 location, as s3://bucket/prefix/", field="s3_url")
    if not text.startswith("s3://"):
        raise Invalid("the S3 location must look like s3://bucket/prefix/", field="s3_url")
    bucket, _, prefix = text[len("s3://") :].partition("/")
    if not BUCKET.match(bucket) or ".." in bucket or bucket.startswith("xn--") or _is_ip(bucket):
        raise Invalid(
            f"{bucket!r} is not a valid bucket name (3–63 lowercase letters, digits, dots and hyphens)",
            field="s3_url",
        )
    prefix = prefix.strip("/")
    if any(ord(c) < 32 for c in prefix) or "//" in prefix:
        raise Invalid("the prefix holds control characters or an empty folder name", field="s3_url")
    return bucket, f"{prefix}/" if prefix else ""


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _http_url(value: str, field: str, what: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(f"the {what} must be an http:// or https:// URL", field=field)
    if parts.username or parts.password:
        raise Invalid(f"the {what} must not carry a user name or password", field=field)
    return value


def _aws(data: dict[str, Any], out: dict[str, Any]) -> None:
    region = _text(data, "region", 32)
    if not region:
        raise Invalid("the AWS region is required (for example us-east-1)", field="region")
    if not REGION.match(region):
        raise Invalid(f"{region!r} is not an AWS region (for example us-east-1)", field="region")
    endpoint_url = _text(data, "endpoint_url", 2048)
    key_id = _text(data, "access_key_id", 128)
    secret = _text(data, "secret_access_key", 256)
    if bool(key_id) != bool(secret):
        field = "secret_access_key" if key_id else "access_key_id"
        raise Invalid("give both the access key id and its secret, or neither (default credentials)", field=field)
    if key_id and not ACCESS_KEY_ID.match(key_id):
        raise Invalid("the access key id holds only letters and digits (like AKIA…)", field="access_key_id")
    out.update(
        region=region,
        endpoint_url=_http_url(endpoint_url, "endpoint_url", "endpoint URL") if endpoint_url else "",
        access_key_id=key_id,
        secret_access_key=secret,
    )


def _stream_name(kind: str, data: dict[str, Any]) -> str:
    name = _text(data, "stream_name", 2048)
    what = "Kinesis stream" if kind == Kind.KINESIS else "Firehose delivery stream"
    if not name:
        raise Invalid(f"the {what} name is required", field="stream_name")
    ok = (KINESIS_NAME.match(name) or KINESIS_ARN.match(name)) if kind == Kind.KINESIS else FIREHOSE_NAME.match(name)
    if not ok:
        allowed = (
            "name (1–128 letters, digits, _ . -) or ARN"
            if kind == Kind.KINESIS
            else "name (1–64 letters, digits, _ . -)"
        )
        raise Invalid(f"{name!r} is not a valid {what} {allowed}", field="stream_name")
    return name


def _webhook(data: dict[str, Any], out: dict[str, Any]) -> None:
    url = _text(data, "url", 2048)
    if not url:
        raise Invalid("the webhook URL is required", field="url")
    secret = _text(data, "webhook_secret", 256)
    if len(secret) < MIN_SECRET:
        raise Invalid(f"the signing secret needs at least {MIN_SECRET} characters", field="webhook_secret")
    timeout = data.get("timeout_seconds", 10)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or not 1 <= timeout <= MAX_TIMEOUT:
        raise Invalid(f"the timeout is a whole number of seconds from 1 to {MAX_TIMEOUT}", field="timeout_seconds")
    out.update(url=_http_url(url, "url", "webhook URL"), webhook_secret=secret, timeout_seconds=timeout)


def stream_config_clean(*, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The model fields of a destination of `kind` from caller-named fields; the other kinds' fields are cleared."""
    if kind not in Kind.values:
        raise Invalid(f"kind must be one of {', '.join(Kind.values)}", field="kind")
    out: dict[str, Any] = {
        "bucket": "",
        "prefix": "",
        "stream_name": "",
        "url": "",
        "webhook_secret": "",
        "timeout_seconds": 10,
        "region": "",
        "endpoint_url": "",
        "access_key_id": "",
        "secret_access_key": "",
    }
    if kind == Kind.WEBHOOK:
        _webhook(data, out)
        return out
    _aws(data, out)
    if kind == Kind.S3:
        out["bucket"], out["prefix"] = parse_s3_url(_text(data, "s3_url", 1100))
    else:
        out["stream_name"] = _stream_name(kind, data)
    return out


def stream_config_current(stream: EventStream) -> dict[str, Any]:
    """A destination's configuration under the caller-facing names (the base that updates merge into)."""
    return {
        "s3_url": stream.s3_url,
        "stream_name": stream.stream_name,
        "url": stream.url,
        "webhook_secret": stream.webhook_secret,
        "timeout_seconds": stream.timeout_seconds,
        "region": stream.region,
        "endpoint_url": stream.endpoint_url,
        "access_key_id": stream.access_key_id,
        "secret_access_key": stream.secret_access_key,
    }


def stream_name_clean(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise Invalid("give the destination a name", field="name")
    if len(name.strip()) > 100:
        raise Invalid("the name is longer than 100 characters", field="name")
    return name.strip()
