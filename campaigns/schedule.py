"""Campaign schedules: time zones (IANA names or Pinpoint's UTC±HH[:MM]), occurrences of recurring schedules,
local-time sends and quiet time. Pure functions of their arguments: the time is always passed in."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from campaigns.models import Campaign
from templates.models import Channel

_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$")
# The earliest any time zone reaches a wall-clock time is UTC+14: a local-time run starts then.
EARLIEST_OFFSET = timedelta(hours=14)
STEPS: dict[str, timedelta] = {
    Campaign.Frequency.HOURLY: timedelta(hours=1),
    Campaign.Frequency.DAILY: timedelta(days=1),
    Campaign.Frequency.WEEKLY: timedelta(days=7),
}
RECURRING = (*STEPS, Campaign.Frequency.MONTHLY)


def zone(name: str) -> tzinfo | None:
    """The time zone a name means, or None when it means none."""
    name = (name or "").strip()
    if not name:
        return None
    if name.upper() in ("UTC", "GMT", "Z"):
        return UTC
    match = _OFFSET.match(name.upper())
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return timezone(-delta if sign == "-" else delta) if delta <= timedelta(hours=14) else None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def campaign_zone(campaign: Campaign) -> tzinfo:
    """The campaign's zone, else its tenant's, else UTC."""
    return zone(campaign.timezone) or zone(campaign.tenant.timezone) or UTC


def _add_months(wall: datetime, months: int) -> datetime:
    month0 = wall.month - 1 + months
    year, month = wall.year + month0 // 12, month0 % 12 + 1
    return wall.replace(year=year, month=month, day=min(wall.day, monthrange(year, month)[1]))


def _wall(start: datetime, frequency: str, k: int) -> datetime:
    if frequency == Campaign.Frequency.MONTHLY:
        return _add_months(start, k)
    return start + STEPS.get(frequency, timedelta(0)) * k


def occurrence(campaign: Campaign, wall: datetime) -> tuple[datetime, datetime]:
    """(the run's scheduled_for, when the run is due) of a wall-clock occurrence. A local-time occurrence is
    stored as its wall time read as UTC, and is due when the first time zone reaches it."""
    if campaign.is_local_time:
        at = wall.replace(tzinfo=UTC)
        return at, at - EARLIEST_OFFSET
    at = wall.replace(tzinfo=campaign_zone(campaign)).astimezone(UTC)
    return at, at


def next_due(
    campaign: Campaign, *, after: datetime, start: datetime | None = None, end: datetime | None = None
) -> datetime | None:
    """When the first occurrence due later than `after` is due (None once the schedule is over). The scheduled
    time of the run it starts is `scheduled_for(campaign, due)`. `start`/`end`: a treatment's own schedule (within
    the campaign's frequency, zone and local-time rule) instead of the campaign's."""
    first = start or campaign.start_time
    end = end or campaign.end_time
    if first is None or campaign.frequency not in RECURRING:
        return None
    wall = start_wall(campaign, first)
    k = _first_index_after(campaign, wall, after)
    scheduled, due = occurrence(campaign, _wall(wall, campaign.frequency, k))
    if end is not None and _end_passed(campaign, scheduled, end):
        return None
    return due


def _first_index_after(campaign: Campaign, start: datetime, after: datetime) -> int:
    step = STEPS.get(campaign.frequency, timedelta(days=28))
    k = max(0, int((after - occurrence(campaign, start)[1]) / step) - 2)
    while occurrence(campaign, _wall(start, campaign.frequency, k))[1] <= after:
        k += 1
    return k


def _end_passed(campaign: Campaign, scheduled: datetime, end: datetime) -> bool:
    if campaign.is_local_time:
        end_wall = end.astimezone(campaign_zone(campaign)).replace(tzinfo=UTC)
        return scheduled > end_wall
    return scheduled > end


def start_wall(campaign: Campaign, start: datetime) -> datetime:
    return start.astimezone(campaign_zone(campaign)).replace(tzinfo=None)


def campaign_start_wall(campaign: Campaign) -> datetime | None:
    """The first occurrence as a naive wall-clock time in the campaign's zone."""
    if campaign.start_time is None:
        return None
    return start_wall(campaign, campaign.start_time)


def scheduled_for(campaign: Campaign, due: datetime) -> datetime:
    """The scheduled time of the occurrence due at `due`."""
    return due + EARLIEST_OFFSET if campaign.is_local_time else due


def quiet_window(campaign: Campaign) -> tuple[time, time] | None:
    """The campaign's quiet time, else its tenant's; None when there is none. An in-app message is stored at once:
    the app applies quiet time when it would show it (InAppCampaignSchedule.QuietTime)."""
    if campaign.channel == Channel.INAPP:
        return None
    if campaign.quiet_time_start is not None and campaign.quiet_time_end is not None:
        window = (campaign.quiet_time_start, campaign.quiet_time_end)
    elif campaign.tenant.quiet_time_start is not None and campaign.tenant.quiet_time_end is not None:
        window = (campaign.tenant.quiet_time_start, campaign.tenant.quiet_time_end)
    else:
        return None
    return None if window[0] == window[1] else window


def quiet_until(at: datetime, window: tuple[time, time], tz: tzinfo) -> datetime | None:
    """When quiet time ends if `at` falls in it (in zone `tz`), else None."""
    start, end = window
    local = at.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    day: date = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end).replace(tzinfo=tz).astimezone(UTC)
