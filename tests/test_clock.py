"""engage.clock: one shifted time for every process of the test run (web, workers, beat)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from django.utils import timezone

from engage import clock

ROOT = Path(__file__).resolve().parent.parent
SLACK = timedelta(seconds=5)


def test_now_is_the_wall_clock_until_moved() -> None:
    before = timezone.now()
    now = clock.now()
    assert before <= now <= timezone.now()
    assert now.tzinfo is not None


def test_advance_moves_now_forward_and_adds_up() -> None:
    clock.advance(seconds=3600)
    assert abs(clock.now() - (timezone.now() + timedelta(hours=1))) < SLACK
    clock.advance(seconds=1800.5)
    assert abs(clock.now() - (timezone.now() + timedelta(hours=1, minutes=30, seconds=0.5))) < SLACK


def test_reset_puts_the_clock_back() -> None:
    clock.advance(seconds=86400)
    clock.reset()
    before = timezone.now()
    assert before <= clock.now() <= timezone.now()


def test_another_process_sees_the_moved_clock() -> None:
    clock.advance(seconds=3 * 86400)
    expected = clock.now()
    code = "import django; django.setup(); from engage import clock; print(clock.now().isoformat())"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="engage.settings")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [str(Path(sys.executable).with_name("python")), "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    seen = datetime.fromisoformat(result.stdout.strip().splitlines()[-1])
    assert timedelta(0) <= seen - expected < timedelta(seconds=30), (seen, expected)
    assert seen - timezone.now() > timedelta(days=3) - SLACK
