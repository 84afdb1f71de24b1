"""Beat runs the deliverability guard every minute and the retention prune every hour."""

from __future__ import annotations

from django.db import migrations

from engage.runtime.beat import Periodic, periodic_tasks


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0005_delivery_settings_guard"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        periodic_tasks(
            Periodic(
                name="Channels: deliverability guard",
                task="channels.guard_tick",
                every_seconds=60,
                expire_seconds=60,
                description="Recomputes bounce and complaint rates per email config and pauses configs past the limits.",
            ),
            Periodic(
                name="Channels: retention prune",
                task="channels.prune",
                every_seconds=3600,
                expire_seconds=3600,
                description="Deletes delivery ledger rows and events older than each tenant's retention period.",
            ),
        )
    ]
