"""Events as Pinpoint's event-stream records (the JSON Pinpoint put on Kinesis and Firehose).

Records carry the endpoint (device, locale, `client_context.custom.endpoint`), but engage.events cannot
import the audience app that owns endpoints. So that app registers an endpoint source here when it loads
(the same inversion as the trigger handlers): a model with `.objects.for_tenant()` and a function that
turns a row into Pinpoint's endpoint JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils.dateparse import parse_datetime

from engage.events.models import Event, is_system_event
from engage.tenancy.models import Tenant

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
APP_EVENT_VERSION = "3.0"
MESSAGING_EVENT_VERSION = "3.1"
TEST_EVENT_TYPE = "_engage.test"


@dataclass(frozen=True)
class EndpointSource:
    model: Any
    to_json: Callable[..., dict[str, Any]]


_sources: list[EndpointSource] = []


def endpoint_source_register(*, model: Any, to_json: Callable[..., dict[str, Any]]) -> None:
    """Tell the export how to read endpoints: `model.objects.for_tenant(t)` rows, `to_json(row, application_id=)`."""
    _sources[:] = [EndpointSource(model=model, to_json=to_json)]


@dataclass(frozen=True)
class Record:
    """One record ready to send: its event id, partition key, arrival and JSON body."""

    event_id: int
    partition_key: str
    arrival: datetime
    body: dict[str, Any]

    @property
    def data(self) -> bytes:
        return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False).encode()


def millis(value: datetime) -> int:
    return (value - EPOCH) // timedelta(milliseconds=1)


def _session_millis(value: Any) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            return None
        if parsed is not None:
            return millis(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
    return None


def _session(session: Any) -> dict[str, Any] | None:
    if not isinstance(session, dict) or not session.get("Id"):
        return None
    out: dict[str, Any] = {"session_id": str(session["Id"])}
    for key, name in (("StartTimestamp", "start_timestamp"), ("StopTimestamp", "stop_timestamp")):
        stamp = _session_millis(session.get(key))
        if stamp is not None:
            out[name] = stamp
    return out


def _locale(code: str) -> dict[str, str]:
    language, _, country = code.replace("-", "_").partition("_")
    out = {"code": code}
    if language:
        out["language"] = language.lower()
    if country:
        out["country"] = country.upper()
    return out


def _device(endpoint: dict[str, Any]) -> dict[str, Any] | None:
    demographic = endpoint.get("Demographic") or {}
    device: dict[str, Any] = {}
    if demographic.get("Locale"):
        device["locale"] = _locale(str(demographic["Locale"]))
    for key, name in (("Make", "make"), ("Model", "model")):
        if demographic.get(key):
            device[name] = demographic[key]
    platform = {
        k: demographic[d] for k, d in (("name", "Platform"), ("version", "PlatformVersion")) if demographic.get(d)
    }
    if platform:
        device["platform"] = platform
    return device or None


def _application(tenant: Tenant, client: dict[str, Any], endpoint: dict[str, Any] | None) -> dict[str, Any]:
    sdk = {k: client[c] for k, c in (("name", "SdkName"), ("version", "ClientSdkVersion")) if client.get(c)}
    app: dict[str, Any] = {"app_id": tenant.public_id, "sdk": sdk}
    for name, key in (("package_name", "AppPackageName"), ("title", "AppTitle"), ("version_code", "AppVersionCode")):
        if client.get(key):
            app[name] = client[key]
    version_name = ((endpoint or {}).get("Demographic") or {}).get("AppVersion")
    if version_name:
        app["version_name"] = version_name
    return app


def event_record(event: Event, *, tenant: Tenant, endpoint: dict[str, Any] | None) -> dict[str, Any]:
    """The event-stream record of one event (`endpoint`: Pinpoint's endpoint JSON, when the endpoint exists)."""
    attributes = dict(event.attributes or {})
    if is_system_event(event.event_type):
        for key in ("campaign_id", "journey_id"):
            if getattr(event, key) and key not in attributes:
                attributes[key] = getattr(event, key)
    record: dict[str, Any] = {
        "event_type": event.event_type,
        "event_timestamp": millis(event.timestamp),
        "arrival_timestamp": millis(event.arrival),
        "event_version": MESSAGING_EVENT_VERSION if is_system_event(event.event_type) else APP_EVENT_VERSION,
        "application": _application(tenant, event.client or {}, endpoint),
    }
    if event.endpoint_id:
        record["client"] = {"client_id": event.endpoint_id}
    device = _device(endpoint) if endpoint else None
    if device:
        record["device"] = device
    session = _session(event.session)
    if session:
        record["session"] = session
    record["attributes"] = attributes
    record["metrics"] = dict(event.metrics or {})
    if endpoint:
        endpoint_text = json.dumps(endpoint, separators=(",", ":"), ensure_ascii=False)
        record["client_context"] = {"custom": {"endpoint": endpoint_text}}
    record["awsAccountId"] = tenant.public_id
    # Not in Pinpoint's shape: Engage's event id, so receivers can drop the duplicates at-least-once allows.
    record["event_id"] = str(event.pk)
    return record


def endpoints_json(*, tenant: Tenant, endpoint_ids: Collection[str]) -> dict[str, dict[str, Any]]:
    """Pinpoint's JSON of the tenant's endpoints with these ids (empty when no source is registered)."""
    if not _sources or not endpoint_ids:
        return {}
    source = _sources[0]
    rows = source.model.objects.for_tenant(tenant).filter(endpoint_id__in=list(endpoint_ids))
    return {row.endpoint_id: source.to_json(row, application_id=tenant.public_id) for row in rows}


def records_build(*, tenant: Tenant, events: Iterable[Event]) -> list[Record]:
    """Records of a batch of one tenant's events, reading each endpoint once."""
    events = list(events)
    endpoints = endpoints_json(tenant=tenant, endpoint_ids={e.endpoint_id for e in events if e.endpoint_id})
    return [
        Record(
            event_id=int(event.pk),
            partition_key=event.endpoint_id or f"event-{event.pk}",
            arrival=event.arrival,
            body=event_record(event, tenant=tenant, endpoint=endpoints.get(event.endpoint_id)),
        )
        for event in events
    ]


def synthetic_record(*, tenant: Tenant, now: datetime) -> Record:
    """A synthetic record in the same shape, for checking a destination's configuration."""
    event = Event(
        id=0,
        tenant=tenant,
        event_type=TEST_EVENT_TYPE,
        endpoint_id="engage-test",
        timestamp=now,
        arrival=now,
        attributes={"engage_test": "true"},
    )
    return Record(
        event_id=0, partition_key="engage-test", arrival=now, body=event_record(event, tenant=tenant, endpoint=None)
    )
