"""A sequence numbering bulk-enqueued chunks (journey sends), so numbering one never locks its Dispatch row until
the enqueuing transaction commits. PostgreSQL only: elsewhere the Dispatch row's counter is used."""

from __future__ import annotations

from typing import Any

from django.db import migrations

SEQUENCE = "channels_delivery_chunk_seq"


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        # int4 like Delivery.chunk, above the dense per-dispatch numbers deliveries_enqueue gives; cycling reuses
        # old numbers, which a send task treats like any other chunk (it sends whatever is queued in it).
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} AS integer MINVALUE 1000000 CYCLE")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("channels", "0007_hook_reasons")]

    operations = [migrations.RunPython(create, drop)]
