"""Pinpoint's SegmentResponse JSON, rebuilt from the model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from engage.tenancy.arn import pinpoint_arn
from segments.models import Segment


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def segment_to_pinpoint(segment: Segment, *, application_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ApplicationId": application_id,
        "Arn": pinpoint_arn(application_id, f"segments/{segment.public_id}"),
        "CreationDate": iso(segment.created_at),
        "Id": segment.public_id,
        "LastModifiedDate": iso(segment.updated_at),
        "Name": segment.name,
        "SegmentType": segment.kind,
        "Version": segment.version,
        "tags": segment.tags or {},
    }
    if segment.kind == Segment.Kind.IMPORT:
        out["ImportDefinition"] = {
            "ChannelCounts": segment.channel_counts or {},
            "ExternalId": "",
            "Format": segment.import_format or "CSV",
            "RoleArn": "",
            "S3Url": segment.import_source,
            "Size": segment.import_size,
        }
    else:
        out.update(segment.definition or {})
    return out
