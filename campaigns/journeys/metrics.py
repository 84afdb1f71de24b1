"""Journey metrics selectors: the counters the engine keeps per (journey, activity, metric), who is in progress
where, and the execution figures per journey and per activity that the console, the API and the Pinpoint facade
show. Engagement (ledger and events) is in metrics_engagement."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, tzinfo
from typing import Any

from django.db.models import Count
from django.db.models.functions import Trunc

from campaigns.journeys.graph import activities_walk, activity_kind, activity_next
from campaigns.journeys.metrics_engagement import activity_engagement
from campaigns.journeys.metrics_period import Period
from campaigns.models import ActivityCount, Journey, Participant
from engage import clock

# Entry refusals and exits Pinpoint's console named, for reasons the engine may write (others show as written).
REASON_LABELS = {
    "reentry_cap": "Max entries per endpoint reached",
    "max_entries": "Max entries per endpoint reached",
    "reentry_interval": "Re-entry interval not over",
    "in_journey": "Already in the journey",
    "cap": "Max daily messages reached",
    "daily_cap": "Max daily messages reached",
    "total_cap": "Max messages from this journey reached",
    "timeframe_cap": "Max messages in the time frame reached",
    "quiet_time": "Quiet time",
    "no_timezone": "Missing time zone",
    "no_endpoint": "No endpoint for the channel",
    "unsupported_channel": "Unsupported channel",
    "opt_out": "Opted out",
    "suppressed": "Suppressed address",
    "no_address": "No address",
    "throttled": "Throttled",
    "closed_days": "Closed day",
    "open_hours": "Outside the send window",
    "cancelled": "Journey stopped",
    "ended": "Journey ended",
    "holdout": "Held out",
    "segment": "Left the segment",
}


def activity_counts(*, journey: Journey) -> dict[str, dict[str, int]]:
    """Every counter of a journey by activity ("" = journey level), plus "in_progress" per activity from the
    participants still waiting there. Two grouped queries."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    rows = ActivityCount.objects.filter(journey=journey).values_list("activity", "metric", "count")
    for activity, metric, count in rows:
        out[activity][metric] = count
    waiting = (
        Participant.objects.filter(journey=journey, state=Participant.State.WAITING)
        .values("activity")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("activity", "n")
    )
    for activity, n in waiting:
        out[activity]["in_progress"] = n
    return dict(out)


def _prefixed(counts: dict[str, int], prefix: str) -> dict[str, int]:
    found = {k[len(prefix) :]: v for k, v in counts.items() if k.startswith(prefix) and v}
    return dict(sorted(found.items(), key=lambda kv: -kv[1]))


def journey_metrics(*, journey: Journey, counts: dict[str, dict[str, int]] | None = None) -> dict[str, Any]:
    """Journey-level execution: entries, active, completed, exits and entry refusals by reason, not-sent reasons
    (the journey's own counters, else the activities' rolled up), time-zone estimation and segment refreshes."""
    counts = activity_counts(journey=journey) if counts is None else counts
    top = counts.get("", {})
    exited = _prefixed(top, "exited:")
    not_sent = _prefixed(top, "not_sent:")
    if not not_sent:
        rolled: dict[str, int] = defaultdict(int)
        for activity, metrics in counts.items():
            for reason, n in _prefixed(metrics, "not_sent:").items() if activity else ():
                rolled[reason] += n
        not_sent = dict(sorted(rolled.items(), key=lambda kv: -kv[1]))
    definition = journey.definition or {}
    return {
        "entries": top.get("entered", 0),
        "active": sum(m.get("in_progress", 0) for m in counts.values()),
        "completed": top.get("completed", 0),
        "left": top.get("completed", 0) + sum(exited.values()),
        "cancelled": exited.get("cancelled", 0),
        "exited": exited,
        "entry_refused": _prefixed(top, "entry_refused:"),
        "not_sent": not_sent,
        "tz_estimated": top.get("tz_estimated", 0),
        "tz_missing": top.get("tz_missing", 0),
        "refreshes": journey.refreshes,
        "next_entry_at": journey.next_entry_at,
        "refresh_frequency": definition.get("RefreshFrequency") or "",
        "refresh_on_update": bool(definition.get("RefreshOnSegmentUpdate")),
        "evaluated_at": clock.now(),
    }


def _branch_labels(activity: dict[str, Any]) -> list[tuple[str, str]]:
    """(counter target, path label) for each path of a split, in the builder's order; a path that ends the
    journey counts as "end" (random split: "end<index>"), as the engine writes it."""
    kind = activity_kind(activity)
    body = activity.get(kind) or {}
    if kind == "ConditionalSplit":
        pairs = [(body.get("TrueActivity") or "end", "Yes"), (body.get("FalseActivity") or "end", "No")]
    elif kind == "MultiCondition":
        branches = body.get("Branches") or []
        pairs = [(b.get("NextActivity") or "end", f"Branch {i + 1}") for i, b in enumerate(branches)]
        pairs.append((body.get("DefaultActivity") or "end", "Else"))
    elif kind == "RandomSplit":
        pairs = [
            (b.get("NextActivity") or f"end{i}", f"Path {i + 1} ({b.get('Percentage', '?')}%)")
            for i, b in enumerate(body.get("Branches") or [])
        ]
    elif kind == "Holdout":
        pairs = [("holdout", "Held out"), (body.get("NextActivity") or "end", "Continued")]
    else:
        return []
    out: dict[str, str] = {}
    for target, label in pairs:
        # Two paths to the same activity share one counter: show it once, under the first path's label.
        out.setdefault(str(target), label)
    return list(out.items())


