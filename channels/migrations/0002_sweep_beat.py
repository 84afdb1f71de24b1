"""Beat runs the delivery sweeper every 30 seconds (django-celery-beat's database scheduler)."""

from __future__ import annotations

from django.db import migrations

from engage.runtime.beat import Periodic, periodic_tasks


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        periodic_tasks(
            Periodic(
                name="Channels: delivery sweeper",
                task="channels.sweep",
                every_seconds=30,
                expire_seconds=60,
                description="Requeues or resolves deliveries left by lost workers; re-enqueues missing chunk tasks.",
            ),
        )
    ]
