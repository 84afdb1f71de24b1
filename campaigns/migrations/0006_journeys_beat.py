"""Beat runs the journey tick every 10 seconds: segment entries due, resumes due, closing and completion, and
advancers started when participants are due."""

from __future__ import annotations

from django.db import migrations

from engage.runtime.beat import Periodic, periodic_tasks


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_journeys"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        periodic_tasks(
            Periodic(
                name="Journeys: tick",
                task="journeys.tick",
                every_seconds=10,
                expire_seconds=20,
                description="Starts due segment entries, closes and completes journeys, starts the advancers.",
            ),
        )
    ]
