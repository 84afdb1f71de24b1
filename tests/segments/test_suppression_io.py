"""CSV import and export of the suppression list."""

from __future__ import annotations

import pytest

from engage.errors import Invalid
from engage.tenancy.models import AuditLog, Tenant
from segments.models import SuppressedAddress
from segments.services.suppression import suppression_add
from segments.services.suppression_io import MAX_IMPORT_ROWS, suppression_export, suppression_import

pytestmark = pytest.mark.django_db


def _import(tenant: Tenant, text: str, filename: str = "list.csv") -> object:
    return suppression_import(tenant=tenant, data=text.encode(), filename=filename, by="ops")


def test_it_imports_rows_without_a_header_and_reports_bad_lines_by_number(tenant: Tenant) -> None:
    suppression_add(tenant=tenant, address="known@x.test", by="tests")
    text = (
        "Jane@Example.com\n"
        "+1 206 555 0100,sms_stop,SMS,texted STOP\n"
        "not-an-address@,,,\n"
        "\n"
        "known@x.test\n"
        "bob@x.test,bounce\n"
        "carl@x.test,LOST\n"
        "dana@x.test,,FAX\n"
        "JANE@example.com,complaint\n"
    )
    report = _import(tenant, text)
    assert (report.rows, report.added, report.existing, report.error_count) == (8, 3, 1, 3)
    assert [(e.line, e.message[:40]) for e in report.errors] == [
        (3, "'not-an-address@' is not a valid email a"),
        (7, "'LOST' is not a reason: use HARD_BOUNCE,"),
        (8, "'FAX' is not a channel: use EMAIL, SMS, "),
    ]
    rows = {
        (r.address, r.channel): (r.reason, r.source, r.note)
        for r in SuppressedAddress.objects.filter(tenant=tenant, source="import:list.csv")
    }
    assert rows == {
        ("jane@example.com", ""): ("IMPORT", "import:list.csv", ""),
        ("+12065550100", "SMS"): ("SMS_STOP", "import:list.csv", "texted STOP"),
        ("bob@x.test", ""): ("HARD_BOUNCE", "import:list.csv", ""),
    }
    entry = AuditLog.objects.get(tenant=tenant, action="suppression.import")
    assert entry.data == {"file": "list.csv", "rows": 8, "added": 3, "errors": 3}


def test_a_header_may_order_the_columns_and_an_export_imports_as_it_is(tenant: Tenant, other_tenant: Tenant) -> None:
    report = _import(tenant, "note,channel,address\nfrom the old tool,EMAIL,a@x.test\n,,b@x.test\n")
    assert (report.added, report.error_count) == (2, 0)
    exported = "".join(suppression_export(tenant=tenant, by="ops"))
    lines = exported.splitlines()
    assert lines[0] == "address,reason,channel,source,note,created_by,created_at"
    assert lines[1].startswith("a@x.test,IMPORT,EMAIL,import:list.csv,from the old tool,ops,")
    again = suppression_import(tenant=other_tenant, data=exported.encode(), filename="export.csv", by="ops")
    assert (again.added, again.error_count) == (2, 0)
    assert set(SuppressedAddress.objects.filter(tenant=other_tenant).values_list("address", "channel", "note")) == {
        ("a@x.test", "EMAIL", "from the old tool"),
        ("b@x.test", "", ""),
    }
    assert AuditLog.objects.filter(tenant=tenant, action="suppression.export").count() == 1


def test_the_export_streams_every_row_in_chunks_and_honours_the_filters(tenant: Tenant) -> None:
    rows = [
        SuppressedAddress(tenant=tenant, address=f"u{i:04d}@x.test", created_at="2026-11-01T00:00Z")
        for i in range(2100)
    ]
    SuppressedAddress.objects.bulk_create(rows)
    suppression_add(tenant=tenant, address="+12065550100", reason="SMS_STOP", channel="SMS", by="tests")
    chunks = list(suppression_export(tenant=tenant, by="ops"))
    assert len(chunks) == 3
    assert "".join(chunks).count("\n") == 2102
    only_sms = "".join(suppression_export(tenant=tenant, by="ops", channel="SMS")).splitlines()
    assert len(only_sms) == 2 and only_sms[1].startswith("+12065550100,SMS_STOP,SMS,manual,")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"address,reason\n", "only a header row"),
        (b"caf\xe9@x.test\n", "not UTF-8"),
    ],
)
def test_it_refuses_a_file_it_cannot_read(tenant: Tenant, data: bytes, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        suppression_import(tenant=tenant, data=data, filename="bad.csv", by="ops")
    assert message in caught.value.message and caught.value.field == "file"


def test_it_refuses_more_than_the_row_limit_and_adds_nothing(tenant: Tenant) -> None:
    text = "".join(f"u{i}@x.test\n" for i in range(MAX_IMPORT_ROWS + 1))
    with pytest.raises(Invalid) as caught:
        _import(tenant, text)
    assert "more than 100,000 rows" in caught.value.message
    assert not SuppressedAddress.objects.filter(tenant=tenant).exists()
