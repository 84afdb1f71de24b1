"""Wait: WaitFor a duration or WaitUntil a date. The first visit parks the participant here until the end; the
return visit moves it on. A WaitUntil already past moves it on at once (counted as wait_date_passed)."""

from __future__ import annotations

from campaigns.journeys.engine.activities.timing import returning, test_wake, wait_end
from campaigns.journeys.engine.step import Batch, Outcome, executor


@executor("Wait")
def wait_run(batch: Batch) -> list[Outcome]:
    """Park arriving participants until their wait ends; move on those coming back."""
    body = batch.steps[0].activity.get("Wait") or {} if batch.steps else {}
    following = body.get("NextActivity") or None
    here = batch.activity_id
    end = wait_end(body.get("WaitTime"), batch.now)  # the same for the whole batch: its steps share `now`
    if end is None or end <= batch.now:
        arriving = Outcome(following, outcome="date_passed", counts=[(here, "wait_date_passed")])
    else:
        arriving = Outcome(here, wake_at=test_wake(batch.journey, end, batch.now), outcome="waiting")
    back = Outcome(following, outcome="waited", counts=[(here, "waiting_done")])
    return [back if returning(step) else arriving for step in batch.steps]
