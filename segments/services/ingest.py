"""PutEvents: upsert the endpoints a batch carries, record its events, then tell the trigger handlers.

The single entry point for ingested events (the REST API, the Pinpoint-compatible API and imports all
come through here), so campaigns and journeys see every event.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from engage import clock
from engage.errors import Invalid
from engage.events.models import Event, is_system_event
from engage.events.services import events_record
from engage.tenancy.models import Tenant
from segments.codec import parse_datetime_value
from segments.models import Endpoint
from segments.services.endpoints import endpoints_upsert

MAX_EVENTS_PER_REQUEST = 100
MAX_EVENT_KEYS = 40
MAX_KEY = 50
MAX_ATTRIBUTE_VALUE = 200
CLIENT_FIELDS = ("AppPackageName", "AppTitle", "AppVersionCode", "ClientSdkVersion", "SdkName")
ACCEPTED = {"Message": "Accepted", "StatusCode": 202}


@dataclass
class IngestResult:
    results: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)


def _refused(message: str) -> dict[str, Any]:
    return {"Message": message, "StatusCode": 400}


def parse_event(data: Any, *, endpoint_id: str, key: str, arrival: datetime) -> Event:
    """Validate one Event of PutEvents against Pinpoint's limits; Invalid says what is wrong."""
    if not isinstance(data, dict):
        raise Invalid("the event must be a JSON object", field="Events")
    event_type = data.get("EventType")
    if not isinstance(event_type, str) or not event_type.strip():
        raise Invalid("EventType is required", field="EventType")
    if len(event_type) > 256:
        raise Invalid("EventType is longer than 256 characters", field="EventType")
    if "Timestamp" not in data:
        raise Invalid("Timestamp is required (ISO 8601)", field="Timestamp")
    timestamp = parse_datetime_value(data["Timestamp"], "Timestamp")
    attributes = data.get("Attributes") or {}
    metrics = data.get("Metrics") or {}
    if not isinstance(attributes, dict) or not isinstance(metrics, dict):
        raise Invalid("Attributes and Metrics must be JSON objects", field="Attributes")
    if len(attributes) + len(metrics) > MAX_EVENT_KEYS:
        raise Invalid(f"an event carries at most {MAX_EVENT_KEYS} attribute and metric keys", field="Attributes")
    clean_attributes: dict[str, str] = {}
    for name, value in attributes.items():
        if len(name) > MAX_KEY:
            raise Invalid(
                f"attribute key {name[:20]!r}… is longer than {MAX_KEY} characters", field=f"Attributes.{name}"
            )
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise Invalid(f"Attributes.{name} must be a string", field=f"Attributes.{name}")
        if len(str(value)) > MAX_ATTRIBUTE_VALUE:
            raise Invalid(
                f"Attributes.{name} is longer than {MAX_ATTRIBUTE_VALUE} characters", field=f"Attributes.{name}"
            )
        clean_attributes[name] = str(value)
    clean_metrics: dict[str, float] = {}
    for name, value in metrics.items():
        if len(name) > MAX_KEY:
            raise Invalid(f"metric key {name[:20]!r}… is longer than {MAX_KEY} characters", field=f"Metrics.{name}")
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise Invalid(f"Metrics.{name} must be a number", field=f"Metrics.{name}")
        clean_metrics[name] = value
    session = data.get("Session")
    if session is not None and (not isinstance(session, dict) or not session.get("Id")):
        raise Invalid("Session needs an Id (and a StartTimestamp)", field="Session")
    return Event(
        event_type=event_type.strip(),
        endpoint_id=endpoint_id,
        client_event_id=str(key)[:256],
        timestamp=timestamp,
        arrival=arrival,
        attributes=clean_attributes,
        metrics=clean_metrics,
        session=session,
        client={k: data[k] for k in CLIENT_FIELDS if data.get(k) is not None},
    )


def events_ingest(*, tenant: Tenant, batch: Any, request_id: str | None = None) -> IngestResult:
    """Handle an EventsRequest ({"BatchItem": {endpointId: {"Endpoint": {...}, "Events": {key: Event}}}})."""
    items = batch.get("BatchItem") if isinstance(batch, dict) else None
    if not isinstance(items, dict) or not items:
        raise Invalid("BatchItem is required: an object of endpoint id → {Endpoint, Events}", field="BatchItem")
    total = sum(len(item.get("Events") or {}) for item in items.values() if isinstance(item, dict))
    if total > MAX_EVENTS_PER_REQUEST:
        raise Invalid(
            f"the request carries {total} events; at most {MAX_EVENTS_PER_REQUEST} are allowed", field="BatchItem"
        )
    arrival = clock.now()
    request_id = request_id or uuid.uuid4().hex
    out = IngestResult()
    events: list[Event] = []
    updates: list[tuple[str, Any]] = []
    for endpoint_id, item in items.items():
        if not isinstance(item, dict):
            out.results[endpoint_id] = {
                "EndpointItemResponse": _refused("the item must be an object with Endpoint and Events")
            }
            continue
        responses: dict[str, Any] = {}
        for key, data in (item.get("Events") or {}).items():
            try:
                events.append(parse_event(data, endpoint_id=endpoint_id, key=key, arrival=arrival))
                responses[key] = dict(ACCEPTED)
            except Invalid as exc:
                responses[key] = _refused(exc.message)
        out.results[endpoint_id] = {"EndpointItemResponse": dict(ACCEPTED), "EventsItemResponse": responses}
        if isinstance(item.get("Endpoint"), dict) and item["Endpoint"]:
            updates.append((endpoint_id, item["Endpoint"]))
    with transaction.atomic():
        users: dict[str, str] = {}
        for result in endpoints_upsert(tenant=tenant, items=updates, request_id=request_id, now=arrival):
            if not result.ok:
                out.results[result.endpoint_id]["EndpointItemResponse"] = _refused(result.message)
            elif result.endpoint is not None:
                users[result.endpoint_id] = result.endpoint.user_id
        missing = {e.endpoint_id for e in events} - set(users)
        if missing:
            users.update(
                Endpoint.objects.for_tenant(tenant)
                .filter(endpoint_id__in=missing)
                .values_list("endpoint_id", "user_id")
            )
        for event in events:
            event.user_id = users.get(event.endpoint_id, "")
        active = {e.endpoint_id for e in events if not is_system_event(e.event_type)}
        if active:
            Endpoint.objects.for_tenant(tenant).filter(endpoint_id__in=active).update(last_active_at=arrival)
        out.events = events_record(tenant=tenant, events=events)
    return out
