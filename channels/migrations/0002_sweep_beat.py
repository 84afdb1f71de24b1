"""Beat runs the delivery sweeper every 30 seconds (django-celery-beat's database scheduler)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TASK = "channels.sweep"
NAME = "Channels: delivery sweeper"


def install(apps: Any, schema_editor: Any) -> None:
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    every_30s, _ = interval_model.objects.get_or_create(every=30, period="seconds")
    task_model.objects.update_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "interval": every_30s,
            "enabled": True,
            "expire_seconds": 60,
            "description": "Requeues or resolves deliveries left by lost workers; re-enqueues missing chunk tasks.",
        },
    )


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
