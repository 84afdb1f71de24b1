"""The import's fresh-chunk path (reader's merge + COPY lines from a forked reader) gives what the generic path does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from segments.services.imports.forked import forked
from tests.factories import TenantFactory
from tests.segments.import_support import csv_bytes, documents, failures, run_upload

pytestmark = pytest.mark.django_db

HEADER = [
    "ChannelType",
    "Address",
    "User.UserId",
    "Attributes.Interests",
    "Attributes.Interests",
    "User.UserAttributes.age",
    "Metrics.visits",
    "Metrics.spend",
    "Demographic.Platform",
    "Demographic.Timezone",
    "Location.Country",
    "Location.Latitude",
    "OptOut",
    "EffectiveDate",
]
# One broken cell each (then a valid row), after the column they break.
BROKEN = {
    0: "PIGEON",  # not a channel
    1: "not-an-email",
    3: "x" * 101,  # an attribute value over 100 characters
    6: "seven",  # not a number
    7: "1e999",  # not finite
    9: "Mars/Base",  # not a time zone
    10: "TOOLONGCOUNTRY",
    11: "91",  # latitude out of range
    12: "SOMETIMES",  # not an OptOut value
    13: "yesterday",  # not a date
}


def _row(i: int) -> list[str]:
    sms = i % 3 == 0
    return [
        "SMS" if sms else "EMAIL",
        f"+1555{i:07d}" if sms else f"p{i}@example.com",
        f"user-{i % 40}" if i % 5 else "",
        ["golf", "jazz", ""][i % 3],
        ["chess", "", "tennis \\ \u00e9"][i % 3],
        str(18 + i % 60) if i % 4 else "",
        str(i % 97) if i % 2 else "",
        f"{(i % 1000) / 10:.1f}",
        ["ios", "web\\beta\ttab", ""][i % 3],
        "Asia/Seoul" if i % 7 == 0 else "",
        ["US", "KR", ""][i % 3],
        f"{(i % 180) - 90}.25" if i % 6 == 0 else "",
        "ALL" if i % 13 == 0 else "",
        "2026-01-02T03:04:05Z" if i % 17 == 0 else "",
    ]


def _file() -> bytes:
    rows = [_row(i) for i in range(600)]
    for column, value in BROKEN.items():
        rows[50 + column * 7][column] = value
    rows[400][1] = "+1 555 0100"  # SMS address with spaces
    rows[401][0:2] = ["EMAIL", ""]  # no address: not a new endpoint
    rows[402] = rows[402][:5]  # too few cells
    rows[403] = ["", "", "user-3", *[""] * 11]  # a user-only row
    rows[404] = ["", "", "nobody", *[""] * 11]  # a user-only row of an unknown user
    rows += [_row(i) for i in range(600, 620)]
    for i in range(20):  # user-0 … user-39 each have 15 endpoints already from the rows above: over the cap
        rows.append(["EMAIL", f"late{i}@example.com", "user-1", *[""] * 11])
    data = csv_bytes(HEADER, rows)
    return data.replace(b"p601@example.com", b"p601@example.com\xff")  # one line that is not UTF-8


def test_a_fresh_import_gives_the_generic_paths_endpoints_and_failures_and_reimports_agree() -> None:
    fast, generic = TenantFactory(name="Fresh fast"), TenantFactory(name="Fresh generic")
    data = _file()
    # Chunks of 100: most go in whole from the reader's COPY lines; those where a user nears 15 endpoints merge.
    fast_job = run_upload(fast, data, "audience.csv", fast=True, define_segment=True, chunk_rows=100)
    generic_job = run_upload(generic, data, "audience.csv", fast=False, define_segment=True, chunk_rows=100)

    volatile = ("EffectiveDate", "CreationDate", "RequestId")
    fast_docs = documents(fast, drop=volatile)
    assert fast_docs == documents(generic, drop=volatile)
    assert failures(fast_job) == failures(generic_job)
    assert (fast_job.imported, fast_job.total_failures) == (generic_job.imported, generic_job.total_failures)
    reasons = " | ".join(reason for _, _, reason in failures(fast_job))
    for expected in (
        "ChannelType must be one of",
        "not a valid email",
        "longer than 100",
        "must be a number",
        "not an IANA time zone",
        "Location.Country is longer",
        "between -90 and 90",
        "OptOut must be",
        "ISO 8601",
        "E.164",
        "needs ChannelType and Address",
        "values but the header",
        "not UTF-8",
        "no endpoint has the user id 'nobody'",
        "Exceeded maximum endpoint per user count 15",
    ):
        assert expected in reasons
    assert len(fast_docs) > 500 and fast_job.total_failures >= 15

    # The same file again: every endpoint exists now (the full merge), nothing changes, nothing new fails.
    again = run_upload(fast, data, "audience.csv", fast=True, chunk_rows=100)
    assert documents(fast, drop=volatile) == fast_docs
    assert failures(again) == failures(fast_job)


def _numbers(stop: int, fail_at: int | None = None) -> Iterator[list[int]]:
    for i in range(stop):
        if i == fail_at:
            raise OSError(f"the disk went away at {i}")
        yield [i] * 1000


def test_forked_yields_the_childs_items_in_order_and_raises_its_errors_here() -> None:
    assert [items[0] for items in forked(lambda: _numbers(5))] == [0, 1, 2, 3, 4]
    seen = []
    with pytest.raises(OSError, match="the disk went away at 3"):
        for items in forked(lambda: _numbers(9, fail_at=3)):
            seen.append(items[0])
    assert seen == [0, 1, 2]
    for items in forked(lambda: _numbers(10_000)):  # the consumer stops early: the child is not left behind
        if items[0] == 2:
            break
