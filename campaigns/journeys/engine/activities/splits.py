"""Yes/no (ConditionalSplit) and multivariate (MultiCondition) splits.

Conditions: SegmentCondition (is the participant — any endpoint of a user — in the segment), inline segment
dimensions, and EventCondition (engagement with an earlier message activity, read by engine/conditions.py). The
evaluation time is EvaluationWaitTime (WaitFor from arrival, or WaitUntil), else Pinpoint's implicit wait after the
message activity an engagement condition reads (1 h; 15 min after a custom one), else at once. The time is kept in
participant.data["evaluate_at"][activity] so an early wake (an engagement event) knows when to give up. Before it, a
condition made only of engagement events that already holds takes the yes path at once (events do not un-happen);
at it, no data means No."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from campaigns.journeys.engine.activities.timing import implicit_end, returning, test_wake, wait_end
from campaigns.journeys.engine.membership import participants_in, segment_definition
from campaigns.journeys.engine.step import Batch, Outcome, Step, executor
from segments.definition import Definition, parse_definition

Value = bool | None


def _dimensions(simple: dict[str, Any]) -> Any:
    return simple.get("SegmentDimensions") or simple.get("segmentDimensions")


def simple_values(batch: Batch, simple: dict[str, Any]) -> list[Value]:
    """One SimpleCondition for every step of the batch (None: no data)."""
    if simple.get("EventCondition"):
        from campaigns.journeys.engine.conditions import conditions_evaluate

        return conditions_evaluate(batch=batch, condition=simple)
    definition: Definition | None = None
    if (simple.get("SegmentCondition") or {}).get("SegmentId"):
        definition = segment_definition(str(simple["SegmentCondition"]["SegmentId"]))
    elif _dimensions(simple):
        definition = parse_definition({"Dimensions": _dimensions(simple)})
    if definition is None:
        return [None] * len(batch.steps)
    participants = [s.participant for s in batch.steps]
    found = participants_in(tenant=batch.journey.tenant, definition=definition, participants=participants)
    return [p.key in found for p in participants]


def combine(values: list[list[Value]], operator: str, size: int) -> list[Value]:
    """Condition.Operator over several conditions' values: ALL (default) or ANY, None where undecided."""
    out: list[Value] = []
    for i in range(size):
        column = [v[i] for v in values]
        if operator == "ANY":
            out.append(True if True in column else False if column and all(c is False for c in column) else None)
        else:
            out.append(False if False in column else True if column and all(column) else None)
    return out


def _messages(simples: list[dict[str, Any]]) -> list[str]:
    return [str(s["EventCondition"].get("MessageActivity") or "") for s in simples if s.get("EventCondition")]


def _due_at(batch: Batch, step: Step, body: dict[str, Any], simples: list[dict[str, Any]]) -> datetime:
    """When this participant's condition is evaluated: kept from its first visit, else worked out now."""
    stored = (step.participant.data.get("evaluate_at") or {}).get(batch.activity_id) if returning(step) else None
    parsed = parse_datetime(stored) if isinstance(stored, str) else None
    if parsed is not None:
        return parsed
    explicit = body.get("EvaluationWaitTime")
    if explicit:
        end = wait_end(explicit, batch.now) or batch.now
    elif _messages(simples):
        end = implicit_end(batch, step, _messages(simples))
    else:
        end = batch.now
    if end <= batch.now:
        return batch.now
    return test_wake(batch.journey, end, batch.now) or batch.now


def _decide(
    batch: Batch,
    body: dict[str, Any],
    simples: list[dict[str, Any]],
    evaluate: Callable[[Batch], list[Any]],
    choose: Callable[[Any, bool], str | bool | None],
) -> list[Outcome]:
    """Shared flow: evaluate the steps that are due (or may leave early), park the others until their time.
    `choose(result, final)` gives the next activity, or False to keep waiting."""
    early = bool(simples) and all(s.get("EventCondition") for s in simples)
    due = {id(s): _due_at(batch, s, body, simples) for s in batch.steps}
    ask = [s for s in batch.steps if due[id(s)] <= batch.now or early]
    results = dict(
        zip([id(s) for s in ask], evaluate(dataclasses.replace(batch, steps=ask)) if ask else [], strict=True)
    )
    out = []
    for step in batch.steps:
        at = due[id(step)]
        final = at <= batch.now
        following = choose(results.get(id(step)), final) if id(step) in results else False
        if following is False:
            kept = {**(step.participant.data.get("evaluate_at") or {}), batch.activity_id: at.isoformat()}
            out.append(Outcome(batch.activity_id, wake_at=at, outcome="evaluating", data={"evaluate_at": kept}))
            continue
        nxt = following if isinstance(following, str) and following else None
        label = nxt or "end"
        out.append(Outcome(nxt, outcome=f"branch:{label}", counts=[(batch.activity_id, f"branch:{label}")]))
    return out


@executor("ConditionalSplit")
def conditional_split_run(batch: Batch) -> list[Outcome]:
    """Yes/no split: TrueActivity when the condition holds, else FalseActivity (no data = No)."""
    body = (batch.steps[0].activity.get("ConditionalSplit") or {}) if batch.steps else {}
    condition = body.get("Condition") or {}
    simples = [s for s in condition.get("Conditions") or [] if isinstance(s, dict)]
    operator = str(condition.get("Operator") or "ALL")

    def evaluate(sub: Batch) -> list[Value]:
        return combine([simple_values(sub, s) for s in simples], operator, len(sub.steps))

    def choose(value: Value, final: bool) -> str | bool | None:
        if value is True:
            return body.get("TrueActivity") or None
        return (body.get("FalseActivity") or None) if final else False

    return _decide(batch, body, simples, evaluate, choose)


@executor("MultiCondition")
def multi_condition_run(batch: Batch) -> list[Outcome]:
    """Multivariate split: the first branch whose condition holds, in branch order (the console's A, B, C, D —
    Pinpoint's "alphabetical order"), else DefaultActivity."""
    body = (batch.steps[0].activity.get("MultiCondition") or {}) if batch.steps else {}
    branches = [b for b in body.get("Branches") or [] if isinstance(b, dict)]
    simples = [b.get("Condition") or {} for b in branches]

    def evaluate(sub: Batch) -> list[list[Value]]:
        columns = [simple_values(sub, s) for s in simples]
        return [[c[i] for c in columns] for i in range(len(sub.steps))]

    def choose(values: list[Value], final: bool) -> str | bool | None:
        first = next((i for i, v in enumerate(values) if v is True), None)
        if first is not None and (final or first == 0):
            return branches[first].get("NextActivity") or None
        return (body.get("DefaultActivity") or None) if final else False

    return _decide(batch, body, simples, evaluate, choose)
