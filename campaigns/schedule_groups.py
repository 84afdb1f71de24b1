"""Per-treatment schedules (Pinpoint's `WriteTreatmentResource.Schedule`): a treatment with a schedule of its own
sends its share at its own StartTime — and, for a recurring campaign, at its own occurrences of the campaign's
frequency, in the campaign's zone and local-time rule, until its EndTime (else the campaign's). Treatments sharing
a schedule form a group: "" is the campaign's own (treatment 0 and every treatment without a schedule), a treatment
with one is a group of its own. Each group keeps its next due time in `Campaign.schedule_next`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from campaigns.models import Campaign
from campaigns.schedule import next_due, occurrence, start_wall
from engage.errors import Invalid

DEFAULT = ""
# Members of a treatment's Schedule that must follow the campaign's (only the times are the treatment's own).
SHARED = {"Frequency": "frequency", "IsLocalTime": "is_local_time", "Timezone": "timezone"}


def treatment_times(campaign: Campaign) -> dict[str, tuple[datetime, datetime | None]]:
    """Treatments with a schedule of their own: id → (start, end or None)."""
    found: dict[str, tuple[datetime, datetime | None]] = {}
    for t in campaign.additional_treatments:
        schedule = t.get("Schedule") or {}
        if schedule.get("StartTime"):
            end = schedule.get("EndTime")
            found[str(t["Id"])] = (
                datetime.fromisoformat(schedule["StartTime"]),
                datetime.fromisoformat(end) if end else None,
            )
    return found


def treatment_schedules_check(*, campaign: Campaign) -> None:
    """Keep each treatment's Schedule as {StartTime, EndTime?}; the members it shares with the campaign's schedule
    must match it, and event-triggered campaigns have no per-treatment times (Invalid naming the member)."""
    for index, t in enumerate(campaign.additional_treatments):
        schedule = t.get("Schedule")
        if not schedule:
            continue
        path = f"AdditionalTreatments[{index}].Schedule"
        if campaign.frequency in (Campaign.Frequency.EVENT, Campaign.Frequency.IN_APP_EVENT):
            raise Invalid(
                "an event-triggered campaign's treatments follow its event filter: leave out their Schedule", field=path
            )
        for key, field in SHARED.items():
            if key in schedule and not _same(key, schedule[key], getattr(campaign, field)):
                text = f"a treatment follows the campaign's Schedule.{key} ({getattr(campaign, field) or 'not set'})"
                raise Invalid(text, field=f"{path}.{key}")
        t["Schedule"] = {k: schedule[k] for k in ("StartTime", "EndTime") if schedule.get(k)}


def _same(key: str, given: Any, mine: Any) -> bool:
    if key == "Frequency":
        return (given or Campaign.Frequency.ONCE) == mine
    if key == "IsLocalTime":
        return bool(given) == bool(mine)
    return (given or "") == (mine or "")


def groups_first_due(campaign: Campaign, *, now: datetime) -> dict[str, str | None]:
    """Each group's first due time (ISO 8601), for `schedule_next` at launch; {} without treatment schedules."""
    times = treatment_times(campaign)
    if not times:
        return {}
    first: dict[str, datetime | None] = {DEFAULT: now if campaign.start_immediate else None}
    if not campaign.start_immediate and campaign.start_time is not None:
        first[DEFAULT] = occurrence(campaign, start_wall(campaign, campaign.start_time))[1]
    for tid, (start, _) in times.items():
        first[tid] = occurrence(campaign, start_wall(campaign, start))[1]
    return {group: _iso(due) for group, due in first.items()}


def groups_after_edit(campaign: Campaign, *, now: datetime) -> None:
    """A launched (paused) campaign was edited: groups that still exist keep their next time, new ones get their
    first (or next) occurrence, removed ones go; next_run_at follows. Drafts get theirs at launch."""
    if campaign.status == Campaign.Status.DRAFT or campaign.frequency == Campaign.Frequency.EVENT:
        return
    old = dict(campaign.schedule_next) or {DEFAULT: _iso(campaign.next_run_at)}
    fresh = groups_first_due(campaign, now=now)
    kept: dict[str, str | None] = {}
    for group, first in fresh.items():
        if group in old:
            kept[group] = old[group]
        elif first is not None and datetime.fromisoformat(first) <= now:
            kept[group] = group_next_due(campaign, group, after=now)
        else:
            kept[group] = first
    campaign.schedule_next = kept
    upcoming = [datetime.fromisoformat(v) for v in (kept.values() if kept else [old.get(DEFAULT)]) if v]
    campaign.next_run_at = min(upcoming) if upcoming else None


def group_next_due(campaign: Campaign, group: str, *, after: datetime) -> str | None:
    """The group's next due time after `after` (ISO 8601), None once its schedule is over."""
    if group == DEFAULT:
        return None if campaign.start_immediate else _iso(next_due(campaign, after=after))
    start, end = treatment_times(campaign).get(group, (None, None))
    if start is None:
        return None
    return _iso(next_due(campaign, after=after, start=start, end=end))


def group_treatments(campaign: Campaign, groups: Iterable[str]) -> list[str]:
    """The treatment ids the given groups send."""
    wanted, own = set(groups), set(treatment_times(campaign))
    ids = ["0", *(str(t["Id"]) for t in campaign.additional_treatments)]
    return [tid for tid in ids if tid in wanted or (DEFAULT in wanted and tid not in own)]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
