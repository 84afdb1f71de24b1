"""Amazon S3 (hourly gzip'd NDJSON objects), Kinesis Data Streams (PutRecords) and Firehose (PutRecordBatch)."""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from itertools import groupby
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

from engage.events.streams.destinations.base import DeliveryError, chunks
from engage.events.streams.destinations.network import address_check
from engage.events.streams.models import EventStream
from engage.events.streams.records import Record

KINESIS_MAX_RECORDS = 500
KINESIS_MAX_BYTES = 5 * 1024 * 1024
FIREHOSE_MAX_RECORDS = 500
FIREHOSE_MAX_BYTES = 4 * 1024 * 1024
# Records a stream refused inside an accepted call (throttling, internal errors) are sent again this often.
PARTIAL_ATTEMPTS = 3

_PERMISSIONS = {
    EventStream.Kind.S3: "s3:PutObject on arn:aws:s3:::{bucket}/{prefix}*",
    EventStream.Kind.KINESIS: "kinesis:PutRecords on the stream",
    EventStream.Kind.FIREHOSE: "firehose:PutRecordBatch on the delivery stream",
}
_HINTS = {
    "NoSuchBucket": "create the bucket or correct its name (and region)",
    "ResourceNotFoundException": "create the stream or correct its name and region",
    "InvalidAccessKeyId": "check the access key id",
    "SignatureDoesNotMatch": "check the secret access key",
    "UnrecognizedClientException": "check the access key id and secret",
    "InvalidSignatureException": "check the secret access key",
    "ExpiredToken": "the credentials have expired",
    "PermanentRedirect": "the bucket is in another region: set that region",
    "AuthorizationHeaderMalformed": "the bucket is in another region: set that region",
}


@lru_cache(maxsize=64)
def _client(service: str, region: str, endpoint_url: str, key_id: str, secret: str) -> Any:
    session = boto3.session.Session(
        aws_access_key_id=key_id or None, aws_secret_access_key=secret or None, region_name=region or None
    )
    config = Config(
        connect_timeout=5,
        read_timeout=30,
        retries={"max_attempts": 3, "mode": "standard"},
        s3={"addressing_style": "path"} if endpoint_url else None,
    )
    return session.client(service, endpoint_url=endpoint_url or None, config=config)


def client_for(stream: EventStream, service: str) -> Any:
    """A boto3 client with the destination's region, endpoint and keys (default credential chain without keys)."""
    if stream.endpoint_url:
        address_check(stream.endpoint_url)
    try:
        return _client(service, stream.region, stream.endpoint_url, stream.access_key_id, stream.secret_access_key)
    except (BotoCoreError, ValueError) as exc:
        raise DeliveryError(f"cannot build an AWS client: {exc}") from exc


def _refusal(stream: EventStream, exc: Exception) -> DeliveryError:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code, message = str(error.get("Code", "Error")), str(error.get("Message", ""))
        hint = _HINTS.get(code)
        if code in ("AccessDenied", "AccessDeniedException", "AuthorizationErrorException"):
            hint = "the credentials need " + _PERMISSIONS[EventStream.Kind(stream.kind)].format(
                bucket=stream.bucket, prefix=stream.prefix
            )
        text = f"{code}: {message}".rstrip(": ")
        return DeliveryError(f"{text} ({hint})" if hint else text)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return DeliveryError(
            "no AWS credentials were found: give the destination an access key, or run Engage with an instance "
            "or task role"
        )
    if isinstance(exc, NoRegionError):
        return DeliveryError("no AWS region: set the destination's region")
    if isinstance(exc, EndpointConnectionError):
        return DeliveryError(f"could not connect to {exc.kwargs.get('endpoint_url', 'AWS')}: check the endpoint URL")
    return DeliveryError(f"AWS call failed: {exc}")


