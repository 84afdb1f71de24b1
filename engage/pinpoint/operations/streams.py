"""The application's event stream: PutEventStream, GetEventStream, DeleteEventStream.

Pinpoint has one stream per project (a Kinesis data stream or a Firehose delivery stream); Engage keeps it as the
event-stream destination named PINPOINT_STREAM, beside any others made in the console. RoleArn is accepted and
not used: Engage writes with its own AWS credentials (the default chain), so it is answered empty.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import transaction

from engage.errors import Invalid, NotFound
from engage.events.streams.models import EventStream
from engage.events.streams.selectors import streams_for_tenant
from engage.events.streams.services import stream_create, stream_delete, stream_update
from engage.pinpoint.registry import Call, operation
from engage.tenancy.models import Capability
from segments.segment_json import iso

PINPOINT_STREAM = "Pinpoint event stream"
_ARN = re.compile(
    r"^arn:aws[a-z-]*:(?P<service>kinesis|firehose):(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<type>stream|deliverystream)/(?P<name>[A-Za-z0-9_.-]{1,128})$"
)


def _destination(arn: str) -> dict[str, Any]:
    """The destination's kind and configuration from a Kinesis stream ARN or a Firehose delivery stream ARN."""
    found = _ARN.match(arn.strip())
    kinds = {("kinesis", "stream"): EventStream.Kind.KINESIS, ("firehose", "deliverystream"): EventStream.Kind.FIREHOSE}
    kind = kinds.get((found["service"], found["type"])) if found else None
    if found is None or kind is None:
        raise Invalid(
            "DestinationStreamArn must be a Kinesis data stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME) "
            "or a Firehose delivery stream ARN (arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME)",
            field="DestinationStreamArn",
        )
    name = arn.strip() if kind == EventStream.Kind.KINESIS else found["name"]
    return {"kind": kind, "stream_name": name, "region": found["region"]}


def _arn(stream: EventStream) -> str:
    if stream.stream_name.startswith("arn:"):
        return stream.stream_name
    account = getattr(settings, "ENGAGE_ARN_ACCOUNT", "000000000000")
    if stream.kind == EventStream.Kind.KINESIS:
        return f"arn:aws:kinesis:{stream.region}:{account}:stream/{stream.stream_name}"
    return f"arn:aws:firehose:{stream.region}:{account}:deliverystream/{stream.stream_name}"


def _json(call: Call, stream: EventStream) -> dict[str, Any]:
    """EventStream."""
    return {
        "ApplicationId": call.application_id,
        "DestinationStreamArn": _arn(stream),
        "RoleArn": "",
        "LastModifiedDate": iso(stream.updated_at),
    }


def _current(call: Call) -> EventStream | None:
    return streams_for_tenant(tenant=call.tenant).filter(name=PINPOINT_STREAM).first()


@operation("PutEventStream", capability=Capability.MANAGE)
def put_event_stream(call: Call) -> dict[str, Any]:
    """Point the application's stream at a Kinesis or Firehose stream (new events from now on)."""
    target = _destination(call.body["DestinationStreamArn"])
    kind = target.pop("kind")
    with transaction.atomic():
        stream = _current(call)
        if stream is not None and stream.kind == kind:
            stream = stream_update(stream=stream, by=call.key, ip=call.ip, enabled=True, **target)
        else:
            if stream is not None:
                stream_delete(stream=stream, by=call.key, ip=call.ip)
            stream = stream_create(
                tenant=call.tenant, by=call.key, ip=call.ip, name=PINPOINT_STREAM, kind=kind, **target
            )
    return _json(call, stream)


def _stream(call: Call) -> EventStream:
    stream = _current(call)
    if stream is None:
        raise NotFound(f"Application {call.application_id} has no event stream")
    return stream


@operation("GetEventStream", capability=Capability.MANAGE)
def get_event_stream(call: Call) -> dict[str, Any]:
    return _json(call, _stream(call))


@operation("DeleteEventStream", capability=Capability.MANAGE)
def delete_event_stream(call: Call) -> dict[str, Any]:
    """Stop streaming; answer with the stream that was deleted."""
    stream = _stream(call)
    answer = _json(call, stream)
    stream_delete(stream=stream, by=call.key, ip=call.ip)
    return answer
