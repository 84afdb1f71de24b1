"""The rows of an import file, each an EndpointRequest; newline-delimited JSON here, CSV in csvfile.py.

JSON lines are Pinpoint endpoint objects (the export format); dotted keys (`User.UserId`) are accepted too.
Rows without an Id get one derived from (ChannelType, Address), so importing the same file again updates
the same endpoints.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from engage.errors import Invalid
from segments.codec import DEMOGRAPHIC, LOCATION_TEXT, OPT_IN, EndpointWrite

TOP_LEVEL = {
    "Id",
    "ChannelType",
    "Address",
    "EndpointStatus",
    "OptOut",
    "EffectiveDate",
    "CreationDate",
    "CohortId",
    "RequestId",
}
IGNORED = {"ApplicationId"}  # present in Pinpoint's export lines; the importing tenant replaces it
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
MAX_RAW = 4000  # characters of a rejected row kept for the error report
# Bytes of an endpoint's JSON that do not come from the row: keys, dates, cohort, request id, brackets.
FIXED_JSON_BYTES = 2048


class HeaderError(Exception):
    """The file cannot be read at all (bad header, empty file): every row of it is refused."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Column:
    """Where a CSV column (or a dotted JSON key) goes: `kind` is top, list, metric, demographic, location or user."""

    kind: str
    key: str
    group: tuple[str, ...] = ()


@dataclass  # no slots: a slotted dataclass pickles through Python code, and rows cross a pipe by the thousand
class Row:
    """One row of a file: an endpoint update, a user whose endpoints join the segment, or an error."""

    line: int
    raw: str
    endpoint_id: str = ""
    data: dict[str, Any] | None = None
    user_id: str = ""
    error: Invalid | None = None
    write: EndpointWrite | None = None
    # An upper bound of the endpoint's JSON size when it is built from this row alone (skips the exact check).
    size_bound: int = 0
    # Worked out by the reader on the PostgreSQL path: the custom names the row writes, and the row merged as
    # if its endpoint were new — its outcome (status, message, field) and its COPY line —, used when that
    # turns out true. Plain values only: the reader may be another process.
    names: frozenset[tuple[str, str]] | None = None
    outcome: tuple[int, str, str | None] | None = None
    copy: bytes | None = None
    owner: str = ""  # the endpoint's User.UserId, for the 15-endpoints-per-user bound
    # How to rebuild `data` from `raw` (the reader drops `data` and `write` once it has used them: they are
    # the costliest part of a row to ship); the writer re-parses the rows that need a full merge.
    reparse: Callable[[str], dict[str, Any]] | None = None


def column_for(path: str) -> Column:
    """Compile a dotted Pinpoint path; HeaderError names the column when it is not one Engage can import."""
    if path in TOP_LEVEL or path in IGNORED:
        return Column("top" if path in TOP_LEVEL else "ignored", path)
    if path == "User.UserId":
        return Column("user", "UserId")
    if path.startswith("User.UserAttributes.") and len(path) > len("User.UserAttributes."):
        return Column("list", path[len("User.UserAttributes.") :], ("User", "UserAttributes"))
    group, _, name = path.partition(".")
    if name and group == "Attributes":
        return Column("list", name, ("Attributes",))
    if name and group == "Metrics":
        return Column("metric", name)
    if group == "Demographic" and name in DEMOGRAPHIC:
        return Column("demographic", name)
    if group == "Location" and (name in LOCATION_TEXT or name in ("Latitude", "Longitude")):
        return Column("location", name)
    if group == OPT_IN and name in ("Date", "Source"):
        return Column("opt_in", name)
    raise HeaderError(
        f"column {path!r} is not an endpoint field: use Id, ChannelType, Address, OptOut, User.UserId, "
        "Attributes.<name>, User.UserAttributes.<name>, Metrics.<name>, Demographic.<field>, Location.<field> "
        f"or {OPT_IN}.Date / {OPT_IN}.Source"
    )


