"""The suppression list: manual add/remove (audited), and the one entry point for bounces, complaints and
opt-outs that provider feedback (SES/SNS, SMS STOP, one-click unsubscribe) calls."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from engage import clock
from engage.errors import Invalid
from engage.tenancy.audit import Actor, actor_label, audit
from engage.tenancy.models import Tenant
from segments.addresses import address_key, address_normalize, address_spellings
from segments.models import BounceRecord, Endpoint, SuppressedAddress, SuppressionChannel
from segments.selectors import ENDPOINT_TYPES, deliverability_policy_get
from segments.services.endpoints import endpoints_upsert

Reason = SuppressedAddress.Reason
BOUNCE_KINDS = ("hard", "soft", "complaint")
REASON_ALIASES = {"BOUNCE": Reason.HARD_BOUNCE, "STOP": Reason.SMS_STOP, "UNSUBSCRIBED": Reason.UNSUBSCRIBE}
ANY_CHANNEL = ("", "ANY", "ALL")
MAX_NOTE = 1000
MAX_SOURCE = 255
MAX_OPT_OUT_ENDPOINTS = 1000


def suppression_channel_check(value: Any, *, field: str = "channel") -> str:
    """A channel name (any case) or ""/ANY/ALL for every channel; Invalid lists the choices."""
    text = str(value or "").strip().upper()
    if text in ANY_CHANNEL:
        return ""
    if text not in SuppressionChannel.values:
        choices = ", ".join(SuppressionChannel.values)
        raise Invalid(f"{value!r} is not a channel: use {choices}, or leave it empty for every channel", field=field)
    return text


def suppression_reason_check(value: Any, *, default: str = Reason.MANUAL, field: str = "reason") -> str:
    """A reason name (any case; BOUNCE means HARD_BOUNCE); empty gives `default`."""
    text = str(value or "").strip().upper().replace(" ", "_").replace("-", "_")
    if not text:
        return default
    text = REASON_ALIASES.get(text, text)
    if text not in Reason.values:
        raise Invalid(f"{value!r} is not a reason: use {', '.join(Reason.values)}", field=field)
    return text


def _text(value: Any, limit: int, field: str) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise Invalid(f"{field} is longer than {limit} characters", field=field)
    return text


@transaction.atomic
def suppression_add(
    *,
    tenant: Tenant,
    address: str,
    reason: str = Reason.MANUAL,
    channel: str = "",
    source: str = "manual",
    note: str = "",
    by: Actor = None,
    ip: str | None = None,
    audited: bool = True,
    now: datetime | None = None,
) -> tuple[SuppressedAddress, bool]:
    """Put an address on the list for a channel ("" = all); an address already listed stays as it was.

    Returns the row and whether it is new. Only new rows are audited (and only when `audited`).
    """
    channel = suppression_channel_check(channel)
    reason = suppression_reason_check(reason)
    normal = address_normalize(address, channel=channel)
    row, created = SuppressedAddress.objects.get_or_create(
        tenant=tenant,
        address=normal,
        channel=channel,
        defaults={
            "reason": reason,
            "source": _text(source, MAX_SOURCE, "source"),
            "note": _text(note, MAX_NOTE, "note"),
            "created_by": actor_label(by)[:255],
            "created_at": now or clock.now(),
        },
    )
    if created and audited:
        data = {"address": normal, "reason": reason, "channel": channel, "source": row.source}
        audit(tenant=tenant, actor=by, action="suppression.add", target=row, data=data, ip=ip)
    return row, created


@transaction.atomic
def suppression_remove(
    *,
    tenant: Tenant,
    suppression: SuppressedAddress | None = None,
    address: str | None = None,
    channel: str | None = None,
    by: Actor = None,
    ip: str | None = None,
) -> int:
    """Take one row, or an address (for one channel, or all its rows), off the list; returns how many rows went.

    The address's soft bounces go too, so one more bounce does not put it straight back.
    """
    rows = SuppressedAddress.objects.for_tenant(tenant)
    if suppression is not None:
        rows = rows.filter(pk=suppression.pk)
    elif address is not None and address.strip():
        rows = rows.filter(address=address_key(address))
        if channel is not None:
            rows = rows.filter(channel=suppression_channel_check(channel))
    else:
        raise Invalid("say which address to remove", field="address")
    removed = list(rows.select_for_update())
    for row in removed:
        data = {"address": row.address, "reason": row.reason, "channel": row.channel}
        audit(tenant=tenant, actor=by, action="suppression.remove", target=row, data=data, ip=ip)
    if removed:
        addresses = {row.address for row in removed}
        BounceRecord.objects.for_tenant(tenant).filter(address__in=addresses).delete()
        SuppressedAddress.objects.filter(pk__in=[row.pk for row in removed]).delete()
    return len(removed)


def bounce_record(
    *,
    tenant: Tenant,
    address: str,
    kind: str,
    source: str,
    channel: str = "",
    now: datetime | None = None,
) -> SuppressedAddress | None:
    """Record a bounce or complaint: hard bounces and complaints suppress at once, soft bounces once the tenant's
    threshold is reached within its window. Returns the suppression when the address is (now) suppressed."""
    if kind not in BOUNCE_KINDS:
        raise Invalid(f"kind must be one of {', '.join(BOUNCE_KINDS)}", field="kind")
    now = now or clock.now()
    normal = address_normalize(address, channel=suppression_channel_check(channel))
    if kind != "soft":
        reason = Reason.HARD_BOUNCE if kind == "hard" else Reason.COMPLAINT
        return suppression_add(
            tenant=tenant, address=normal, reason=reason, channel=channel, source=source, audited=False, now=now
        )[0]
    policy = deliverability_policy_get(tenant=tenant)
    since = now - timedelta(days=policy.soft_bounce_window_days)
    with transaction.atomic():
        records = BounceRecord.objects.for_tenant(tenant).filter(address=normal)
        records.filter(at__lt=since).delete()
        BounceRecord.objects.create(tenant=tenant, address=normal, source=source[:MAX_SOURCE], at=now)
        count = records.filter(at__gte=since).count()
    if count < policy.soft_bounce_threshold:
        return None
    note = f"{count} soft bounces within {policy.soft_bounce_window_days} days"
    return suppression_add(
        tenant=tenant,
        address=normal,
        reason=Reason.SOFT_BOUNCE,
        channel=channel,
        source=source,
        note=note,
        audited=False,
        now=now,
    )[0]


def opt_out_record(
    *, tenant: Tenant, address: str, channel: str, source: str, now: datetime | None = None
) -> tuple[SuppressedAddress, int]:
    """A recipient's STOP or unsubscribe: OptOut ALL on the endpoints with that address (of that channel) and a
    suppression for the channel. Returns the suppression and how many endpoints were opted out."""
    channel = suppression_channel_check(channel)
    normal = address_normalize(address, channel=channel)
    endpoints = Endpoint.objects.for_tenant(tenant).filter(address__in={*address_spellings(address), normal})
    if channel in ENDPOINT_TYPES:
        endpoints = endpoints.filter(channel_type__in=ENDPOINT_TYPES[channel])
    ids = list(
        endpoints.exclude(opt_out=Endpoint.OptOut.ALL)
        .order_by("endpoint_id")
        .values_list("endpoint_id", flat=True)[:MAX_OPT_OUT_ENDPOINTS]
    )
    for start in range(0, len(ids), 100):
        endpoints_upsert(tenant=tenant, items=[(i, {"OptOut": "ALL"}) for i in ids[start : start + 100]], now=now)
    reason = Reason.SMS_STOP if channel == SuppressionChannel.SMS else Reason.UNSUBSCRIBE
    row, _ = suppression_add(
        tenant=tenant, address=normal, reason=reason, channel=channel, source=source, audited=False, now=now
    )
    return row, len(ids)
