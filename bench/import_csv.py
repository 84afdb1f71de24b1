"""Bulk import: a generated CSV of N endpoints through an import job, end to end (read, parse, validate, write).

The CSV has the columns a real audience file has: ChannelType, Address, User.UserId, a repeated
Attributes.Interests column, another attribute, a user attribute, two metrics, Demographic.Platform and
Location.Country; a third of the rows are SMS endpoints. The job runs in-process (as `manage.py endpoints
import` does), on the PostgreSQL fast path when the database is PostgreSQL.
"""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._common import bench_tenant, machine

DEFAULT_N = 1_000_000
HEADER = [
    "ChannelType",
    "Address",
    "User.UserId",
    "Attributes.Interests",
    "Attributes.Interests",
    "Attributes.Plan",
    "User.UserAttributes.age",
    "Metrics.visits",
    "Metrics.spend",
    "Demographic.Platform",
    "Location.Country",
]
INTERESTS = ["golf", "tennis", "jazz", "hiking", "cooking", "travel", "chess", "cinema"]
PLANS = ["free", "basic", "pro", "enterprise"]
PLATFORMS = ["ios", "android", "web"]
COUNTRIES = ["US", "KR", "DE", "FR", "JP", "BR", "IN", "GB"]


def generate(path: Path, n: int) -> int:
    """Write the CSV; returns its size in bytes."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(n):
            sms = i % 3 == 0
            writer.writerow(
                [
                    "SMS" if sms else "EMAIL",
                    f"+1555{i:07d}" if sms else f"person{i}@example.com",
                    f"user-{i}",
                    INTERESTS[i % 8],
                    INTERESTS[(i // 8) % 8],
                    PLANS[i % 4],
                    str(18 + i % 60),
                    str(i % 97),
                    f"{(i % 1000) / 10:.1f}",
                    PLATFORMS[i % 3],
                    COUNTRIES[i % 8],
                ]
            )
    return path.stat().st_size


def _vacuum() -> None:
    """Autovacuum is off on the benchmark host: without this, dead rows of earlier runs slow every index."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE segments_endpoint")


def run(n: int) -> dict[str, Any]:
    from segments.models import ImportJob, JobStatus
    from segments.services.imports.runner import import_run

    _vacuum()
    with bench_tenant("import_csv") as tenant, tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "audience.csv"
        size = generate(path, n)
        job = ImportJob.objects.create(tenant=tenant, format=ImportJob.Format.CSV, source=path.name)
        started = time.perf_counter()
        done = import_run(tenant_id=tenant.pk, job_id=job.pk, local_path=str(path))
        seconds = time.perf_counter() - started
        assert done is not None and done.status == JobStatus.COMPLETED, done and done.message
        return {
            "per_s": round(n / seconds),
            "seconds": round(seconds, 2),
            "failed": done.total_failures,
            "imported": done.imported,
            "file_mb": round(size / 1e6, 1),
            **machine(),
        }
