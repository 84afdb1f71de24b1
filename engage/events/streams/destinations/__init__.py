"""Sending records to a destination: one module per kind, one error type for every refusal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from engage.events.streams.destinations import aws as aws
from engage.events.streams.destinations import webhook as webhook
from engage.events.streams.destinations.base import DeliveryError
from engage.events.streams.models import EventStream
from engage.events.streams.records import Record

__all__ = ["DeliveryError", "destination_send"]


def destination_send(*, stream: EventStream, records: Sequence[Record], now: datetime, test: bool = False) -> str:
    """Deliver records in order; return the destination's answer, or raise DeliveryError."""
    if stream.kind == EventStream.Kind.WEBHOOK:
        return webhook.send(stream, records, now=now)
    if stream.kind == EventStream.Kind.S3:
        return aws.send_s3(stream, records, now=now, test=test)
    if stream.kind == EventStream.Kind.KINESIS:
        return aws.send_kinesis(stream, records)
    if stream.kind == EventStream.Kind.FIREHOSE:
        return aws.send_firehose(stream, records)
    raise DeliveryError(f"unknown destination kind {stream.kind!r}")