def _call(stream: EventStream, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except (ClientError, BotoCoreError) as exc:
        raise _refusal(stream, exc) from exc


def send_s3(stream: EventStream, records: Sequence[Record], *, now: datetime, test: bool = False) -> str:
    """One gzip'd NDJSON object per arrival hour: prefix/YYYY/MM/DD/HH/<first id>-<last id>.json.gz."""
    client = client_for(stream, "s3")
    keys = []
    if test:
        # Folders starting with "_" are hidden from Athena and Glue, so the test object never reaches a table.
        groups: list[tuple[str, list[Record]]] = [(f"_engage-test/{now:%Y%m%dT%H%M%S%fZ}", list(records))]
    else:
        groups = [
            (f"{hour}/{group[0].event_id}-{group[-1].event_id}", group)
            for hour, items in groupby(records, key=lambda r: r.arrival.astimezone(UTC).strftime("%Y/%m/%d/%H"))
            for group in [list(items)]
        ]
    for name, group in groups:
        key = f"{stream.prefix}{name}.json.gz"
        # mtime=0: a batch sent again yields the same bytes under the same key.
        body = gzip.compress(b"".join(r.data + b"\n" for r in group), mtime=0)
        _call(
            stream,
            lambda key=key, body=body: client.put_object(  # type: ignore[misc]
                Bucket=stream.bucket, Key=key, Body=body, ContentType="application/x-ndjson"
            ),
        )
        keys.append(key)
    return f"wrote s3://{stream.bucket}/{keys[-1]}" if len(keys) == 1 else f"wrote {len(keys)} objects"


def _send_with_partial_retries(
    stream: EventStream, put: Callable[[list[dict[str, Any]]], Any], entries: list[dict[str, Any]], *, failed: str
) -> None:
    """Call `put`; send again only the entries the service refused inside an accepted call."""
    for attempt in range(PARTIAL_ATTEMPTS):
        response = _call(stream, lambda entries=entries: put(entries))  # type: ignore[misc]
        if not response.get(failed):
            return
        results = response.get("Records") or response.get("RequestResponses") or []
        refused = [(entry, result) for entry, result in zip(entries, results, strict=False) if result.get("ErrorCode")]
        entries = [entry for entry, _ in refused]
        if not entries:
            return
        if attempt + 1 < PARTIAL_ATTEMPTS:
            time.sleep(0.2 * 2**attempt)
    first = refused[0][1]
    raise DeliveryError(
        f"{len(entries)} records were refused: {first.get('ErrorCode')}: {first.get('ErrorMessage', '')}".rstrip(": ")
    )


def send_kinesis(stream: EventStream, records: Sequence[Record]) -> str:
    """PutRecords in calls of at most 500 records and 5 MiB; the partition key is the endpoint id."""
    client = client_for(stream, "kinesis")
    target = (
        {"StreamARN": stream.stream_name}
        if stream.stream_name.startswith("arn:")
        else {"StreamName": stream.stream_name}
    )
    size: Callable[[Record], int] = lambda r: len(r.data) + len(r.partition_key.encode())  # noqa: E731
    calls = 0
    for chunk in chunks(records, max_count=KINESIS_MAX_RECORDS, max_bytes=KINESIS_MAX_BYTES, size=size):
        entries = [{"Data": r.data, "PartitionKey": r.partition_key} for r in chunk]
        _send_with_partial_retries(
            stream, lambda batch: client.put_records(Records=batch, **target), entries, failed="FailedRecordCount"
        )
        calls += 1
    return f"{len(records)} records accepted in {calls} PutRecords call{'s' if calls > 1 else ''}"


def send_firehose(stream: EventStream, records: Sequence[Record]) -> str:
    """PutRecordBatch in calls of at most 500 records and 4 MiB; each record ends with a newline."""
    client = client_for(stream, "firehose")
    size: Callable[[Record], int] = lambda r: len(r.data) + 1  # noqa: E731
    calls = 0
    for chunk in chunks(records, max_count=FIREHOSE_MAX_RECORDS, max_bytes=FIREHOSE_MAX_BYTES, size=size):
        entries = [{"Data": r.data + b"\n"} for r in chunk]
        _send_with_partial_retries(
            stream,
            lambda batch: client.put_record_batch(DeliveryStreamName=stream.stream_name, Records=batch),
            entries,
            failed="FailedPutCount",
        )
        calls += 1
    return f"{len(records)} records accepted in {calls} PutRecordBatch call{'s' if calls > 1 else ''}"
