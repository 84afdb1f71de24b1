"""Boto3 clients for a channel config, and what AWS errors mean for the send path.

A batch-level error becomes a TransportError: throttling → throttled (retried later, never a failure of
the recipient); no connection → retried; a timeout after the request went out → fate unknown; bad
credentials or configuration → permanent. An error about one message (SES MessageRejected, a
ValidationException) is that message's failure only: `aws_error` returns None for it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from channels.transports.base import TransportError
from channels.transports.common import config_secrets

if TYPE_CHECKING:
    from channels.models import ChannelConfig

DEFAULT_REGION = "us-east-1"
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
        "LimitExceededException",
    }
)
THROTTLING_TEXTS = ("Maximum sending rate exceeded", "Daily message quota exceeded")
# The credentials or the configuration are wrong: every message would fail the same way.
PERMANENT_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "ExpiredToken",
        "ExpiredTokenException",
        "AuthFailure",
        "OptInRequired",
        "AccountSuspendedException",
        "SendingPausedException",
        "NotFoundException",
        "ResourceNotFoundException",
        "ConfigurationSetDoesNotExist",
        "ServiceQuotaExceededException",
    }
)
_HINTS = {
    "InvalidClientTokenId": "check the access key id",
    "UnrecognizedClientException": "check the access key id and secret",
    "SignatureDoesNotMatch": "check the secret access key",
    "InvalidSignatureException": "check the secret access key",
    "ExpiredToken": "the credentials have expired",
    "ExpiredTokenException": "the credentials have expired",
    "AccessDenied": "give the credentials permission for this call",
    "AccessDeniedException": "give the credentials permission for this call",
}

ClientFactory = Callable[[str, "ChannelConfig | None"], Any]


@lru_cache(maxsize=64)
def _cached_client(service: str, region: str, endpoint_url: str, key_id: str, secret: str) -> Any:
    session = boto3.session.Session(
        aws_access_key_id=key_id or None, aws_secret_access_key=secret or None, region_name=region
    )
    # One attempt: a send retried by botocore after a read timeout could reach the recipient twice; the
    # send service retries with the ledger's rules instead.
    config = Config(
        connect_timeout=5, read_timeout=20, retries={"max_attempts": 1, "mode": "standard"}, max_pool_connections=16
    )
    return session.client(service, endpoint_url=endpoint_url or None, config=config)


def default_client_factory(service: str, config: ChannelConfig | None) -> Any:
    """A client with the config's region, endpoint URL and keys (the default credential chain without keys)."""
    settings = config.settings if config is not None else {}
    region = str((settings or {}).get("region") or DEFAULT_REGION)
    endpoint_url = str((settings or {}).get("endpoint_url") or "")
    if endpoint_url:
        from engage.events.streams.destinations.base import DeliveryError
        from engage.events.streams.destinations.network import address_check

        try:
            address_check(endpoint_url)
        except DeliveryError as exc:
            raise TransportError(f"endpoint URL refused: {exc}", permanent=True) from exc
    secrets = config_secrets(config)
    return _cached_client(
        service, region, endpoint_url, secrets.get("aws_access_key_id", ""), secrets.get("aws_secret_access_key", "")
    )


# Tests swap this for one that returns a botocore Stubber's client; nothing else builds AWS clients.
client_factory: ClientFactory = default_client_factory


def aws_client(service: str, config: ChannelConfig | None) -> Any:
    """The boto3 client for `service` on behalf of `config`; a client that cannot be built is permanent."""
    try:
        return client_factory(service, config)
    except (BotoCoreError, ValueError) as exc:
        raise TransportError(f"cannot build an AWS client: {exc}", permanent=True) from exc


def error_code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def error_text(exc: Exception) -> str:
    """The provider's own words: "Code: Message" (plus a hint for credential problems)."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code, message = str(error.get("Code", "Error")), str(error.get("Message", ""))
        text = f"{code}: {message}".rstrip(": ")
        hint = _HINTS.get(code)
        return f"{text} ({hint})" if hint else text
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return "no AWS credentials were found: give the channel an access key, or run Engage with an instance role"
    if isinstance(exc, NoRegionError):
        return "no AWS region: set the channel's region"
    return f"{type(exc).__name__}: {exc}"


def _retry_after(exc: ClientError) -> float | None:
    headers = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
    try:
        return float(headers["retry-after"]) if "retry-after" in headers else None
    except (TypeError, ValueError):
        return None


def _client_error(exc: ClientError) -> TransportError | None:
    code = error_code(exc)
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    message = str(exc.response.get("Error", {}).get("Message", ""))
    text = error_text(exc)
    if code in THROTTLING_CODES or status == 429 or code == "454" or any(t in message for t in THROTTLING_TEXTS):
        return TransportError(text, permanent=False, throttled=True, retry_after=_retry_after(exc))
    if code in PERMANENT_CODES or status in (401, 403):
        return TransportError(text, permanent=True)
    if status >= 500 or code in ("InternalFailure", "InternalServerException", "ServiceUnavailable"):
        return TransportError(text, permanent=False)
    return None


def aws_error(exc: Exception) -> TransportError | None:
    """The batch-level TransportError an AWS exception means, or None when it concerns this message only."""
    if isinstance(exc, ClientError):
        return _client_error(exc)
    if isinstance(exc, ParamValidationError):
        return None
    if isinstance(exc, HTTPClientError):
        # Read timeout, connection closed mid-response: the provider may have the message.
        return TransportError(error_text(exc), permanent=False, delivered_unknown=True)
    if isinstance(exc, BotoConnectionError | CredentialRetrievalError):
        return TransportError(error_text(exc), permanent=False)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError | NoRegionError):
        return TransportError(error_text(exc), permanent=True)
    if isinstance(exc, BotoCoreError):
        return TransportError(error_text(exc), permanent=False)
    return None


def call(fn: Callable[..., Any], params: dict[str, Any], *, message_codes: tuple[str, ...] = ()) -> Any:
    """Call the AWS API; batch-level failures raise TransportError, message-level ones MessageError
    (`message_codes`: error codes that concern this message only in this call)."""
    try:
        return fn(**params)
    except (ClientError, BotoCoreError) as exc:
        error = None if error_code(exc) in message_codes else aws_error(exc)
        if error is not None:
            raise error from exc
        raise MessageError(error_text(exc), code=error_code(exc)) from exc


class MessageError(Exception):
    """The provider refused this one message (the others in the batch are unaffected)."""

    def __init__(self, text: str, *, code: str = "") -> None:
        super().__init__(text)
        self.text = text
        self.code = code
