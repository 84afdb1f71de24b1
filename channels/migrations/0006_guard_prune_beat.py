"""Beat runs the deliverability guard every minute and the retention prune every hour."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TASKS = [
    (
        "Channels: deliverability guard",
        "channels.guard_tick",
        60,
        "Recomputes bounce and complaint rates per email config and pauses configs past the limits.",
    ),
    (
        "Channels: retention prune",
        "channels.prune",
        3600,
        "Deletes delivery ledger rows and events older than each tenant's retention period.",
    ),
]


def install(apps: Any, schema_editor: Any) -> None:
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, seconds, description in TASKS:
        interval, _ = interval_model.objects.get_or_create(every=seconds, period="seconds")
        task_model.objects.update_or_create(
            name=name,
            defaults={
                "task": task,
                "interval": interval,
                "enabled": True,
                "expire_seconds": seconds,
                "description": description,
            },
        )


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[t[0] for t in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0005_delivery_settings_guard"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
