"""GIN indexes for attribute containment filters; PostgreSQL only (SQLite segments use json_each)."""

from __future__ import annotations

from django.db import migrations

INDEXES = {
    "endpoint_attributes_gin": "attributes",
    "endpoint_user_attributes_gin": "user_attributes",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON segments_endpoint USING gin ({column} jsonb_path_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("segments", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
