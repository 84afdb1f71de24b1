"""Writing events in bulk and telling registered trigger handlers about them.

engage.events never imports campaigns or journeys: they register handlers here when their apps load,
and ingestion calls whatever is registered once the events are committed.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from django.db import transaction

from engage.events.models import Event
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


def events_record(*, tenant: Tenant, events: Sequence[Event], batch_size: int = 1000) -> list[Event]:
    """Insert events in bulk (ids filled in on PostgreSQL and SQLite) and dispatch triggers after commit."""
    for event in events:
        event.tenant = tenant
    created = Event.objects.bulk_create(list(events), batch_size=batch_size)
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
