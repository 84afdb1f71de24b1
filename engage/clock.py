"""The only source of time in Engage.

In tests (ENGAGE_TEST_CLOCK=1) an offset kept in Redis is added to the wall clock, so web,
workers and beat all see the same moved time; production reads the wall clock directly.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from engage.redis import redis_client

_OFFSET_KEY = "engage:clock:offset"


def now() -> datetime:
    """The current time, shifted by the shared test offset when the test clock is on."""
    current = timezone.now()
    if settings.ENGAGE_TEST_CLOCK:
        offset = redis_client().get(_OFFSET_KEY)
        if offset:
            current += timedelta(seconds=float(offset))
    return current


def advance(*, seconds: float) -> None:
    """Move the shared test clock forward (tests only)."""
    if not settings.ENGAGE_TEST_CLOCK:
        raise RuntimeError("the clock can only be moved with ENGAGE_TEST_CLOCK=1")
    redis_client().incrbyfloat(_OFFSET_KEY, seconds)


def reset() -> None:
    """Put the shared test clock back to the wall clock."""
    redis_client().delete(_OFFSET_KEY)
