"""The Celery options of tasks that must survive a lost worker and a passing database or Redis failure: acknowledged
after they run (a worker killed mid-task leaves the message to another), retried with backoff on those failures,
no result stored. Every such task is safe to run twice (see ARCHITECTURE.md)."""

from __future__ import annotations

from typing import Any

import redis
from django.db import InterfaceError, OperationalError

TRANSIENT = (OperationalError, InterfaceError, redis.ConnectionError, redis.TimeoutError)


def retried(name: str, *, max_retries: int = 5) -> dict[str, Any]:
    """shared_task(**retried("app.task")): the options above under the task's name."""
    return {
        "name": name,
        "acks_late": True,
        "autoretry_for": TRANSIENT,
        "retry_backoff": True,
        "max_retries": max_retries,
        "ignore_result": True,
    }
