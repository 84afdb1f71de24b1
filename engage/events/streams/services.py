"""Creating, changing, testing and deleting a tenant's event-stream destinations."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from engage import clock
from engage.errors import Invalid
from engage.events.models import Event
from engage.events.streams.config import (
    CONFIG_FIELDS,
    stream_config_clean,
    stream_config_current,
    stream_name_clean,
)
from engage.events.streams.destinations import DeliveryError, destination_send
from engage.events.streams.models import EventStream
from engage.events.streams.records import synthetic_record
from engage.tenancy.audit import Actor, audit
from engage.tenancy.models import Tenant

log = logging.getLogger(__name__)

# Model fields under the names callers use (for the audit trail's list of what changed).
_PUBLIC_NAMES = {"bucket": "s3_url", "prefix": "s3_url"}


def _name_taken(tenant: Tenant, name: str, exclude: int | None = None) -> bool:
    streams = EventStream.objects.for_tenant(tenant).filter(name=name)
    return (streams.exclude(pk=exclude) if exclude is not None else streams).exists()


def _audit_data(stream: EventStream, **extra: Any) -> dict[str, Any]:
    # The target is not secret (bucket, stream, URL); keys and signing secrets never reach the audit log.
    return {"kind": stream.kind, "target": stream.target, **extra}


@transaction.atomic
def stream_create(
    *,
    tenant: Tenant,
    by: Actor,
    name: str,
    kind: str,
    from_beginning: bool = False,
    enabled: bool = True,
    ip: str | None = None,
    **config: Any,
) -> EventStream:
    """Add a destination; it starts after the newest event (or at the first one, `from_beginning`)."""
    unknown = set(config) - set(CONFIG_FIELDS)
    if unknown:
        raise Invalid(f"unknown field {sorted(unknown)[0]}", field=sorted(unknown)[0])
    name = stream_name_clean(name)
    fields = stream_config_clean(kind=kind, data=config)
    if _name_taken(tenant, name):
        raise Invalid(f"a destination named {name!r} already exists", field="name")
    cursor = 0 if from_beginning else Event.objects.for_tenant(tenant).aggregate(last=Max("id"))["last"] or 0
    now = clock.now()
    try:
        with transaction.atomic():
            stream = EventStream.objects.create(
                tenant=tenant,
                name=name,
                kind=kind,
                enabled=enabled,
                cursor=cursor,
                created_at=now,
                updated_at=now,
                **fields,
            )
    except IntegrityError:
        raise Invalid(f"a destination named {name!r} already exists", field="name") from None
    audit(
        tenant=tenant,
        actor=by,
        action="event_stream.create",
        target=stream,
        ip=ip,
        data=_audit_data(stream, from_beginning=from_beginning, start_after=cursor),
    )
    return stream


@transaction.atomic
def stream_update(*, stream: EventStream, by: Actor, ip: str | None = None, **changes: Any) -> EventStream:
    """Change a destination's name, state or configuration (secrets left out stay as they are)."""
    stream = EventStream.objects.select_for_update().get(pk=stream.pk)
    unknown = set(changes) - {*CONFIG_FIELDS, "name", "enabled", "kind"}
    if unknown:
        raise Invalid(f"unknown field {sorted(unknown)[0]}", field=sorted(unknown)[0])
    if "kind" in changes and changes["kind"] != stream.kind:
        raise Invalid("the kind of a destination cannot change; create another destination", field="kind")
    changed: list[str] = []
    if "name" in changes:
        name = stream_name_clean(changes["name"])
        if name != stream.name and _name_taken(stream.tenant, name, exclude=stream.pk):
            raise Invalid(f"a destination named {name!r} already exists", field="name")
        changed += ["name"] if name != stream.name else []
        stream.name = name
    config = {k: v for k, v in changes.items() if k in CONFIG_FIELDS}
    if config:
        fields = stream_config_clean(kind=stream.kind, data={**stream_config_current(stream), **config})
        changed += sorted({_PUBLIC_NAMES.get(f, f) for f, v in fields.items() if getattr(stream, f) != v})
        for field, value in fields.items():
            setattr(stream, field, value)
        # A new configuration deserves an attempt at the next tick, not after the old one's backoff.
        stream.next_attempt_at = None
    if "enabled" in changes and bool(changes["enabled"]) != stream.enabled:
        stream.enabled = bool(changes["enabled"])
        stream.next_attempt_at = None
        changed.append("enabled")
    stream.updated_at = clock.now()
    stream.save()
    if changed:
        _audit_update(stream, sorted(changed), by=by, ip=ip)
    return stream


def _audit_update(stream: EventStream, changed: list[str], *, by: Actor, ip: str | None) -> None:
    action = "event_stream.update"
    if changed == ["enabled"]:
        action = "event_stream.enable" if stream.enabled else "event_stream.disable"
    # Secrets are named when they change, never shown.
    audit(
        tenant=stream.tenant, actor=by, action=action, target=stream, ip=ip, data=_audit_data(stream, changed=changed)
    )


@transaction.atomic
def stream_delete(*, stream: EventStream, by: Actor, ip: str | None = None) -> None:
    """Remove a destination; events already sent stay where they are."""
    audit(
        tenant=stream.tenant,
        actor=by,
        action="event_stream.delete",
        target=stream,
        ip=ip,
        data=_audit_data(stream, cursor=stream.cursor),
    )
    stream.delete()


@dataclass(frozen=True)
class TestResult:
    ok: bool
    message: str
    record: dict[str, Any]


def stream_test(*, stream: EventStream) -> TestResult:
    """Send one synthetic `_engage.test` record and report the destination's answer (the cursor stays)."""
    now = clock.now()
    record = synthetic_record(tenant=stream.tenant, now=now)
    try:
        answer = destination_send(stream=stream, records=[record], now=now, test=True)
    except DeliveryError as exc:
        return TestResult(ok=False, message=exc.message, record=record.body)
    except Exception as exc:
        log.exception("event stream %s: the test record failed unexpectedly", stream.pk)
        return TestResult(ok=False, message=f"unexpected error: {exc}", record=record.body)
    return TestResult(ok=True, message=answer, record=record.body)
