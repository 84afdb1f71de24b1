"""Reading a journey definition's activity graph: what kind each activity is, where its paths lead, and the ISO 8601
durations its waits and limits are written in. Shared by validation, the engine and the builder."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

# The union members of Pinpoint's Activity, in the order Pinpoint's console lists them, plus Engage's INAPP
# extension (an in-app message stored for the app; Pinpoint's journeys had no in-app activity).
SEND_KINDS = ("EMAIL", "SMS", "PUSH", "CUSTOM", "INAPP")
KINDS = (*SEND_KINDS, "Wait", "ConditionalSplit", "MultiCondition", "RandomSplit", "Holdout", "ContactCenter")

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def activity_kind(activity: dict[str, Any]) -> str:
    """Which union member an activity sets ("EMAIL", "Wait", ...); "" when none or several are set."""
    kinds = [k for k in KINDS if activity.get(k) is not None]
    return kinds[0] if len(kinds) == 1 else ""


def activity_next(activity: dict[str, Any]) -> list[str]:
    """Every activity id this activity's paths lead to, in path order (duplicates kept out)."""
    kind = activity_kind(activity)
    body = activity.get(kind) or {}
    if kind == "ConditionalSplit":
        ids = [body.get("TrueActivity"), body.get("FalseActivity")]
    elif kind == "MultiCondition":
        ids = [b.get("NextActivity") for b in body.get("Branches") or []] + [body.get("DefaultActivity")]
    elif kind == "RandomSplit":
        ids = [b.get("NextActivity") for b in body.get("Branches") or []]
    else:
        ids = [body.get("NextActivity")]
    out: list[str] = []
    for i in ids:
        if isinstance(i, str) and i and i not in out:
            out.append(i)
    return out


def activities_walk(definition: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The activities reachable from StartActivity, breadth first, each once."""
    activities = definition.get("Activities") or {}
    start = definition.get("StartActivity")
    queue = [start] if isinstance(start, str) and start in activities else []
    seen: set[str] = set(queue)
    while queue:
        current = queue.pop(0)
        activity = activities[current]
        yield current, activity
        for nxt in activity_next(activity):
            if nxt in activities and nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)


def duration_parse(value: str) -> timedelta:
    """An ISO 8601 duration ("P1D", "PT1H", "P1DT12H") as a timedelta; years are 365 days and months 30.
    Raises ValueError on anything else."""
    m = _DURATION.match(value.strip().upper()) if isinstance(value, str) else None
    if m is None:
        raise ValueError(f"{value!r} is not an ISO 8601 duration such as PT1H or P1D")
    n = {k: float(v) if v else 0.0 for k, v in m.groupdict().items()}
    return timedelta(
        days=n["years"] * 365 + n["months"] * 30 + n["weeks"] * 7 + n["days"],
        hours=n["hours"],
        minutes=n["minutes"],
        seconds=n["seconds"],
    )


def duration_format(value: timedelta) -> str:
    """A timedelta as the shortest ISO 8601 duration ("P1D", "PT1H30M")."""
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    time = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "") if seconds else "PT0S"