def _activity_row(activity_id: str, activity: dict[str, Any], metrics: dict[str, int]) -> dict[str, Any]:
    kind = activity_kind(activity)
    branches: list[dict[str, Any]] = [
        {"target": target, "label": label, "n": metrics.get(f"branch:{target}", 0)}
        for target, label in _branch_labels(activity)
    ]
    known = {f"branch:{b['target']}" for b in branches}
    branches += [{"target": k[7:], "label": k[7:], "n": v} for k, v in metrics.items()
                 if k.startswith("branch:") and k not in known]  # fmt: skip
    top = max([b["n"] for b in branches] + [1])
    for b in branches:
        b["width"] = round(100 * b["n"] / top)
    return {
        "id": activity_id,
        "kind": kind,
        "description": str(activity.get("Description") or ""),
        "next": activity_next(activity),
        "entered": metrics.get("entered", 0),
        "in_progress": metrics.get("in_progress", 0),
        "done": metrics.get("done", 0),
        "sent": metrics.get("sent", 0),
        "not_sent": _prefixed(metrics, "not_sent:"),
        "branches": branches,
        "waiting_done": metrics.get("waiting_done", 0),
        "wait_date_passed": metrics.get("wait_date_passed", 0),
        "held_out": metrics.get("branch:holdout", 0),
    }


def activities_metrics(
    *,
    journey: Journey,
    counts: dict[str, dict[str, int]] | None = None,
    engagement: bool = True,
    period: Period | None = None,
) -> list[dict[str, Any]]:
    """Execution (and, unless told not to, engagement — in the period when there is one) per activity, in canvas
    order; activities that have counters but are no longer in the definition (an earlier version's) come last."""
    counts = activity_counts(journey=journey) if counts is None else counts
    definition = journey.definition or {}
    rows = [_activity_row(aid, activity, counts.get(aid, {})) for aid, activity in activities_walk(definition)]
    listed = {r["id"] for r in rows}
    activities = definition.get("Activities") or {}
    for aid in sorted(set(activities) - listed):
        rows.append(_activity_row(aid, activities[aid], counts.get(aid, {})))
        listed.add(aid)
    for aid in sorted(a for a in counts if a and a not in listed):
        rows.append({**_activity_row(aid, {}, counts[aid]), "removed": True})
    if engagement:
        found = activity_engagement(journey=journey, period=period)
        for row in rows:
            row["engagement"] = found.get(row["id"], {})
    return rows


def activity_metrics(*, journey: Journey, activity_id: str, period: Period | None = None) -> dict[str, Any] | None:
    """One activity's execution and engagement, or None when the journey has no such activity."""
    for row in activities_metrics(journey=journey, period=period):
        if row["id"] == activity_id:
            return row
    return None


def entries_series(
    *, journey: Journey, tz: tzinfo, days: int = 30, period: Period | None = None
) -> tuple[str, list[datetime], list[int]]:
    """Entries per hour (first 48 hours) or per day (up to `days`), from the participants' entry times; with a
    period, per day over it (per hour for one or two days)."""
    rows = Participant.objects.filter(journey=journey)
    if period is not None:
        return _entries_over(rows, tz, period)
    first = rows.order_by("entered_at").values_list("entered_at", flat=True).first()
    now = clock.now().astimezone(tz)
    first = (first or now).astimezone(tz)
    if now - first <= timedelta(hours=48):
        unit, step = "hour", timedelta(hours=1)
        start = min(first, now - timedelta(hours=23)).replace(minute=0, second=0, microsecond=0)
    else:
        unit, step = "day", timedelta(days=1)
        start = max(first, now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return _bucketed(rows.filter(entered_at__gte=start), tz, unit, start, int((now - start) / step) + 1)


def _entries_over(rows: Any, tz: tzinfo, period: Period) -> tuple[str, list[datetime], list[int]]:
    unit = "hour" if period.end - period.start <= timedelta(hours=48) else "day"
    step = timedelta(hours=1) if unit == "hour" else timedelta(days=1)
    size = round((period.end - period.start) / step)
    return _bucketed(rows.filter(entered_at__gte=period.start, entered_at__lt=period.end), tz, unit, period.start, size)


def _bucketed(rows: Any, tz: tzinfo, unit: str, start: datetime, size: int) -> tuple[str, list[datetime], list[int]]:
    step = timedelta(hours=1) if unit == "hour" else timedelta(days=1)
    values = [0] * size
    grouped = rows.annotate(b=Trunc("entered_at", unit, tzinfo=tz)).values("b").annotate(n=Count("id")).order_by()
    for g in grouped:
        index = int((g["b"] - start) / step)
        if 0 <= index < size:
            values[index] += g["n"]
    return unit, [start + step * i for i in range(size)], values
