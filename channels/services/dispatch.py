"""Creating a dispatch (what to send) and planning its Delivery rows into chunks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.db.models import F

from channels.models import ChannelConfig, Delivery, Dispatch, Provider, Status
from channels.selectors import config_for_channel
from engage import clock
from engage.errors import Invalid
from engage.tenancy.models import Tenant
from templates.models import Channel

CHUNK_SIZE = 1000


@dataclass(frozen=True)
class Recipient:
    """One planned message. `key` makes it unique within the tenant (a re-plan inserts nothing new).
    A recipient planned as skipped (cap, quiet time...) gets a ledger row all the same, with its reason."""

    key: str
    endpoint_id: str = ""
    user_id: str = ""
    address: str = ""
    context: dict[str, Any] | None = None
    status: str = Status.QUEUED
    reason: str = ""


def dispatch_create(
    *,
    tenant: Tenant,
    channel: str,
    source: str,
    message: dict[str, Any],
    config: ChannelConfig | None = None,
    use_default_config: bool = True,
    expires_at: datetime | None = None,
    request_key: str = "",
    created_by: str = "",
    **source_ids: str,
) -> Dispatch:
    """One message for many recipients. Without `config`, the channel's enabled default config (or the
    sandbox when there is none). `source_ids`: campaign_id, run_id, treatment_id, journey_id, activity_id."""
    if config is None and use_default_config:
        config = config_for_channel(tenant=tenant, channel=channel)
    if config is not None and (config.tenant_id != tenant.pk or config.channel != channel):
        raise Invalid(f"channel config {config.pk} does not send {channel} for this project", field="config")
    allowed = {"campaign_id", "run_id", "treatment_id", "journey_id", "activity_id"}
    unknown = set(source_ids) - allowed
    if unknown:
        raise TypeError(f"unknown source ids: {', '.join(sorted(unknown))}")
    return Dispatch.objects.create(
        tenant=tenant,
        config=config,
        channel=channel,
        provider=config.provider if config is not None else _default_provider(channel),
        source=source,
        message=message,
        expires_at=expires_at,
        request_key=request_key,
        created_by=created_by,
        created_at=clock.now(),
        **{k: str(v) for k, v in source_ids.items()},
    )


def _default_provider(channel: str) -> str:
    """Without a config: the Outbox — except in-app messages, which only mean something stored for the app."""
    return Provider.IN_APP if channel == Channel.INAPP else Provider.SANDBOX


def _batches(items: Iterable[Recipient], size: int) -> Iterator[list[Recipient]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def deliveries_enqueue(
    *, dispatch: Dispatch, recipients: Iterable[Recipient], chunk_size: int = CHUNK_SIZE, send: bool = True
) -> list[int]:
    """Insert the recipients' Delivery rows in chunks and (after commit) enqueue one send task per chunk
    that has queued rows. Keys already in the ledger are left alone. Returns the new chunk numbers."""
    from channels.tasks import chunk_enqueue

    chunks: list[int] = []
    now = clock.now()
    with transaction.atomic():
        locked = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
        next_chunk = locked.chunks
        for batch in _batches(recipients, chunk_size):
            if connection.vendor == "postgresql":
                _insert(dispatch, next_chunk, batch, now)
            else:
                _insert_orm(dispatch, next_chunk, batch, now)
            if any(r.status == Status.QUEUED for r in batch):
                chunks.append(next_chunk)
            next_chunk += 1
        Dispatch.objects.filter(pk=dispatch.pk).update(chunks=next_chunk)
        dispatch.chunks = next_chunk
        if send:
            for chunk in chunks:
                transaction.on_commit(lambda c=chunk: chunk_enqueue(dispatch.tenant_id, dispatch.pk, c))  # type: ignore[misc]
    return chunks


def deliveries_enqueue_bulk(*, dispatch: Dispatch, recipients: Sequence[Recipient], send: bool = True) -> set[str]:
    """Insert the recipients' Delivery rows as one new chunk and (after commit) enqueue its send task when a new
    row is queued. Keys already in the ledger are left alone. Returns the keys inserted (a replay: none)."""
    from channels.tasks import chunk_enqueue

    if not recipients:
        return set()
    now = clock.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            chunk = chunk_number_take(dispatch)
            inserted = _insert(dispatch, chunk, list(recipients), now, returning=True)
        else:
            chunk = Dispatch.objects.select_for_update().values_list("chunks", flat=True).get(pk=dispatch.pk)
            known = set(
                Delivery.objects.filter(tenant_id=dispatch.tenant_id, key__in=[r.key for r in recipients]).values_list(
                    "key", flat=True
                )
            )
            fresh = [r for r in recipients if r.key not in known]
            _insert_orm(dispatch, chunk, fresh, now)
            inserted = {r.key for r in fresh}
            Dispatch.objects.filter(pk=dispatch.pk).update(chunks=chunk + 1)
        if send and any(r.status == Status.QUEUED and r.key in inserted for r in recipients):
            transaction.on_commit(lambda: chunk_enqueue(dispatch.tenant_id, dispatch.pk, chunk))
    return inserted


def chunk_number_take(dispatch: Dispatch) -> int:
    """PostgreSQL: a new chunk number for rows the caller inserts in its transaction; Dispatch.chunks counts it once
    that commits. A sequence, not the Dispatch row: the caller's transaction (a journey advancer's claim) would hold
    that row's lock until it commits, and concurrent advancers sending the same activity would queue."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('channels_delivery_chunk_seq')")
        chunk = int(cursor.fetchone()[0])
    transaction.on_commit(lambda: _count_chunk(dispatch.pk))
    return chunk


