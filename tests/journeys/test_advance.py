"""The advancer: concurrent advancers never double-step, a chunk whose transaction dies is retaken and steps once,
paused journeys stand still, participants keep the version they entered, and a failing executor is retried."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from campaigns.journeys.engine.advance import advance_chunk
from campaigns.models import Journey, JourneyVersion, Participant
from engage import clock
from engage.tenancy.models import Tenant
from tests.journeys.engine_support import advance_all, counts, enter_segment, later, make_journey, people, team

ROOT = Path(__file__).resolve().parents[2]
PARK = {"Wait": {"WaitTime": {"WaitFor": "P1D"}}}
SPLIT = {
    "r": {
        "RandomSplit": {"Branches": [{"Percentage": 50, "NextActivity": "a"}, {"Percentage": 50, "NextActivity": "b"}]}
    },
    "a": PARK,
    "b": PARK,
}


def many(journey: Journey, n: int) -> None:
    """n participants at the start activity, due now (as an entry pass leaves them)."""
    now = clock.now()
    Participant.objects.bulk_create(
        Participant(
            tenant_id=journey.tenant_id,
            journey=journey,
            version=1,
            key=f"k{i}",
            activity="r",
            wake_at=now,
            entered_at=now,
            updated_at=now,
        )
        for i in range(n)
    )


def _steps_once(journey: Journey, n: int) -> None:
    steps = Counter(Participant.objects.filter(journey=journey).values_list("step", flat=True))
    assert steps == {2: n}  # the random split, then the first visit of the wait: once each
    c = counts(journey)
    assert c[("r", "branch:a")] + c[("r", "branch:b")] == n
    assert c[("a", "entered")] + c[("b", "entered")] == n


@pytest.mark.django_db(transaction=True)
def test_two_advancers_at_once_never_step_a_participant_twice(tenant: Tenant) -> None:
    journey = make_journey(tenant, SPLIT, "r")
    many(journey, 3000)
    moved: list[int] = []

    def advancer() -> None:
        try:
            while n := advance_chunk(limit=250):
                moved.append(n)
        finally:
            connection.close()

    threads = [threading.Thread(target=advancer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(moved) == 3000
    _steps_once(journey, 3000)


CLAIM_AND_HANG = """
import sys, time
from django.db import transaction
from campaigns.journeys.engine.advance import Pass, _claim
from engage import clock
with transaction.atomic():
    claimed = _claim(clock.now(), 10_000, None, None)
    step = Pass(claimed, clock.now())
    step.run()
    step.write()
    print("claimed", len(claimed), flush=True)
    time.sleep(120)
"""


@pytest.mark.django_db(transaction=True)
def test_a_chunk_whose_transaction_dies_is_retaken_and_steps_once(tenant: Tenant) -> None:
    journey = make_journey(tenant, SPLIT, "r")
    many(journey, 500)
    db = settings.DATABASES["default"]
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    )
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", CLAIM_AND_HANG],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        lines = iter(proc.stdout.readline, b"")
        assert next(line for line in lines if line.startswith(b"claimed")).split() == [b"claimed", b"500"]
        assert advance_chunk() == 0  # locked by the other advancer: skipped, not waited for
        os.killpg(proc.pid, signal.SIGKILL)  # the worker dies before its transaction commits
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert counts(journey) == {}  # nothing it did survived
    assert advance_all() == 500
    _steps_once(journey, 500)


@pytest.mark.django_db
def test_a_paused_journey_stands_still_and_moves_again_when_active(tenant: Tenant) -> None:
    journey = make_journey(tenant, SPLIT, "r")
    many(journey, 5)
    Journey.objects.filter(pk=journey.pk).update(state=Journey.State.PAUSED)
    assert advance_all() == 0
    Journey.objects.filter(pk=journey.pk).update(state=Journey.State.CLOSED)  # closed: those inside finish
    assert advance_all() == 5


@pytest.mark.django_db
def test_participants_keep_the_version_they_entered(tenant: Tenant) -> None:
    people(tenant, ["old"])
    segment = team(tenant, "blue")
    journey = make_journey(tenant, {"w": PARK}, "w", segment=segment, RefreshFrequency="PT1H")
    enter_segment(journey)
    advance_all()
    v2 = {"Activities": {"w": {"Holdout": {"Percentage": 100}}}, "StartActivity": "w", **{"RefreshFrequency": "PT1H"}}
    v2["StartCondition"] = journey.definition["StartCondition"]
    JourneyVersion.objects.create(tenant=tenant, journey=journey, number=2, definition=v2, published_at=clock.now())
    Journey.objects.filter(pk=journey.pk).update(version=2, definition=v2)
    people(tenant, ["new"])
    later(hours=1, seconds=1)
    assert enter_segment(journey) == 1
    advance_all()
    rows = {p.key: (p.version, p.activity, p.state, p.exit_reason) for p in Participant.objects.filter(journey=journey)}
    assert rows == {"old": (1, "w", "waiting", ""), "new": (2, "w", "done", "holdout")}
    later(days=1)
    advance_all()
    assert Participant.objects.get(journey=journey, key="old").exit_reason == "completed"


@pytest.mark.django_db
def test_a_failing_activity_is_retried_later_and_the_others_move_on(tenant: Tenant) -> None:
    people(tenant, ["a"])
    missing = {"Conditions": [{"SegmentCondition": {"SegmentId": "0" * 32}}]}
    activities = {
        "s": {"ConditionalSplit": {"Condition": missing, "TrueActivity": "x", "FalseActivity": "x"}},
        "x": {"Holdout": {"Percentage": 0}},
    }
    journey = make_journey(tenant, activities, "s", segment=team(tenant, "blue"))
    enter_segment(journey)
    assert advance_all() == 1
    p = Participant.objects.get(journey=journey)
    assert (p.activity, p.state, p.trail[-1][2]) == ("s", "waiting", "error")
    assert p.wake_at is not None and p.wake_at > clock.now() + timedelta(seconds=50)
    broken = Journey.objects.get(pk=journey.pk)
    fixed = dict(broken.definition, Activities={"s": {"Holdout": {"Percentage": 0}}})
    JourneyVersion.objects.filter(journey=journey).update(definition=fixed)
    from campaigns.journeys.engine import versions

    versions._cache.clear()
    later(minutes=1, seconds=1)
    assert advance_all() == 1
    assert Participant.objects.get(journey=journey).state == "done"
