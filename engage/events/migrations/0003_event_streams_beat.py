"""Beat runs the event-stream export tick every 5 seconds (django-celery-beat's database scheduler)."""

from __future__ import annotations

from django.db import migrations

from engage.runtime.beat import Periodic, periodic_tasks


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_event_streams"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        periodic_tasks(
            Periodic(
                name="Event streams: export tick",
                task="events.streams_tick",
                every_seconds=5,
                expire_seconds=30,
                description="Queues an export of every event-stream destination that is due.",
            ),
        )
    ]
