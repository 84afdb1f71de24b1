"""The Celery application: four named queues and the fault settings of ARCHITECTURE.md."""

from __future__ import annotations

import gc
import os
from typing import Any

from celery import Celery
from celery.signals import worker_process_init
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engage.settings")

QUEUES = ("default", "sends", "events", "imports")

# Every task name starts with its app; the prefix picks the queue. Unknown prefixes go to default.
ROUTES_BY_PREFIX = {
    "channels.": "sends",
    "events.": "events",
    "segments.import": "imports",
    "segments.export": "imports",
}


def route_task(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **kw: Any) -> dict[str, str]:
    """Pick the queue for a task by its name prefix."""
    for prefix, queue in ROUTES_BY_PREFIX.items():
        if name.startswith(prefix):
            return {"queue": queue}
    return {"queue": "default"}


app = Celery("engage")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_queues=[Queue(name) for name in QUEUES],
    task_default_queue="default",
    task_routes=(route_task,),
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    # A task whose worker died is redelivered after this many seconds, not the one-hour default.
    broker_transport_options={"visibility_timeout": 300},
    broker_connection_retry_on_startup=True,
    task_serializer="json",
    accept_content=["json"],
    result_backend=None,
    task_ignore_result=True,
    worker_hijack_root_logger=False,
    beat_scheduler="django_celery_beat.schedulers:DatabaseScheduler",
    timezone="UTC",
)
app.autodiscover_tasks()


@worker_process_init.connect
def _freeze_startup_objects(**_: Any) -> None:
    """Take what each worker process loaded at startup out of the garbage collector's full passes: otherwise they
    walk Django's long-lived objects again and again (about a fifth of a send chunk's CPU time, bench/send_sandbox)."""
    gc.collect()
    gc.freeze()
