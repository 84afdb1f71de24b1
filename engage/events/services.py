"""Writing events in bulk and telling registered trigger handlers about them.

engage.events never imports campaigns or journeys: they register handlers here when their apps load,
and ingestion calls whatever is registered once the events are committed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection, transaction

from engage.events.models import Event
from engage.events.streams.watermark import transaction_id_assign
from engage.tenancy.models import Tenant

log = logging.getLogger(__name__)

TriggerHandler = Callable[[Tenant, Sequence[Event]], None]
_handlers: list[TriggerHandler] = []


def trigger_handler_register(handler: TriggerHandler) -> TriggerHandler:
    """Register a function called with (tenant, events) after ingested events commit."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def trigger_handlers() -> tuple[TriggerHandler, ...]:
    return tuple(_handlers)


_COPY_COLUMNS = (
    "tenant_id",
    "event_type",
    "endpoint_id",
    "user_id",
    "client_event_id",
    "timestamp",
    "arrival",
    "attributes",
    "metrics",
    "session",
    "client",
    "campaign_id",
    "journey_id",
    "delivery_id",
)


def _copy(events: Sequence[Event]) -> None:
    """PostgreSQL COPY: several times faster than INSERT for the hot ingestion path (ids are not read back)."""
    with (
        connection.cursor() as cursor,
        cursor.copy(  # type: ignore[attr-defined]
            f"COPY events_event ({', '.join(_COPY_COLUMNS)}) FROM STDIN"
        ) as copy,
    ):
        for e in events:
            copy.write_row(
                (
                    e.tenant_id,
                    e.event_type,
                    e.endpoint_id,
                    e.user_id,
                    e.client_event_id,
                    e.timestamp,
                    e.arrival,
                    json.dumps(e.attributes),
                    json.dumps(e.metrics),
                    None if e.session is None else json.dumps(e.session),
                    json.dumps(e.client),
                    e.campaign_id,
                    e.journey_id,
                    e.delivery_id,
                )
            )


def events_record(
    *, tenant: Tenant, events: Sequence[Event], batch_size: int = 1000, need_ids: bool = False
) -> list[Event]:
    """Insert events in bulk and dispatch triggers after commit.

    On PostgreSQL the rows go in with COPY and `id` stays unset unless `need_ids`; SQLite always fills ids.
    """
    for event in events:
        event.tenant = tenant
    created = list(events)
    with transaction.atomic(savepoint=False):
        # Before the rows take ids, so that the event-stream export never skips them (streams/watermark.py).
        transaction_id_assign()
        if connection.vendor == "postgresql" and not need_ids:
            if created:
                _copy(created)
        else:
            created = Event.objects.bulk_create(created, batch_size=batch_size)
    if _handlers and created:
        transaction.on_commit(lambda: triggers_dispatch(tenant=tenant, events=created))
    return created


def triggers_dispatch(*, tenant: Tenant, events: Sequence[Event]) -> None:
    """Call every registered trigger handler; one failing handler never stops the others."""
    for handler in _handlers:
        try:
            handler(tenant, events)
        except Exception:
            log.exception("trigger handler %s failed for tenant %s", getattr(handler, "__name__", handler), tenant.pk)


class SystemEvent(NamedTuple):
    """A system event (`_campaign.send`, `_email.send`...) as the send path derives it from ledger rows."""

    event_type: str
    endpoint_id: str
    user_id: str
    timestamp: datetime
    attributes: dict[str, Any]
    metrics: dict[str, Any]
    campaign_id: str
    journey_id: str
    delivery_id: int | None


SystemEventHandler = Callable[[Tenant, Sequence["SystemEvent"]], None]
_system_handlers: list[SystemEventHandler] = []


def system_event_handler_register(handler: SystemEventHandler) -> SystemEventHandler:
    """Register a function called with (tenant, journey events) after system events of journey messages commit
    (the journey engine moves participants waiting for an engagement event)."""
    if handler not in _system_handlers:
        _system_handlers.append(handler)
    return handler


def system_events_record(*, tenant: Tenant, events: Sequence[SystemEvent], arrival: datetime) -> int:
    """Write system events in bulk (COPY on PostgreSQL) without building model instances — the send path
    writes two per message. They are not dispatched to trigger handlers (Pinpoint never triggered campaigns
    on system events); those of journey messages go to the system event handlers after commit. Returns how
    many were written."""
    if not events:
        return 0
    with transaction.atomic(savepoint=False):
        transaction_id_assign()
        if connection.vendor == "postgresql":
            _copy_system(tenant.pk, events, arrival)
        else:
            Event.objects.bulk_create(
                [Event(tenant=tenant, arrival=arrival, **e._asdict()) for e in events], batch_size=1000
            )
        if _system_handlers:
            journey_events = [e for e in events if e.journey_id]
            if journey_events:
                transaction.on_commit(lambda: _system_dispatch(tenant, journey_events))
    return len(events)


def _system_dispatch(tenant: Tenant, events: Sequence[SystemEvent]) -> None:
    for handler in _system_handlers:
        try:
            handler(tenant, events)
        except Exception:
            log.exception(
                "system event handler %s failed for tenant %s", getattr(handler, "__name__", handler), tenant.pk
            )


def _copy_system(tenant_id: int, events: Sequence[SystemEvent], arrival: datetime) -> None:
    """One COPY of pre-formatted text lines: the send path writes two events per message, mostly with the same
    timestamps and often the same attributes dict, so each distinct value is formatted once."""
    columns = ", ".join(_COPY_COLUMNS)
    stamps: dict[datetime, str] = {}
    documents: dict[int, str] = {}

    def stamp(value: datetime) -> str:
        text = stamps.get(value)
        if text is None:
            text = stamps[value] = value.isoformat()
        return text

    def document(value: dict[str, Any]) -> str:
        # Keyed by identity: the dicts stay alive in `events` for the whole call.
        text = documents.get(id(value))
        if text is None:
            text = documents[id(value)] = _copy_text(json.dumps(value))
        return text

    head, tail = f"{tenant_id}\t", f"\t{stamp(arrival)}\t"
    lines = [
        f"{head}{_copy_text(e.event_type)}\t{_copy_text(e.endpoint_id)}\t{_copy_text(e.user_id)}\t\t"
        f"{stamp(e.timestamp)}{tail}{document(e.attributes)}\t{document(e.metrics)}\t\\N\t{{}}\t"
        f"{_copy_text(e.campaign_id)}\t{_copy_text(e.journey_id)}\t"
        f"{_NULL if e.delivery_id is None else e.delivery_id}\n"
        for e in events
    ]
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY events_event ({columns}) FROM STDIN") as copy,  # type: ignore[attr-defined]
    ):
        copy.write("".join(lines))


_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    """A value in COPY's text format (backslash, tab, newline and carriage return escaped)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def events_prune(*, tenant_id: int, before: datetime, batch_size: int = 5000) -> int:
    """Delete one batch of a tenant's events that arrived before `before`; returns how many (0 = done).
    Small batches keep each transaction short: no long locks on a table that ingestion writes to."""
    ids = list(
        Event.objects.filter(tenant_id=tenant_id, arrival__lt=before)
        .order_by()
        .values_list("id", flat=True)[:batch_size]
    )
    if not ids:
        return 0
    deleted, _ = Event.objects.filter(id__in=ids).delete()
    return deleted
