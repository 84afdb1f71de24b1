"""Beat schedules installed by migrations (django-celery-beat's database scheduler), one helper for every app.

Migrations import this module, so its signature stays stable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import migrations


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str
    every_seconds: int
    expire_seconds: int
    description: str


def periodic_tasks(*tasks: Periodic) -> migrations.RunPython:
    """A migration operation that installs these periodic tasks (and removes them when reversed)."""

    def install(apps: Any, schema_editor: Any) -> None:
        interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
        task_model = apps.get_model("django_celery_beat", "PeriodicTask")
        for t in tasks:
            interval, _ = interval_model.objects.get_or_create(every=t.every_seconds, period="seconds")
            task_model.objects.update_or_create(
                name=t.name,
                defaults={
                    "task": t.task,
                    "interval": interval,
                    "enabled": True,
                    # A tick nobody ran within this time is dropped: the next one does the same work.
                    "expire_seconds": t.expire_seconds,
                    "description": t.description,
                },
            )

    def remove(apps: Any, schema_editor: Any) -> None:
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[t.name for t in tasks]).delete()

    return migrations.RunPython(install, remove)
