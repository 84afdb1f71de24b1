"""The review's graph checks: paths that lead to no activity, paths that loop, and what comes before an activity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from campaigns.journeys.graph import activity_kind, activity_next

if TYPE_CHECKING:
    from campaigns.journeys.services.review import Issue


def links(activity: dict[str, Any]) -> list[tuple[str, str]]:
    """(member path under the activity's kind, target id) of every path out of an activity."""
    kind = activity_kind(activity)
    body = activity.get(kind) or {}
    found: list[tuple[str, Any]] = []
    if kind == "ConditionalSplit":
        found = [("TrueActivity", body.get("TrueActivity")), ("FalseActivity", body.get("FalseActivity"))]
    elif kind == "MultiCondition":
        found = [
            (f"Branches[{i}].NextActivity", b.get("NextActivity")) for i, b in enumerate(body.get("Branches") or [])
        ]
        found.append(("DefaultActivity", body.get("DefaultActivity")))
    elif kind == "RandomSplit":
        found = [
            (f"Branches[{i}].NextActivity", b.get("NextActivity")) for i, b in enumerate(body.get("Branches") or [])
        ]
    elif kind:
        found = [("NextActivity", body.get("NextActivity"))]
    return [(f"{kind}.{where}", target) for where, target in found if isinstance(target, str) and target]


def link_issues(definition: dict[str, Any]) -> list[Issue]:
    from campaigns.journeys.services.review import Issue

    activities = definition.get("Activities") or {}
    found = []
    for activity_id, activity in activities.items():
        for where, target in links(activity):
            if target not in activities:
                found.append(
                    Issue(
                        activity_id, f"Activities.{activity_id}.{where}", f"leads to “{target}”, which does not exist"
                    )
                )
            elif target == activity_id:
                found.append(
                    Issue(activity_id, f"Activities.{activity_id}.{where}", "an activity cannot lead to itself")
                )
    return found


def cycle_issues(definition: dict[str, Any]) -> list[Issue]:
    """One error per path that leads back to an activity already on it (participants would loop for ever)."""
    from campaigns.journeys.services.review import Issue

    activities = definition.get("Activities") or {}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    found: list[Issue] = []

    def visit(current: str) -> None:
        state[current] = 1
        for where, target in links(activities[current]):
            if target not in activities or target == current:
                continue
            if state.get(target) == 1:
                found.append(
                    Issue(current, f"Activities.{current}.{where}", f"leads back to “{target}”: journeys cannot loop")
                )
            elif target not in state:
                visit(target)
        state[current] = 2

    for activity_id in activities:
        if activity_id not in state:
            visit(activity_id)
    return found


def ancestors(definition: dict[str, Any], activity_id: str) -> set[str]:
    """Every activity some path leads from to `activity_id`."""
    activities = definition.get("Activities") or {}
    parents: dict[str, set[str]] = {}
    for source, activity in activities.items():
        for target in activity_next(activity):
            parents.setdefault(target, set()).add(source)
    seen: set[str] = set()
    queue = [activity_id]
    while queue:
        for parent in parents.get(queue.pop(), set()):
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return seen


def paths_between(definition: dict[str, Any], source: str, target: str, limit: int = 200) -> list[list[str]]:
    """Simple paths from `source` to `target` (activity ids, both ends included), at most `limit` of them."""
    activities = definition.get("Activities") or {}
    found: list[list[str]] = []

    def walk(path: list[str]) -> None:
        if len(found) >= limit:
            return
        current = path[-1]
        if current == target:
            found.append(list(path))
            return
        for nxt in activity_next(activities.get(current) or {}):
            if nxt in activities and nxt not in path:
                walk([*path, nxt])

    if source in activities:
        walk([source])
    return found
