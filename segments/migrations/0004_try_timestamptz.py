"""engage_try_timestamptz(text): a timestamp, or NULL when the text is not one (PostgreSQL only).

Date criteria (BEFORE/AFTER/ON/BETWEEN) compare attribute values that are free text; a plain cast would fail
the whole query on the first value that is not a date.
"""
from __future__ import annotations

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION engage_try_timestamptz(value text) RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF value !~ '^\\d{4}-\\d{2}-\\d{2}' THEN
        RETURN NULL;
    END IF;
    RETURN value::timestamptz;
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS engage_try_timestamptz(text)")


class Migration(migrations.Migration):
    dependencies = [("segments", "0003_segment_versions_suppression")]
    operations = [migrations.RunPython(create, drop)]
