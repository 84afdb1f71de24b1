"""When a journey message may go out: quiet time, the sending schedule (OpenHours per channel and weekday,
ClosedDays) and the participant's time zones. Pure functions of their arguments; the time is passed in.

With several zones (a user participant whose endpoints live in different zones) a message goes out only when every
zone is open: sending starts at the latest zone's opening and stops at the earliest zone's close, never inside any
zone's quiet time (Pinpoint's multi-timezone rule)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from campaigns.schedule import quiet_until, zone
from engage.tenancy.models import Tenant

DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
# A schedule that never opens (every weekday empty) must not loop: look this far ahead, then give up.
HORIZON = timedelta(days=400)
ROUNDS = 64


def _hhmm(value: Any) -> time | None:
    try:
        hours, minutes = str(value).strip().split(":")[:2]
        return time(int(hours) % 24, int(minutes))
    except (ValueError, TypeError):
        return None


def _moment(value: Any, tz: tzinfo) -> datetime | None:
    """An ISO datetime of a ClosedDays rule; without an offset it is wall time in `tz`."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


@dataclass(frozen=True)
class Window:
    """A journey's sending rules for one channel."""

    quiet: tuple[time, time] | None = None
    hours: dict[int, list[tuple[time, time]]] | None = None  # weekday 0=Monday → ranges; None = any hour
    closed: list[tuple[Any, Any]] = field(default_factory=list)  # raw (start, end) of ClosedDays rules


def window_for(*, definition: dict[str, Any], tenant: Tenant, channel: str) -> Window:
    """The quiet time (the journey's, else the tenant's) and, when SendingSchedule is on, the channel's rules."""
    qt = definition.get("QuietTime") or {}
    start, end = _hhmm(qt.get("Start")), _hhmm(qt.get("End"))
    if start is None or end is None:
        start, end = tenant.quiet_time_start, tenant.quiet_time_end
    quiet = (start, end) if start is not None and end is not None and start != end else None
    if not definition.get("SendingSchedule"):
        return Window(quiet=quiet)
    rules = (
        ((definition.get("OpenHours") or {}).get(channel) or {})
        if isinstance(definition.get("OpenHours"), dict)
        else {}
    )
    hours: dict[int, list[tuple[time, time]]] | None = None
    if isinstance(rules, dict) and rules:
        hours = {}
        for index, day in enumerate(DAYS):
            for rule in rules.get(day) or []:
                a, b = _hhmm(rule.get("StartTime")), _hhmm(rule.get("EndTime"))
                if a is not None and b is not None and a < b:
                    hours.setdefault(index, []).append((a, b))
    closed_rules = (
        (definition.get("ClosedDays") or {}).get(channel) if isinstance(definition.get("ClosedDays"), dict) else None
    )
    closed = [(r.get("StartDateTime"), r.get("EndDateTime")) for r in closed_rules or [] if isinstance(r, dict)]
    return Window(quiet=quiet, hours=hours, closed=closed)


def _open_hours_next(at: datetime, hours: dict[int, list[tuple[time, time]]], tz: tzinfo) -> datetime | None:
    """`at` if inside an open range of its local weekday, else the start of the next range (None: never)."""
    local = at.astimezone(tz)
    for offset in range(8):
        day: date = local.date() + timedelta(days=offset)
        for start, end in sorted(hours.get(day.weekday(), [])):
            opens = datetime.combine(day, start).replace(tzinfo=tz)
            closes = datetime.combine(day, end).replace(tzinfo=tz)
            if offset == 0 and opens <= local < closes:
                return at
            if opens > local:
                return opens.astimezone(UTC)
    return None


def _closed_until(at: datetime, closed: Sequence[tuple[Any, Any]], tz: tzinfo) -> datetime | None:
    for raw_start, raw_end in closed:
        start, end = _moment(raw_start, tz), _moment(raw_end, tz)
        if start is not None and end is not None and start <= at < end:
            return end.astimezone(UTC)
    return None


def open_at(at: datetime, window: Window, tz: tzinfo) -> datetime | None:
    """The first moment ≥ `at` when a message may go out in zone `tz` (None when the schedule never opens)."""
    current = at
    for _ in range(ROUNDS):
        moved = current
        if window.quiet is not None:
            moved = quiet_until(moved, window.quiet, tz) or moved
        moved = _closed_until(moved, window.closed, tz) or moved
        if window.hours is not None:
            nxt = _open_hours_next(moved, window.hours, tz)
            if nxt is None:
                return None
            moved = nxt
        if moved == current:
            return current
        if moved - at > HORIZON:
            return None
        current = moved
    return None


def open_for_all(at: datetime, window: Window, zones: Sequence[tzinfo]) -> datetime | None:
    """The first moment ≥ `at` open in every zone; None when the zones' windows never overlap."""
    current = at
    for _ in range(ROUNDS):
        moments = [open_at(current, window, tz) for tz in zones]
        if any(m is None for m in moments):
            return None
        latest = max(m for m in moments if m is not None)
        if latest == current:
            return current
        if latest - at > HORIZON:
            return None
        current = latest
    return None


def journey_zone(*, definition: dict[str, Any], tenant: Tenant) -> tzinfo:
    """The journey's zone (Schedule.Timezone), else the tenant's, else UTC."""
    schedule = definition.get("Schedule") or {}
    return zone(str(schedule.get("Timezone") or "")) or zone(tenant.timezone) or UTC
