"""Writing one chunk of imported rows: the generic path (endpoints_upsert, any database) and, in pgwriter.py,
PostgreSQL's.

Both apply UpdateEndpoint semantics with the same codec and the same limits, and give the same endpoints
and the same per-row results; the PostgreSQL path merges without Django model overhead and writes with COPY.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from django.db import connection

from engage.tenancy.models import Tenant
from segments.models import Endpoint, ImportedMember, Segment
from segments.services.endpoints import ItemResult, endpoints_upsert
from segments.services.imports.formats import Row
from segments.services.imports.pgwriter import PostgresWriter


class ChunkWriter(Protocol):
    def prepare(self, row: Row, *, now: datetime) -> None:
        """Work on one row that needs no database (called in the reader thread)."""

    def write(self, rows: Sequence[Row], *, now: datetime) -> list[ItemResult]:
        """Apply the rows that name an endpoint; one result per row."""

    def add_members(self, *, segment: Segment, endpoint_ids: list[str], job_id: int) -> None: ...

    def after_chunk(self, *, imported: int) -> None:
        """Called between chunks with the rows imported so far."""


class GenericWriter:
    """endpoints_upsert, exactly as the API uses it (the embedded SQLite default takes this path)."""

    def __init__(self, *, tenant: Tenant, request_id: str) -> None:
        self.tenant = tenant
        self.request_id = request_id

    def prepare(self, row: Row, *, now: datetime) -> None:
        """Nothing ahead: endpoints_upsert parses and merges each chunk itself."""

    def after_chunk(self, *, imported: int) -> None:
        """Nothing to do between chunks."""

    def write(self, rows: Sequence[Row], *, now: datetime) -> list[ItemResult]:
        items = [(row.endpoint_id, row.data) for row in rows]
        return endpoints_upsert(
            tenant=self.tenant, items=items, trusted=True, require_address=True, request_id=self.request_id, now=now
        )

    def add_members(self, *, segment: Segment, endpoint_ids: list[str], job_id: int) -> None:
        pks = Endpoint.objects.for_tenant(self.tenant).filter(endpoint_id__in=endpoint_ids).values_list("pk", flat=True)
        ImportedMember.objects.bulk_create(
            [ImportedMember(segment=segment, endpoint_id=pk, import_job=job_id) for pk in pks],
            update_conflicts=True,
            unique_fields=["segment", "endpoint"],
            update_fields=["import_job"],
            batch_size=1000,
        )


def writer_for(*, tenant: Tenant, request_id: str, fast: bool | None = None) -> ChunkWriter:
    """PostgreSQL's fast path when the database is PostgreSQL (or `fast` says so), the generic path otherwise."""
    if fast is None:
        fast = connection.vendor == "postgresql"
    return (PostgresWriter if fast else GenericWriter)(tenant=tenant, request_id=request_id)
