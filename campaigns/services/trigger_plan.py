"""Planning an event-triggered campaign's messages for the events that matched it: only endpoints of the campaign's
segment (one SQL query for the batch's endpoints), holdout and treatments by the same stable hash as scheduled runs,
quiet time and frequency caps, then one dispatch per treatment for the batch, expiring 5 minutes after the events
arrived (Pinpoint dropped messages it could not deliver within 5 minutes of the event). The runs of an event
campaign are its days (UTC); each message's key is derived from its event, so a replayed PutEvents sends nothing
twice. A campaign with a FILTER hook is planned by a worker task and its recipients go through the hook."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import F

from campaigns.models import Campaign, CampaignRun
from campaigns.schedule import campaign_zone, quiet_until, quiet_window, zone
from campaigns.services.hook import hook_filter, hook_url
from campaigns.services.plan import campaign_caps, campaign_members, campaign_treatments, treatment_for
from channels.models import Delivery, Reason, Status
from channels.services.caps import CapRequest, caps_reserve
from channels.services.dispatch import Recipient, deliveries_enqueue
from engage import clock
from engage.events.models import Event

FRESHNESS = timedelta(minutes=5)


@dataclass
class Wanted:
    treatment: str
    key: str
    endpoint_id: str
    user_id: str
    timezone: str
    status: str = Status.QUEUED
    reason: str = ""


def event_key(campaign_id: int, event: Event) -> str:
    """The ledger key of the message an event triggers: the same event (endpoint, event id, timestamp) gives the
    same key, so a replayed batch plans nothing new."""
    raw = f"{event.endpoint_id}\0{event.client_event_id}\0{event.timestamp.isoformat()}\0{event.event_type}"
    return f"c{campaign_id}:e:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


# What planning reads of an event (its ledger key, its arrival); ingestion's COPY leaves ids unset, so a worker gets
# these fields rather than ids.
EVENT_FIELDS = ("endpoint_id", "client_event_id", "timestamp", "arrival", "event_type")


def event_fields(event: Event) -> dict[str, str]:
    return {name: getattr(event, name).isoformat() if name in ("timestamp", "arrival") else getattr(event, name)
            for name in EVENT_FIELDS}  # fmt: skip


def event_from_fields(tenant_id: int, fields: dict[str, str]) -> Event:
    """An unsaved Event with what event_fields kept."""
    values: dict[str, object] = {name: fields[name] for name in EVENT_FIELDS}
    for name in ("timestamp", "arrival"):
        values[name] = datetime.fromisoformat(fields[name])
    return Event(tenant_id=tenant_id, **values)


def day_run(*, campaign: Campaign, at: datetime, now: datetime) -> CampaignRun:
    """The campaign's run for the UTC day of `at` (made on its first event)."""
    day = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    run, _ = CampaignRun.objects.get_or_create(
        campaign=campaign,
        scheduled_for=day,
        defaults={
            "tenant_id": campaign.tenant_id,
            "created_at": now,
            "planned_at": now,
            "status": CampaignRun.Status.SENDING,
            "triggered": True,
        },
    )
    return run


def _wanted(campaign: Campaign, events: Sequence[Event]) -> tuple[list[Wanted], int]:
    """The messages the events ask for (segment members only, not held out, not already in the ledger)."""
    ids = sorted({e.endpoint_id for e in events})
    rows = campaign_members(campaign).filter(endpoint_id__in=ids).values_list("endpoint_id", "user_id", "timezone")
    members = {endpoint_id: (user_id, tz) for endpoint_id, user_id, tz in rows}
    wanted: dict[str, Wanted] = {}
    held_out = 0
    for e in events:
        if e.endpoint_id not in members:
            continue
        treatment = treatment_for(campaign, e.endpoint_id)
        if treatment is None:
            held_out += 1
            continue
        key = event_key(campaign.pk, e)
        wanted[key] = Wanted(treatment, key, e.endpoint_id, *members[e.endpoint_id])
    if wanted:
        known = set(
            Delivery.objects.filter(tenant_id=campaign.tenant_id, key__in=list(wanted)).values_list("key", flat=True)
        )
        for key in known:
            del wanted[key]
    return list(wanted.values()), held_out


def _screen(campaign: Campaign, wanted: list[Wanted], now: datetime, expires_at: datetime) -> None:
    """Expired (the events are too old already), quiet time (dropped: it would outlast the 5 minutes), caps."""
    window = quiet_window(campaign)
    default_zone = campaign_zone(campaign)
    for w in wanted:
        if now >= expires_at:
            w.status, w.reason = Status.EXPIRED, Reason.EXPIRED
        elif window is not None and quiet_until(now, window, zone(w.timezone) or default_zone) is not None:
            w.status, w.reason = Status.SKIPPED, Reason.QUIET_TIME
    caps = campaign_caps(campaign)
    sendable = [w for w in wanted if w.status == Status.QUEUED]
    if caps and sendable:
        requests = [CapRequest(w.key, w.endpoint_id, campaign_id=str(campaign.pk)) for w in sendable]
        granted = caps_reserve(tenant=campaign.tenant, requests=requests, caps=caps, now=now)
        for w in sendable:
            if w.key not in granted:
                w.status, w.reason = Status.SKIPPED, Reason.CAP


def events_plan(*, campaign: Campaign, events: Sequence[Event]) -> int:
    """Plan (and enqueue after commit) the messages these matching events trigger; returns how many rows. With a
    FILTER hook (the campaign's or the tenant's default) the sendable recipients go through it first, as in
    scheduled runs: campaigns_trigger then runs this in a worker (campaigns.events_plan_hooked), never in the
    PutEvents request."""
    from campaigns.services.fallbacks import treatment_hops

    now = clock.now()
    hooked = bool(hook_url(campaign))
    wanted, held_out = _wanted(campaign, events)
    if not wanted and not held_out:
        return 0
    arrival = min(e.arrival for e in events)
    expires_at = arrival + FRESHNESS
    with transaction.atomic():
        _screen(campaign, wanted, now, expires_at)
        run = day_run(campaign=campaign, at=arrival, now=now)
        by_treatment: dict[str, list[Wanted]] = defaultdict(list)
        for w in wanted:
            by_treatment[w.treatment].append(w)
        for treatment_id, mc, tc in campaign_treatments(campaign):
            items = by_treatment.get(treatment_id)
            if not items:
                continue
            hops = treatment_hops(
                campaign=campaign, run=run, treatment_id=treatment_id, mc=mc, tc=tc, expires_at=expires_at
            )
            recipients = [
                Recipient(
                    key=w.key,
                    endpoint_id=w.endpoint_id,
                    user_id=w.user_id,
                    status=w.status,
                    reason=w.reason,
                )
                for w in items
            ]
            if hooked:
                recipients = hook_filter(campaign=campaign, run=run, treatment_id=treatment_id, recipients=recipients)
            deliveries_enqueue(dispatch=hops[0], recipients=recipients, chunk_size=len(recipients))
        CampaignRun.objects.filter(pk=run.pk).update(
            planned=F("planned") + len(wanted), held_out=F("held_out") + held_out
        )
    return len(wanted)
