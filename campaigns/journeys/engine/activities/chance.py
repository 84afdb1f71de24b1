"""RandomSplit and Holdout: each participant's path is a stable hash of (journey, activity, participant), so a
replayed step takes the same path and two random activities of one journey do not draw alike."""

from __future__ import annotations

import hashlib

from campaigns.journeys.engine.step import Batch, Outcome, Step, executor


def draw(step: Step) -> int:
    """A stable number 0–99 for this participant at this activity."""
    p = step.participant
    digest = hashlib.sha256(f"{p.journey_id}:{step.activity_id}:{p.pk}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


@executor("RandomSplit")
def random_split_run(batch: Batch) -> list[Outcome]:
    """Send each participant down the branch its draw falls in (branches' Percentage add up to 100)."""
    branches = (batch.steps[0].activity.get("RandomSplit") or {}).get("Branches") or [] if batch.steps else []
    here = batch.activity_id
    out = []
    for step in batch.steps:
        n, edge, chosen = draw(step), 0, None
        for index, branch in enumerate(branches):
            edge += int(branch.get("Percentage") or 0)
            if n < edge:
                chosen = index
                break
        if chosen is None:
            chosen = len(branches) - 1
        following = (branches[chosen].get("NextActivity") or None) if branches else None
        label = following or f"end{chosen}"
        out.append(Outcome(following, outcome=f"branch:{label}", counts=[(here, f"branch:{label}")]))
    return out


@executor("Holdout")
def holdout_run(batch: Batch) -> list[Outcome]:
    """Percentage of the participants leave the journey (exit reason holdout); the others go on."""
    body = batch.steps[0].activity.get("Holdout") or {} if batch.steps else {}
    percentage = int(body.get("Percentage") or 0)
    following = body.get("NextActivity") or None
    here = batch.activity_id
    out = []
    for step in batch.steps:
        if draw(step) < percentage:
            out.append(Outcome(None, outcome="held out", exit_reason="holdout", counts=[(here, "branch:holdout")]))
        else:
            label = following or "end"
            out.append(Outcome(following, outcome=f"branch:{label}", counts=[(here, f"branch:{label}")]))
    return out
