"""Beat runs the campaign scheduler every 15 seconds (django-celery-beat's database scheduler)."""

from __future__ import annotations

from django.db import migrations

from engage.runtime.beat import Periodic, periodic_tasks


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_campaign_schedule_runs"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        periodic_tasks(
            Periodic(
                name="Campaigns: scheduler tick",
                task="campaigns.tick",
                every_seconds=15,
                expire_seconds=30,
                description="Starts due campaign runs once, releases held messages, completes drained runs.",
            ),
        )
    ]
