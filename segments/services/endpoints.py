"""Writes to endpoints: upsert (one or a batch, UpdateEndpoint semantics), delete, erase a user."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count

from engage import clock
from engage.errors import Invalid, NotFound
from engage.events.models import Event
from engage.tenancy.audit import Actor, audit
from engage.tenancy.models import Tenant
from segments.codec import MAX_ENDPOINT_BYTES, EndpointWrite, apply_write, endpoint_json_size, parse_endpoint
from segments.models import Endpoint
from segments.models.endpoint import PUSH_CHANNELS
from segments.services.attributes import attribute_names_admit

MAX_ENDPOINTS_PER_USER = 15
WRITE_FIELDS = [
    f.name for f in Endpoint._meta.concrete_fields if f.name not in ("id", "tenant", "endpoint_id", "last_active_at")
]


@dataclass
class ItemResult:
    endpoint_id: str
    status_code: int
    message: str
    endpoint: Endpoint | None = None
    field: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code < 300


def endpoints_upsert(
    *,
    tenant: Tenant,
    items: list[tuple[str, Any]],
    trusted: bool = False,
    require_address: bool = False,
    request_id: str | None = None,
    now: datetime | None = None,
) -> list[ItemResult]:
    """Create or merge-update endpoints given as (endpoint id, EndpointRequest JSON); one result per item.

    A bad item never stops the others. Rows are locked in id order so concurrent writers merge, not clobber.
    """
    now = now or clock.now()
    request_id = request_id or uuid.uuid4().hex
    results: list[ItemResult | None] = [None] * len(items)
    writes: dict[int, EndpointWrite] = {}
    for index, (endpoint_id, data) in enumerate(items):
        try:
            writes[index] = parse_endpoint(data, endpoint_id=endpoint_id, trusted=trusted)
        except Invalid as exc:
            results[index] = ItemResult(str(endpoint_id), 400, exc.message, field=exc.field)
    with transaction.atomic(savepoint=False):
        admitted = attribute_names_admit(tenant=tenant, names=set().union(*(w.names() for w in writes.values())))
        # Most updates (SDKs resend the same profile with every event batch) change nothing: read without
        # locks first, then lock and re-merge only the endpoints whose content actually changes.
        existing = _load(tenant, {w.endpoint_id for w in writes.values()}, lock=False)
        for index, write in writes.items():
            current = existing.get(write.endpoint_id)
            if current is not None and not write.names() - admitted and not _changes(current, write):
                results[index] = ItemResult(write.endpoint_id, 202, "Accepted", endpoint=current)
        pending = {i: w for i, w in writes.items() if results[i] is None}
        rows = _merge_all(tenant, pending, existing, results, admitted, request_id, now, require_address)
        changed = {eid for eid, row in rows.items() if _content(row) != _content(existing.get(eid))}
        if not changed:
            return [r for r in results if r is not None]
        existing = _load(tenant, changed, lock=True)
        rows = _merge_all(
            tenant,
            {i: w for i, w in writes.items() if w.endpoint_id in changed},
            existing,
            results,
            admitted,
            request_id,
            now,
            require_address,
        )
        _enforce_user_cap(tenant, rows, existing, results, now)
        to_save = list(rows.values())
        if to_save:
            Endpoint.objects.bulk_create(
                to_save, update_conflicts=True, unique_fields=["tenant", "endpoint_id"], update_fields=WRITE_FIELDS
            )
    return [r for r in results if r is not None]


_VOLATILE = ("effective_date", "request_id")


def _content(endpoint: Endpoint | None) -> tuple[Any, ...] | None:
    if endpoint is None:
        return None
    return tuple(getattr(endpoint, f) for f in WRITE_FIELDS if f not in _VOLATILE)


def _changes(endpoint: Endpoint, write: EndpointWrite) -> bool:
    """Whether applying the write would change anything but the volatile fields (cheap: no merge, no copy)."""
    if any(getattr(endpoint, k) != v for k, v in write.scalars.items() if k not in _VOLATILE):
        return True
    if write.opt_in_now and endpoint.opt_in_at is None:
        return True
    for current, update in ((endpoint.attributes, write.attributes), (endpoint.user_attributes, write.user_attributes)):
        if update and any(current.get(n) != v if v else n in current for n, v in update.items()):
            return True
    return bool(write.metrics) and any(endpoint.metrics.get(n) != v for n, v in (write.metrics or {}).items())


def _load(tenant: Tenant, endpoint_ids: set[str], *, lock: bool) -> dict[str, Endpoint]:
    queryset = Endpoint.objects.for_tenant(tenant).filter(endpoint_id__in=sorted(endpoint_ids)).order_by("endpoint_id")
    if lock:
        queryset = queryset.select_for_update()
    return {e.endpoint_id: e for e in queryset}


def _merge_all(
    tenant: Tenant,
    writes: dict[int, EndpointWrite],
    existing: dict[str, Endpoint],
    results: list[Any],
    admitted: set[tuple[str, str]],
    request_id: str,
    now: datetime,
    require_address: bool,
) -> dict[str, Endpoint]:
    rows: dict[str, Endpoint] = {}
    for index, write in writes.items():
        results[index] = _merge_one(tenant, write, existing, rows, admitted, request_id, now, require_address)
    return rows


def _merge_one(
    tenant: Tenant,
    write: EndpointWrite,
    existing: dict[str, Endpoint],
    rows: dict[str, Endpoint],
    admitted: set[tuple[str, str]],
    request_id: str,
    now: datetime,
    require_address: bool,
) -> ItemResult:
    refused = write.names() - admitted
    if refused:
        _kind, name = sorted(refused)[0]
        return ItemResult(
            write.endpoint_id,
            400,
            f"too many custom attributes: {name!r} would pass the tenant's limit of 250 attribute and metric names",
            field="Attributes",
        )
    base = rows.get(write.endpoint_id) or existing.get(write.endpoint_id)
    endpoint = _copy(base) if base is not None else Endpoint(tenant=tenant, endpoint_id=write.endpoint_id)
    try:
        if "request_id" not in write.scalars:
            write.scalars["request_id"] = request_id
        apply_write(endpoint, write, now=now)
        if require_address and base is None and not (endpoint.channel_type and endpoint.address):
            raise Invalid("a new endpoint needs ChannelType and Address", field="Address")
        if endpoint_json_size(endpoint) > MAX_ENDPOINT_BYTES:
            raise Invalid("the endpoint is larger than 15 KB", field="Endpoint")
    except Invalid as exc:
        return ItemResult(write.endpoint_id, 400, exc.message, field=exc.field)
    rows[write.endpoint_id] = endpoint
    return ItemResult(write.endpoint_id, 202, "Accepted", endpoint=endpoint)


def _copy(endpoint: Endpoint) -> Endpoint:
    clone = Endpoint(**{f.attname: getattr(endpoint, f.attname) for f in Endpoint._meta.concrete_fields})
    clone._state.adding = False
    return clone


def _enforce_user_cap(
    tenant: Tenant, rows: dict[str, Endpoint], existing: dict[str, Endpoint], results: list[Any], now: datetime
) -> None:
    """At most 15 endpoints per user; a new push endpoint past the cap retires the user's oldest push endpoint."""
    joining = [
        e for e in rows.values() if e.user_id and getattr(existing.get(e.endpoint_id), "user_id", None) != e.user_id
    ]
    if not joining:
        return
    user_ids = {e.user_id for e in joining}
    counts = dict(
        Endpoint.objects.for_tenant(tenant)
        .filter(user_id__in=user_ids)
        .exclude(endpoint_id__in=list(rows))
        .values_list("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    for e in rows.values():
        if e.user_id in user_ids:
            counts[e.user_id] = counts.get(e.user_id, 0) + 1
    for endpoint in joining:
        if counts[endpoint.user_id] <= MAX_ENDPOINTS_PER_USER:
            continue
        if endpoint.channel_type in PUSH_CHANNELS and _retire_oldest_push(tenant, endpoint, rows, now):
            continue
        counts[endpoint.user_id] -= 1
        del rows[endpoint.endpoint_id]
        for index, result in enumerate(results):
            if result is not None and result.endpoint_id == endpoint.endpoint_id:
                results[index] = ItemResult(
                    endpoint.endpoint_id,
                    400,
                    f"Exceeded maximum endpoint per user count {MAX_ENDPOINTS_PER_USER}",
                    field="User.UserId",
                )


def _retire_oldest_push(tenant: Tenant, endpoint: Endpoint, rows: dict[str, Endpoint], now: datetime) -> bool:
    oldest = (
        Endpoint.objects.for_tenant(tenant)
        .filter(user_id=endpoint.user_id, channel_type__in=PUSH_CHANNELS, endpoint_status=Endpoint.Status.ACTIVE)
        .exclude(endpoint_id__in=list(rows))
        .order_by("effective_date", "creation_date", "id")  # endpoints written in one batch share a time
        .first()
    )
    if oldest is None:
        return False
    Endpoint.objects.filter(pk=oldest.pk).update(endpoint_status=Endpoint.Status.INACTIVE, effective_date=now)
    return True


def endpoint_upsert(*, tenant: Tenant, endpoint_id: str, data: Any, request_id: str | None = None) -> Endpoint:
    """Create or merge-update one endpoint; Invalid (naming the field) when it is refused."""
    result = endpoints_upsert(tenant=tenant, items=[(endpoint_id, data)], request_id=request_id)[0]
    if not result.ok or result.endpoint is None:
        raise Invalid(result.message, field=result.field)
    return result.endpoint


@transaction.atomic
def endpoint_delete(*, tenant: Tenant, endpoint_id: str, by: Actor, ip: str | None = None) -> Endpoint:
    """Delete one endpoint (its events stay: they are the tenant's history); deletions are audited."""
    endpoint = Endpoint.objects.for_tenant(tenant).filter(endpoint_id=endpoint_id).first()
    if endpoint is None:
        raise NotFound(f"endpoint {endpoint_id} not found")
    audit(tenant=tenant, actor=by, action="endpoint.delete", target=endpoint, data={"endpoint_id": endpoint_id}, ip=ip)
    endpoint.delete()
    return endpoint


@transaction.atomic
def user_erase(*, tenant: Tenant, user_id: str, by: Actor, ip: str | None = None) -> list[Endpoint]:
    """GDPR erasure: delete all of a user's endpoints and every event recorded for them or their endpoints."""
    if not user_id:
        raise Invalid("a user id is required", field="user_id")
    endpoints = list(Endpoint.objects.for_tenant(tenant).filter(user_id=user_id))
    endpoint_ids = [e.endpoint_id for e in endpoints]
    events = Event.objects.for_tenant(tenant)
    deleted_events = events.filter(user_id=user_id).delete()[0]
    if endpoint_ids:
        deleted_events += events.filter(endpoint_id__in=endpoint_ids).delete()[0]
    Endpoint.objects.filter(pk__in=[e.pk for e in endpoints]).delete()
    audit(
        tenant=tenant,
        actor=by,
        action="user.erase",
        data={
            "user_id": user_id,
            "endpoints": len(endpoints),
            "events": deleted_events,
        },
        ip=ip,
    )
    return endpoints
