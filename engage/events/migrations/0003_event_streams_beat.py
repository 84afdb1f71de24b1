"""Beat runs the event-stream export tick every 5 seconds (django-celery-beat's database scheduler)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TASK = "events.streams_tick"
NAME = "Event streams: export tick"


def install(apps: Any, schema_editor: Any) -> None:
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    every_5s, _ = interval_model.objects.get_or_create(every=5, period="seconds")
    task_model.objects.update_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "interval": every_5s,
            "enabled": True,
            # A tick nobody ran within 30 s is dropped: the next one does the same work.
            "expire_seconds": 30,
            "description": "Queues an export of every event-stream destination that is due.",
        },
    )


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_event_streams"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