def _count_chunk(dispatch_id: int) -> None:
    """Dispatch.chunks counts a sequence-numbered chunk once it committed (its own short transaction)."""
    Dispatch.objects.filter(pk=dispatch_id).update(chunks=F("chunks") + 1)


# One statement per chunk with the rows as one JSON document: no model instances, no per-field preparation
# (the ORM's bulk_create spent ~3 s per 10,000 rows there). ON CONFLICT keeps a re-planned key as it is.
_INSERT = """INSERT INTO channels_delivery (tenant_id, dispatch_id, chunk, key, channel, endpoint_id, user_id, address,
    context, status, reason, status_message, provider_message_id, attempts, queued_at, updated_at, parts,
    price_millicents)
SELECT %s, %s, %s, r.key, %s, r.endpoint_id, r.user_id, r.address, r.context, r.status, r.reason, '', '', 0, %s, %s,
    0, 0
FROM jsonb_to_recordset(%s::jsonb) AS r(key text, endpoint_id text, user_id text, address text, context jsonb,
    status text, reason text)
ON CONFLICT (tenant_id, key) DO NOTHING"""


def _insert(dispatch: Dispatch, chunk: int, batch: list[Recipient], now: datetime, returning: bool = False) -> set[str]:
    """PostgreSQL: the chunk's rows in one INSERT ... SELECT; with `returning`, the keys it inserted."""
    rows = [
        {
            "key": r.key,
            "endpoint_id": r.endpoint_id,
            "user_id": r.user_id,
            "address": r.address,
            "context": r.context,
            "status": r.status,
            "reason": r.reason,
        }
        for r in batch
    ]
    params: list[Any] = [dispatch.tenant_id, dispatch.pk, chunk, dispatch.channel, now, now, json.dumps(rows)]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT + (" RETURNING key" if returning else ""), params)
        return {row[0] for row in cursor.fetchall()} if returning else set()


def _insert_orm(dispatch: Dispatch, chunk: int, batch: list[Recipient], now: datetime) -> None:
    """Other databases (the embedded SQLite default): the ORM's bulk insert."""
    rows = [_row(dispatch, chunk, r, now) for r in batch]
    if rows:
        Delivery.objects.bulk_create(rows, batch_size=len(rows), ignore_conflicts=True)


def _row(dispatch: Dispatch, chunk: int, r: Recipient, now: datetime) -> Delivery:
    return Delivery(
        tenant_id=dispatch.tenant_id,
        dispatch_id=dispatch.pk,
        chunk=chunk,
        key=r.key,
        channel=dispatch.channel,
        endpoint_id=r.endpoint_id,
        user_id=r.user_id,
        address=r.address,
        context=r.context,
        status=r.status,
        reason=r.reason,
        queued_at=now,
        updated_at=now,
    )
