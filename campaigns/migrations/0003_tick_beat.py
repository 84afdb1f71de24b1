"""Beat runs the campaign scheduler every 15 seconds (django-celery-beat's database scheduler)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TASK = "campaigns.tick"
NAME = "Campaigns: scheduler tick"


def install(apps: Any, schema_editor: Any) -> None:
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = interval_model.objects.get_or_create(every=15, period="seconds")
    task_model.objects.update_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "interval": every,
            "enabled": True,
            "expire_seconds": 30,
            "description": "Starts due campaign runs once, releases held messages, completes drained runs.",
        },
    )


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_campaign_schedule_runs"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
