"""Reads for event streams: a tenant's destinations and how far behind each one is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from engage import clock
from engage.events.models import Event
from engage.events.streams.models import EventStream
from engage.tenancy.models import Tenant

# Counting a huge backlog exactly would make the page slow; past this many, the lag shows as "1,000,000+".
LAG_COUNT_CAP = 1_000_000


@dataclass(frozen=True)
class Lag:
    events: int
    capped: bool
    oldest_arrival: datetime | None
    oldest_age_seconds: float | None

    @property
    def age_text(self) -> str:
        if self.oldest_age_seconds is None:
            return ""
        seconds = int(self.oldest_age_seconds)
        for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
            if seconds >= size:
                return f"{seconds // size} {unit}"
        return f"{seconds} s"


def streams_for_tenant(*, tenant: Tenant) -> QuerySet[EventStream]:
    return EventStream.objects.for_tenant(tenant)


def stream_lag(*, stream: EventStream, now: datetime | None = None) -> Lag:
    """Events of the tenant not yet exported (capped count) and the age of the oldest of them."""
    pending = Event.objects.filter(tenant_id=stream.tenant_id, id__gt=stream.cursor)
    count = pending.order_by()[: LAG_COUNT_CAP + 1].count()
    oldest = pending.order_by("id").values_list("arrival", flat=True).first()
    age = None
    if oldest is not None:
        age = max(((now or clock.now()) - oldest).total_seconds(), 0.0)
    return Lag(
        events=min(count, LAG_COUNT_CAP), capped=count > LAG_COUNT_CAP, oldest_arrival=oldest, oldest_age_seconds=age
    )