def number(text: str, path: str) -> int | float:
    if "_" not in text:
        try:
            return int(text)
        except ValueError:
            pass
    if NUMBER.fullmatch(text):
        return float(text)
    raise Invalid(f"{path} must be a number, not {text[:40]!r}", field=path)


def _place(data: dict[str, Any], column: Column, value: Any) -> None:
    """Put the value of a dotted JSON key where its path says."""
    holder = data
    for part in column.group or {
        "metric": ("Metrics",),
        "demographic": ("Demographic",),
        "location": ("Location",),
        "user": ("User",),
        "opt_in": (OPT_IN,),
    }.get(column.kind, ()):
        holder = holder.setdefault(part, {})
    if column.kind != "ignored":
        holder[column.key] = value


def json_data(text: str) -> dict[str, Any]:
    """The EndpointRequest of one JSON line (nested like Pinpoint's export, or with dotted keys)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        message = getattr(exc, "msg", str(exc))
        raise Invalid(
            f"the line is not valid JSON ({message}, column {getattr(exc, 'colno', '?')})", field=""
        ) from None
    if not isinstance(data, dict):
        raise Invalid("each line must be one JSON object (an endpoint)", field="")
    if any("." in key for key in data):
        nested: dict[str, Any] = {}
        for key, value in data.items():
            if "." not in key:
                current = nested.get(key)
                nested[key] = {**current, **value} if isinstance(current, dict) and isinstance(value, dict) else value
                continue
            try:
                _place(nested, column_for(key), value)
            except HeaderError as exc:
                raise Invalid(exc.message, field=key) from None
        data = nested
    return data


def derived_id(channel: str, address: str) -> str:
    """The id of an endpoint imported without one: stable per (channel, address), so re-imports update it."""
    return hashlib.blake2b(f"{channel}\x1f{address}".encode(), digest_size=16).hexdigest()


def identify(row: Row) -> None:
    """Fill in the row's endpoint id, or the user id of a user-only row; Invalid when it names neither."""
    data = row.data or {}
    given = data.get("Id")
    if given not in (None, ""):
        if isinstance(given, bool) or not isinstance(given, str | int):
            raise Invalid("Id must be a string", field="Id")
        row.endpoint_id = str(given)
        return
    channel, address = data.get("ChannelType"), data.get("Address")
    if isinstance(channel, str) and channel and isinstance(address, str) and address.strip():
        row.endpoint_id = derived_id(channel, address.strip())
        return
    user = data.get("User")
    if set(data) - IGNORED == {"User"} and isinstance(user, dict) and set(user) == {"UserId"} and user["UserId"]:
        row.user_id = str(user["UserId"])
        return
    raise Invalid("a new endpoint needs ChannelType and Address; to update an endpoint, give its Id", field="Address")


def decoded(lines: Iterable[bytes], bad: set[int], seen: list[str]) -> Iterator[str]:
    """Text lines (UTF-8 only); a line that is not UTF-8 becomes empty and its number is put in `bad`."""
    for number, raw in enumerate(lines, 1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            bad.add(number)
            text = "\n"
        if number == 1 and text.startswith("\ufeff"):
            text = text[1:]
        seen.append(text)
        yield text


def not_utf8(line: int, raw: str) -> Row:
    return Row(line, raw, error=Invalid("the line is not UTF-8 text; save the file as UTF-8", field=""))


def json_rows(lines: Iterable[bytes]) -> Iterator[Row]:
    """Rows of a newline-delimited JSON file; blank lines are skipped."""
    bad: set[int] = set()
    for number, text in enumerate(decoded(lines, bad, []), 1):
        if number in bad:
            yield not_utf8(number, "")
            continue
        if not text.strip():
            continue
        raw = text.rstrip("\r\n")
        row = Row(number, raw, size_bound=FIXED_JSON_BYTES + 24 * len(raw), reparse=json_data)
        try:
            row.data = json_data(raw)
            identify(row)
        except Invalid as exc:
            row.error = exc.with_traceback(None)  # no frame cycles: the collector is off while importing
        yield row
