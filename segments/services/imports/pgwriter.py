"""The PostgreSQL fast path of imports: rows merged like UpdateEndpoint without Django model overhead, written
with COPY.

The reader thread parses each row and merges it as if its endpoint were new (most rows of a bulk import are);
the writer then reads the chunk's existing endpoints under lock, re-merges only the rows that turn out to
update one (or repeat an id of the chunk), checks the tenant's caps, and COPYs new endpoints straight into the
table and changed ones through a staging table.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models.base import ModelState
from psycopg._copy_base import format_row_text
from psycopg.adapt import Transformer

from engage.errors import Invalid
from engage.tenancy.models import Tenant
from segments.codec import MAX_ENDPOINT_BYTES, EndpointWrite, apply_write, endpoint_json_size, parse_endpoint
from segments.models import Endpoint, Segment
from segments.services.attributes import attribute_names_admit
from segments.services.endpoints import (
    MAX_ENDPOINTS_PER_USER,
    WRITE_FIELDS,
    ItemResult,
    _content,
    _enforce_user_cap,
)
from segments.services.imports.formats import Row

JSON_FIELDS = frozenset({"attributes", "metrics", "user_attributes"})
LOADED = ["id", "endpoint_id", *WRITE_FIELDS, "last_active_at"]
STAGE = "engage_import_stage"
ANALYZE_FIRST = 10_000
# Statements built once from the model's own column names; values always travel as parameters. A chunk's ids
# travel as one JSON array (psycopg adapts a 10,000-item list in Python, JSON is one C call) and each id is
# looked up on its own (LATERAL, a fence the planner cannot flatten): an index probe per row of the chunk.
# The tenant id goes in as an InitPlan value: statistics taken before the import call a new tenant "one row",
# and the planner would then filter that tenant's rows through the (tenant_id) index for every id, instead of
# using the (tenant_id, endpoint_id) / (tenant_id, user_id) indexes.
TENANT = "(SELECT %s::bigint)"
_STAGED = ", ".join(["endpoint_id", *WRITE_FIELDS])
IDS = "jsonb_array_elements_text(%s::jsonb)"
LOAD_SQL = (
    f"SELECT found.* FROM {IDS} AS ids(endpoint_id) CROSS JOIN LATERAL ("  # noqa: S608
    f"SELECT {', '.join(LOADED)} FROM segments_endpoint e WHERE e.tenant_id = {TENANT} "
    "AND e.endpoint_id = ids.endpoint_id "
    "FOR UPDATE) AS found"
)
INSERT_COPY = f"COPY segments_endpoint (tenant_id, {_STAGED}) FROM STDIN"
STAGE_CREATE = f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} AS SELECT {_STAGED} FROM segments_endpoint WITH NO DATA"  # noqa: S608
STAGE_COPY = f"COPY {STAGE} ({_STAGED}) FROM STDIN"
STAGE_UPDATE = (
    f"UPDATE segments_endpoint AS e SET {', '.join(f'{n} = s.{n}' for n in WRITE_FIELDS)} "  # noqa: S608
    f"FROM {STAGE} AS s WHERE e.tenant_id = {TENANT} AND e.endpoint_id = s.endpoint_id"
)
USER_COUNTS_SQL = (
    "SELECT users.user_id, (SELECT count(*) FROM segments_endpoint e "  # noqa: S608
    f"WHERE e.tenant_id = {TENANT} AND e.user_id = users.user_id) FROM {IDS} AS users(user_id)"
)
MEMBERS_SQL = (
    "INSERT INTO segments_importedmember (segment_id, endpoint_id, import_job) "  # noqa: S608
    f"SELECT %s, found.id, %s FROM {IDS} AS ids(endpoint_id) CROSS JOIN LATERAL ("
    f"SELECT e.id FROM segments_endpoint e WHERE e.tenant_id = {TENANT} AND e.endpoint_id = ids.endpoint_id OFFSET 0"
    ") AS found "
    "ON CONFLICT (segment_id, endpoint_id) DO UPDATE SET import_job = EXCLUDED.import_job"
)
ACCEPTED = (202, "Accepted", None)
_DEFAULTS = {f.attname: f.get_default() for f in Endpoint._meta.concrete_fields}


def _json_encoder() -> Callable[[Any], str]:
    """Compact JSON, from one C encoder built once (JSONEncoder.encode builds a new one on every call)."""
    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_encoder is None:  # a Python without the _json accelerator
        return json.JSONEncoder(separators=(",", ":")).encode

    def refuse(value: Any) -> Any:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    make = make_encoder(None, refuse, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, True)
    return lambda value: "".join(make(value, 0))


_encode = _json_encoder()
STAGED_FIELDS = ["endpoint_id", *WRITE_FIELDS]
_JSON_INDEXES = [i for i, name in enumerate(STAGED_FIELDS) if name in JSON_FIELDS]
# Positions in a COPY line of INSERT_COPY (tenant_id first) of the date-time columns.
_DATE_INDEXES = [
    i + 1
    for i, name in enumerate(STAGED_FIELDS)
    if Endpoint._meta.get_field(name).get_internal_type() == "DateTimeField"
]


def _fresh(tenant_id: int, endpoint_id: str) -> Endpoint:
    """Endpoint(tenant_id=..., endpoint_id=...) without the cost of Model.__init__ (same defaults)."""
    endpoint = Endpoint.__new__(Endpoint)
    endpoint.__dict__.update(_DEFAULTS)
    endpoint.__dict__.update(
        attributes={}, metrics={}, user_attributes={}, tenant_id=tenant_id, endpoint_id=endpoint_id
    )
    endpoint._state = ModelState()
    return endpoint


def _clone(values: dict[str, Any]) -> Endpoint:
    endpoint = Endpoint.__new__(Endpoint)
    endpoint.__dict__.update(values)
    endpoint._state = ModelState()
    endpoint._state.adding = False
    endpoint._state.db = "default"
    return endpoint


class PostgresWriter:
    """The fast path: one locked read of the chunk's existing rows, a lean merge, COPY for new rows and changes."""

    def __init__(self, *, tenant: Tenant, request_id: str) -> None:
        self.tenant = tenant
        self.request_id = request_id
        self.analyzed_at = 0
        self._transformer = Transformer()
        self._dates: dict[datetime, str] = {}
        self._names: dict[frozenset[tuple[str, str]], frozenset[tuple[str, str]]] = {}

    def after_chunk(self, *, imported: int) -> None:
        """Refresh the planner's statistics as the import grows the tenant (after 10k rows, then at each 4x).

        Autoanalyze waits for a tenth of the whole table to change; until then the statistics still describe
        the tenant and its user ids as they were, and user lookups would walk all of the tenant's rows.
        """
        if imported >= max(ANALYZE_FIRST, 4 * self.analyzed_at):
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE segments_endpoint (tenant_id, endpoint_id, user_id)")
            self.analyzed_at = imported

    def prepare(self, row: Row, *, now: datetime) -> None:
        """Parse the row, then merge it as if its endpoint were new (most rows of a big import are) and format
        its COPY line; runs in the reader, which may be a forked process."""
        if row.error is not None or not row.endpoint_id:
            return
        self._parse(row, now)
        if row.reparse is not None:
            row.write = None  # rebuilt from row.raw only if the chunk needs the full merge (see _full)

    def _parse(self, row: Row, now: datetime) -> None:
        try:
            row.write = parse_endpoint(row.data, endpoint_id=row.endpoint_id, trusted=True)
        except Invalid as exc:
            row.error = exc.with_traceback(None)  # no frame cycles: the collector is off while importing
            return
        row.data = None  # parsed: the chunks in flight hold less
        # Rows with the same names share one set: the pipe's pickler then sends it once per chunk.
        names = frozenset(row.write.names())
        if len(self._names) > 1000:
            self._names.clear()
        row.names = self._names.setdefault(names, names)
        row.owner = row.write.scalars.get("user_id", "")
        fresh = self._merge_into(row, None, now)
        row.outcome = ACCEPTED if fresh.ok else (fresh.status_code, fresh.message, fresh.field)
        if fresh.endpoint is not None:
            row.copy = self._copy_line(fresh.endpoint)

    def _full(self, row: Row, now: datetime) -> None:
        """Parse again a row whose reader dropped its parsed form (the same text gives the same result)."""
        if row.write is None and row.reparse is not None:
            row.data = row.reparse(row.raw)
            self._parse(row, now)

    def write(self, rows: Sequence[Row], *, now: datetime) -> list[ItemResult]:
        existing = self._load(sorted({row.endpoint_id for row in rows}))
        wanted: set[tuple[str, str]] = set().union(*(row.names or () for row in rows))
        admitted = attribute_names_admit(tenant=self.tenant, names=wanted)
        # Only past the tenant's 250 names can a row be refused for them: check rows one by one only then.
        check = None if wanted <= admitted else admitted
        if check is None and not existing:
            fresh = self._write_fresh(rows)
            if fresh is not None:
                return fresh
        for row in rows:
            self._full(row, now)
        merged: dict[str, Endpoint] = {}
        results = [self._merge(row, check, existing, merged, now) for row in rows]
        changed = {eid: e for eid, e in merged.items() if eid not in existing or _content(e) != _content(existing[eid])}
        if self._may_pass_user_cap(changed, existing):
            _enforce_user_cap(self.tenant, changed, existing, results, now)
        self._insert([e for eid, e in changed.items() if eid not in existing])
        self._update([e for eid, e in changed.items() if eid in existing])
        return results

    def _write_fresh(self, rows: Sequence[Row]) -> list[ItemResult] | None:
        """A chunk of endpoints all new to the table, each id once, no user near the cap: the reader's merges
        are the results and its COPY lines go in as they are. None: the chunk needs the full merge."""
        if len({row.endpoint_id for row in rows}) != len(rows):
            return None
        accepted = [row for row in rows if row.outcome is not None and row.outcome[0] < 300]
        joining: dict[str, int] = {}
        for row in accepted:
            if row.owner:
                joining[row.owner] = joining.get(row.owner, 0) + 1
        if self._users_may_pass(joining):
            return None
        if accepted:
            with connection.cursor() as cursor, cursor.copy(INSERT_COPY) as copy:  # type: ignore[attr-defined]
                copy.write(b"".join(row.copy for row in accepted))  # type: ignore[misc]
        return [
            ItemResult(row.endpoint_id, row.outcome[0], row.outcome[1], field=row.outcome[2])  # type: ignore[index]
            for row in rows
        ]

    def _merge(
        self,
        row: Row,
        admitted: set[tuple[str, str]] | None,
        existing: dict[str, Endpoint],
        merged: dict[str, Endpoint],
        now: datetime,
    ) -> ItemResult:
        """endpoints._merge_one, on top of the chunk's earlier merge of the same id or the stored endpoint."""
        write: EndpointWrite = row.write  # type: ignore[assignment]
        refused = (row.names or frozenset()) - admitted if admitted is not None else None
        if refused:
            _kind, name = sorted(refused)[0]
            return ItemResult(
                write.endpoint_id,
                400,
                f"too many custom attributes: {name!r} would pass the tenant's limit of 250 attribute and metric names",
                field="Attributes",
            )
        base = merged.get(write.endpoint_id) or existing.get(write.endpoint_id)
        result = self._merge_into(row, base, now)
        if result.ok and result.endpoint is not None:
            merged[write.endpoint_id] = result.endpoint
        return result

    def _merge_into(self, row: Row, base: Endpoint | None, now: datetime) -> ItemResult:
        """Apply the row to a copy of `base` (None: a new endpoint), with _merge_one's checks."""
        write: EndpointWrite = row.write  # type: ignore[assignment]
        endpoint = _clone(dict(base.__dict__)) if base is not None else _fresh(self.tenant.pk, write.endpoint_id)
        try:
            if "request_id" not in write.scalars:
                write.scalars["request_id"] = self.request_id
            apply_write(endpoint, write, now=now)
            if base is None and not (endpoint.channel_type and endpoint.address):
                raise Invalid("a new endpoint needs ChannelType and Address", field="Address")
            if (base is not None or row.size_bound > MAX_ENDPOINT_BYTES) and endpoint_json_size(
                endpoint
            ) > MAX_ENDPOINT_BYTES:
                raise Invalid("the endpoint is larger than 15 KB", field="Endpoint")
        except Invalid as exc:
            return ItemResult(write.endpoint_id, 400, exc.message, field=exc.field)
        return ItemResult(write.endpoint_id, 202, "Accepted", endpoint=endpoint)

    def _may_pass_user_cap(self, changed: dict[str, Endpoint], existing: dict[str, Endpoint]) -> bool:
        """Whether any user could pass 15 endpoints (else endpoints._enforce_user_cap would change nothing).

        One indexed GROUP BY over the joining users bounds each user's count from above: all their stored
        endpoints plus every changed one of the chunk. Only when a bound passes the cap does the exact
        (and costlier) check run.
        """
        joining: dict[str, int] = {}
        for eid, endpoint in changed.items():
            if endpoint.user_id and getattr(existing.get(eid), "user_id", None) != endpoint.user_id:
                joining[endpoint.user_id] = 0
        for endpoint in changed.values():
            if endpoint.user_id in joining:
                joining[endpoint.user_id] += 1
        return self._users_may_pass(joining)

    def _users_may_pass(self, joining: dict[str, int]) -> bool:
        """Whether a user's stored endpoints plus the chunk's `joining` count could pass the cap."""
        if not joining:
            return False
        with connection.cursor() as cursor:
            cursor.execute(USER_COUNTS_SQL, [self.tenant.pk, _encode(list(joining))])
            stored = dict(cursor.fetchall())
        return any(stored.get(user, 0) + count > MAX_ENDPOINTS_PER_USER for user, count in joining.items())

    def _load(self, endpoint_ids: list[str]) -> dict[str, Endpoint]:
        with connection.cursor() as cursor:
            cursor.execute(LOAD_SQL, [_encode(endpoint_ids), self.tenant.pk])
            found = cursor.fetchall()
        out = {}
        for values in found:
            row = dict(zip(LOADED, values, strict=True))
            for name in JSON_FIELDS:
                if isinstance(row[name], str):
                    row[name] = json.loads(row[name])
            row["tenant_id"] = self.tenant.pk
            out[row["endpoint_id"]] = _clone(row)
        return out

    @staticmethod
    def _values(endpoint: Endpoint) -> list[Any]:
        values = [endpoint.__dict__[name] for name in STAGED_FIELDS]
        for index in _JSON_INDEXES:
            values[index] = _encode(values[index]) if values[index] else "{}"
        return values

    def _copy_line(self, endpoint: Endpoint) -> bytes:
        """The endpoint's line of INSERT_COPY, as cursor.copy().write_row formats it (psycopg's own formatter).

        Date-times go in as their text (str() is ISO 8601 with the offset, what psycopg sends too), each
        formatted once: the chunk's rows share the same `now`.
        """
        values: list[Any] = [self.tenant.pk, *self._values(endpoint)]
        for index in _DATE_INDEXES:
            value = values[index]
            if value is not None:
                text = self._dates.get(value)
                if text is None:
                    if len(self._dates) > 1000:
                        self._dates.clear()
                    text = self._dates[value] = str(value)
                values[index] = text
        line = bytearray()
        format_row_text(values, self._transformer, line)
        return bytes(line)

    def _insert(self, endpoints: list[Endpoint]) -> None:
        """New endpoints go straight into the table (a concurrent insert of one of them fails the chunk: retried)."""
        if not endpoints:
            return
        with connection.cursor() as cursor, cursor.copy(INSERT_COPY) as copy:  # type: ignore[attr-defined]
            copy.write(b"".join(self._copy_line(endpoint) for endpoint in endpoints))

    def _update(self, endpoints: list[Endpoint]) -> None:
        """Changed endpoints (rows locked by _load) are rewritten from a temporary staging table."""
        if not endpoints:
            return
        with connection.cursor() as cursor:
            cursor.execute(STAGE_CREATE)
            cursor.execute(f"TRUNCATE {STAGE}")
            with cursor.copy(STAGE_COPY) as copy:  # type: ignore[attr-defined]
                for endpoint in endpoints:
                    copy.write_row(self._values(endpoint))
            # Fresh statistics make the planner join through the (tenant, endpoint_id) index.
            cursor.execute(f"ANALYZE {STAGE}")
            cursor.execute(STAGE_UPDATE, [self.tenant.pk])

    def add_members(self, *, segment: Segment, endpoint_ids: list[str], job_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(MEMBERS_SQL, [segment.pk, job_id, _encode(sorted(set(endpoint_ids))), self.tenant.pk])
