"""The trigger index of event-triggered campaigns: each process keeps a tenant's active EVENT campaigns in memory
under a version token kept in Redis. Every launch, pause, resume, stop, edit or delete replaces the token after its
transaction commits, so the next event anywhere reloads the index from the database (one Redis GET per ingested
batch when nothing changed). Ingestion calls `campaigns_trigger` (registered in apps.py) after events commit."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from campaigns.eventfilter import EventFilter
from campaigns.models import Campaign
from engage.errors import Invalid
from engage.events.models import Event
from engage.redis import VersionedCache
from engage.tenancy.models import Tenant

log = logging.getLogger(__name__)

VERSION_KEY = "engage:campaigns:triggers:{tenant_id}"


@dataclass(frozen=True)
class Trigger:
    campaign: Campaign
    filter: EventFilter
    start: datetime | None
    end: datetime | None

    def accepts(self, event: Event) -> bool:
        """Arrival time counts (not the client's timestamp), between the campaign's start and end."""
        return self.filter.accepts(event, self.start, self.end)


_index: VersionedCache[list[Trigger]] = VersionedCache(VERSION_KEY, "trigger index")


def triggers_bump(*, tenant_id: int) -> None:
    """Once the transaction commits, make every process reload the tenant's trigger index on its next event."""
    _index.bump(tenant_id=tenant_id)


def _load(tenant: Tenant) -> list[Trigger]:
    campaigns = Campaign.objects.filter(
        tenant_id=tenant.pk, frequency=Campaign.Frequency.EVENT, status__in=Campaign.ACTIVE, is_paused=False
    ).select_related("tenant", "segment")
    triggers = []
    for c in campaigns.exclude(event_filter=None):
        start = c.launched_at if c.start_immediate else c.start_time
        triggers.append(Trigger(c, EventFilter.parse(c.event_filter or {}), start, c.end_time))
    return triggers


def triggers_for(*, tenant: Tenant) -> list[Trigger]:
    """The tenant's armed triggers: from this process's cache while the Redis version is unchanged."""
    return _index.get(tenant_id=tenant.pk, load=lambda: _load(tenant))


def event_campaigns_check(*, tenant: Tenant, campaign: Campaign) -> None:
    """At most CAMPAIGNS_MAX_EVENT_CAMPAIGNS active event-triggered campaigns per tenant (the tenant row is locked
    by the caller's transaction, so two launches cannot both take the last place)."""
    limit = int(getattr(settings, "CAMPAIGNS_MAX_EVENT_CAMPAIGNS", 25))
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
    active = (
        Campaign.objects.filter(tenant_id=tenant.pk, frequency=Campaign.Frequency.EVENT, status__in=Campaign.ACTIVE)
        .exclude(pk=campaign.pk)
        .count()
    )
    if active >= limit:
        raise Invalid(
            f"this project already has {active} active event-triggered campaigns (the limit is {limit}); "
            "stop one first",
            field="Schedule.Frequency",
        )


def campaigns_trigger(tenant: Tenant, events: Sequence[Event]) -> None:
    """The trigger handler: plan a message for every event that an armed campaign's filter accepts."""
    from campaigns.services.hook import hook_url
    from campaigns.services.trigger_plan import event_fields, events_plan
    from campaigns.tasks import events_plan_hooked

    triggers = triggers_for(tenant=tenant)
    for trigger in triggers:
        matched = [e for e in events if trigger.accepts(e)]
        if not matched:
            continue
        try:
            if hook_url(trigger.campaign):
                # The FILTER hook may take 3 × 15 s: a worker calls it, not the PutEvents request.
                events_plan_hooked.delay(tenant.pk, trigger.campaign.pk, [event_fields(e) for e in matched])
                continue
            events_plan(campaign=trigger.campaign, events=matched)
        except Exception:
            log.exception("event-triggered campaign %s failed to plan %s events", trigger.campaign.pk, len(matched))
