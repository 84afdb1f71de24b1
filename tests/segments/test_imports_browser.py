"""The import and export pages through a real browser: upload, watch the progress bar fill, read the rejected rows.

Screenshots go to var/screenshots/ (audience-import-*.png, audience-exports.png).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from engage.tenancy.models import Role
from segments.models import ExportJob, ImportJob
from segments.services.exports import export_run
from segments.services.imports.runner import import_run
from tests.factories import PASSWORD, MembershipFactory, TenantFactory, UserFactory
from tests.segments.import_support import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def test_an_upload_shows_live_progress_then_the_rejected_rows(page: Page, live_server: Any, tmp_path: Path) -> None:
    tenant = TenantFactory(name="Acme Imports")
    MembershipFactory(tenant=tenant, user=UserFactory(email="marketer@acme.test"), role=Role.MARKETER)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("marketer@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    # Wait for the next page to load (deferred scripts included) before touching its controls.
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    rows = [["EMAIL", f"p{i}@example.com", "golf"] for i in range(300)] + [["EMAIL", "not-an-address", "x"]]
    source = tmp_path / "newsletter.csv"
    source.write_bytes(csv_bytes(["ChannelType", "Address", "Attributes.Interests"], rows))

    page.goto(f"{live_server.url}/t/{tenant.public_id}/audience/imports/")
    expect(page.get_by_role("link", name="Imports")).to_have_attribute("aria-current", "page")
    page.get_by_label("File").set_input_files(str(source))
    page.get_by_label("Create a segment from the imported rows").check()
    page.screenshot(path=str(SCREENSHOTS / "audience-import-form.png"), full_page=True)
    page.get_by_role("button", name="Start import").click()

    expect(page.get_by_role("heading", name=re.compile(r"Import #\d+"))).to_be_visible()
    bar = page.get_by_role("progressbar", name="Import progress")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    job = ImportJob.objects.get(tenant=tenant)
    import_run(tenant_id=tenant.pk, job_id=job.pk)  # the worker's service, run here while the page polls

    expect(page.locator("#import-failures")).to_contain_text("'not-an-address' is not a valid email address")
    expect(page.get_by_role("progressbar", name="Import progress")).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("#rows-imported")).to_have_text("300")
    expect(page.locator("#rows-failed")).to_have_text("1")
    expect(page.get_by_role("link", name="Download the error report (CSV)")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "audience-import-done.png"), full_page=True)

    page.get_by_role("link", name="Exports").click()
    page.get_by_label("Endpoints").select_option(label="Imported segment “newsletter” (300)")
    page.get_by_role("button", name="Start export").click()
    export = ExportJob.objects.get(tenant=tenant)
    export_run(tenant_id=tenant.pk, job_id=export.pk)
    expect(page.locator("#export-jobs").get_by_role("link", name="Download")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "audience-exports.png"), full_page=True)
