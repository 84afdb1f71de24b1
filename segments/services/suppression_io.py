"""Import and export of the suppression list as CSV: `address[,reason][,channel][,note]`, with or without a
header row (a header may name the columns in any order; columns it does not know, such as those an export
adds, are ignored, so an exported file imports as it is)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC

from django.db import transaction
from django.db.models import QuerySet

from engage import clock
from engage.errors import Invalid
from engage.tenancy.audit import Actor, actor_label, audit
from engage.tenancy.models import Tenant
from segments.addresses import address_normalize
from segments.models import SuppressedAddress
from segments.selectors import suppressions_filter
from segments.services.suppression import (
    MAX_NOTE,
    suppression_channel_check,
    suppression_reason_check,
)

MAX_IMPORT_ROWS = 100_000
MAX_IMPORT_BYTES = 32 * 1024 * 1024
MAX_REPORTED_ERRORS = 1000
WRITE_BATCH = 1000
IMPORT_COLUMNS = ("address", "reason", "channel", "note")
EXPORT_COLUMNS = ("address", "reason", "channel", "source", "note", "created_by", "created_at")


@dataclass
class LineError:
    line: int
    message: str


@dataclass
class ImportReport:
    """What an import did: rows read, rows added, rows already listed, and the refused lines (first 1,000)."""

    rows: int = 0
    added: int = 0
    existing: int = 0
    error_count: int = 0
    errors: list[LineError] = field(default_factory=list)

    def refuse(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(LineError(line, message))


def _text(data: bytes) -> str:
    if not data.strip():
        raise Invalid("the file is empty: give one address per line (address[,reason][,channel][,note])", field="file")
    if len(data) > MAX_IMPORT_BYTES:
        raise Invalid(f"the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB: split it", field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"the file is not UTF-8 text (byte {exc.start}): save it as UTF-8 CSV", field="file") from None


def _columns(cells: list[str]) -> dict[str, int] | None:
    """The header's column positions, or None when the first row is already an address."""
    names = [c.strip().lower() for c in cells]
    if "address" not in names:
        return None
    return {name: names.index(name) for name in IMPORT_COLUMNS if name in names}


def _parsed(text: str, report: ImportReport) -> dict[tuple[str, str], SuppressedAddress]:
    """The valid rows of the file, one per (address, channel), the first one winning; refusals go in `report`."""
    reader = csv.reader(io.StringIO(text))
    columns: dict[str, int] | None = None
    first = True
    wanted: dict[tuple[str, str], SuppressedAddress] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if first:
            first = False
            columns = _columns(cells)
            if columns is not None:
                continue
        report.rows += 1
        if report.rows > MAX_IMPORT_ROWS:
            raise Invalid(
                f"the file has more than {MAX_IMPORT_ROWS:,} rows: split it into files of at most "
                f"{MAX_IMPORT_ROWS:,} and import them one by one",
                field="file",
            )
        try:
            row = _row(cells, columns or {name: i for i, name in enumerate(IMPORT_COLUMNS)})
        except Invalid as exc:
            report.refuse(line, exc.message)
            continue
        wanted.setdefault((row.address, row.channel), row)
    return wanted


def _row(cells: list[str], columns: dict[str, int]) -> SuppressedAddress:
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    channel = suppression_channel_check(cell("channel"))
    note = cell("note")
    if len(note) > MAX_NOTE:
        raise Invalid(f"the note is longer than {MAX_NOTE} characters", field="note")
    return SuppressedAddress(
        address=address_normalize(cell("address"), channel=channel),
        reason=suppression_reason_check(cell("reason"), default=SuppressedAddress.Reason.IMPORT),
        channel=channel,
        note=note,
    )


@transaction.atomic
def suppression_import(*, tenant: Tenant, data: bytes, filename: str, by: Actor, ip: str | None = None) -> ImportReport:
    """Add every valid line of a CSV file (at most 100,000 rows); addresses already listed stay as they were.
    Bad lines are reported with their line numbers and do not stop the others."""
    report = ImportReport()
    wanted = _parsed(_text(data), report)
    if not report.rows:
        raise Invalid("the file has no addresses, only a header row", field="file")
    now, label, source = clock.now(), actor_label(by)[:255], f"import:{filename}"[:255]
    rows = list(wanted.values())
    for start in range(0, len(rows), WRITE_BATCH):
        batch = rows[start : start + WRITE_BATCH]
        present = set(
            SuppressedAddress.objects.for_tenant(tenant)
            .filter(address__in={r.address for r in batch})
            .values_list("address", "channel")
        )
        new = [r for r in batch if (r.address, r.channel) not in present]
        for r in new:
            r.tenant, r.source, r.created_by, r.created_at = tenant, source, label, now
        SuppressedAddress.objects.bulk_create(new, ignore_conflicts=True)
        report.added += len(new)
        report.existing += len(batch) - len(new)
    data_ = {"file": filename, "rows": report.rows, "added": report.added, "errors": report.error_count}
    audit(tenant=tenant, actor=by, action="suppression.import", data=data_, ip=ip)
    return report


def suppression_export(
    *,
    tenant: Tenant,
    by: Actor,
    q: str | None = None,
    reason: str | None = None,
    channel: str | None = None,
    ip: str | None = None,
) -> Iterator[str]:
    """The list (or the filtered part of it) as CSV text, produced a chunk at a time; the export is audited."""
    audit(tenant=tenant, actor=by, action="suppression.export", data={"q": q or "", "reason": reason or ""}, ip=ip)
    queryset = suppressions_filter(tenant=tenant, q=q, reason=reason, channel=channel)
    return _csv_chunks(queryset.order_by("pk"))


def _csv_chunks(queryset: QuerySet[SuppressedAddress]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last)[:WRITE_BATCH])
        for r in batch:
            created = r.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            writer.writerow([r.address, r.reason, r.channel, r.source, r.note, r.created_by, created])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
        if len(batch) < WRITE_BATCH:
            return
        last = batch[-1].pk
