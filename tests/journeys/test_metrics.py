"""Journey metrics: the counters, participants, ledger and events the engine writes, read back by the selectors,
the console page, the CSV export and the REST API; other tenants get 404."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from rest_framework.test import APIClient

from campaigns.journeys.metrics import activities_metrics, activity_counts, journey_metrics
from campaigns.journeys.metrics_engagement import activity_engagement
from engage.tenancy.models import Tenant
from tests.journeys.metrics_support import journey_seed, ledger_seed, participant_add

pytestmark = pytest.mark.django_db


def api_url(tenant: Tenant, path: str) -> str:
    return f"/api/v1/tenants/{tenant.public_id}/journeys/{path}"


def test_activity_counts_reads_counters_and_who_waits_where(tenant: Tenant, django_assert_num_queries) -> None:
    journey = journey_seed(tenant)
    participant_add(journey, "ep-done", activity="sms", state="done")
    with django_assert_num_queries(2):
        counts = activity_counts(journey=journey)
    assert counts["wait"]["in_progress"] == 2 and "in_progress" not in counts.get("sms", {})
    assert counts["opened"]["branch:hold"] == 5 and counts[""]["entered"] == 10


def test_journey_metrics_sum_up_entries_exits_and_reasons(tenant: Tenant) -> None:
    m = journey_metrics(journey=journey_seed(tenant))
    assert (m["entries"], m["active"], m["completed"], m["left"]) == (10, 2, 3, 4)
    assert m["exited"] == {"holdout": 1} and m["entry_refused"] == {"reentry_cap": 4}
    assert m["not_sent"] == {"quiet_time": 2, "cap": 1}
    assert (m["tz_estimated"], m["tz_missing"], m["refreshes"]) == (5, 1, 2)


def test_activity_rows_have_execution_paths_and_engagement(tenant: Tenant) -> None:
    journey = journey_seed(tenant)
    ledger_seed(journey)
    rows = {r["id"]: r for r in activities_metrics(journey=journey)}
    assert list(rows) == ["mail", "wait", "opened", "hold", "sms", "dice", "end"]  # canvas order
    assert rows["mail"]["not_sent"] == {"quiet_time": 2, "cap": 1} and rows["mail"]["sent"] == 7
    assert (rows["wait"]["waiting_done"], rows["wait"]["wait_date_passed"], rows["wait"]["in_progress"]) == (7, 1, 2)
    assert [(b["label"], b["n"]) for b in rows["opened"]["branches"]] == [("Yes", 5), ("No", 3)]
    assert [(b["label"], b["n"]) for b in rows["hold"]["branches"]] == [("Held out", 1), ("Continued", 4)]
    assert [(b["label"], b["n"]) for b in rows["dice"]["branches"]] == [("Path 1 (50%)", 3), ("Path 2 (50%)", 1)]
    mail = rows["mail"]["engagement"]
    # 8:30 and 8:45 are one open, 9:05 another; plus the second message's open.
    assert (mail["sent"], mail["delivered"], mail["opens"], mail["clicks"], mail["hard_bounces"]) == (3, 2, 3, 1, 1)
    assert mail["failures"] == {"PERMANENT_FAILURE": 1}
    sms = rows["sms"]["engagement"]
    assert (sms["sent"], sms["delivered"], sms["failed"], sms["spend_usd"]) == (2, 1, 1, 0.0129)
    assert sms["failures"] == {"TEMPORARY_FAILURE": 1}


def test_engagement_ignores_other_journeys(tenant: Tenant) -> None:
    mine, theirs = journey_seed(tenant), journey_seed(tenant, name="Other")
    ledger_seed(theirs)
    assert activity_engagement(journey=mine) == {}


def test_the_console_page_draws_the_charts_and_the_table(owner_client: Client, tenant: Tenant) -> None:
    journey = journey_seed(tenant)
    ledger_seed(journey)
    r = owner_client.get(f"/t/{tenant.public_id}/journeys/{journey.pk}/metrics/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'class="ring"' in html and 'aria-label="Entries over time"' in html
    assert "Max daily messages reached" in html and "Entry refused: max entries per endpoint reached" in html
    assert 'data-activity="opened"' in html and "Held out" in html and "Estimated spend (USD)" in html
    assert f'href="/t/{tenant.public_id}/journeys/{journey.pk}/participants/"' in html


def test_the_csv_has_one_row_per_activity(owner_client: Client, tenant: Tenant) -> None:
    journey = journey_seed(tenant)
    ledger_seed(journey)
    r = owner_client.get(f"/t/{tenant.public_id}/journeys/{journey.pk}/metrics.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = {row["activity"]: row for row in csv.DictReader(io.StringIO(r.content.decode()))}
    assert set(rows) == {"mail", "wait", "opened", "hold", "sms", "dice", "end"}
    assert (rows["mail"]["sent"], rows["mail"]["opens"], rows["mail"]["not_sent"]) == ("7", "3", "quiet_time=2;cap=1")
    assert rows["opened"]["paths"] == "Yes=5;No=3" and rows["sms"]["spend_usd"] == "0.0129"


def test_the_api_answers_pinpoint_shaped_metrics(api: APIClient, tenant: Tenant) -> None:
    journey = journey_seed(tenant)
    ledger_seed(journey)
    body = api.get(api_url(tenant, f"{journey.pk}/metrics/")).json()
    assert body["JourneyId"] == str(journey.pk) and body["ApplicationId"] == tenant.public_id
    assert body["Metrics"]["ENDPOINT_ENTERED"] == "10" and body["Metrics"]["ENDPOINT_ACTIVE"] == "2"
    assert body["Metrics"]["REENTRY_CAP_EXCEEDED"] == "4" and body["Metrics"]["NOT_SENT_QUIET_TIME"] == "2"
    mail = api.get(api_url(tenant, f"{journey.pk}/activities/mail/metrics/")).json()
    assert mail["ActivityType"] == "MESSAGE" and mail["JourneyActivityId"] == "mail"
    assert (mail["Metrics"]["SUCCESS"], mail["Metrics"]["QUIET_TIME"], mail["Metrics"]["DAILY_CAP"]) == ("7", "2", "1")
    assert mail["Metrics"]["PERMANENT_FAILURE"] == "1" and mail["Metrics"]["OPENS"] == "3"
    split = api.get(api_url(tenant, f"{journey.pk}/activities/opened/metrics/")).json()
    assert split["ActivityType"] == "CONDITIONAL_SPLIT" and split["Metrics"]["BRANCH_2"] == "3"
    assert api.get(api_url(tenant, f"{journey.pk}/activities/nope/metrics/")).status_code == 404
    r = api.get(api_url(tenant, f"{journey.pk}/metrics.csv"))
    assert r.status_code == 200 and r.content.decode().startswith("activity,type,description,entered")


def test_other_tenants_journeys_are_not_found(
    owner_client: Client, api: APIClient, other_tenant: Tenant, tenant: Tenant
) -> None:
    theirs = journey_seed(other_tenant)
    for path in ("metrics/", "metrics.csv", "participants/?q=ep-w1"):
        assert owner_client.get(f"/t/{tenant.public_id}/journeys/{theirs.pk}/{path}").status_code == 404
        assert owner_client.get(f"/t/{other_tenant.public_id}/journeys/{theirs.pk}/{path}").status_code == 404
    for path in ("metrics/", "activities/mail/metrics/", "metrics.csv", "participants/?endpoint_id=ep-w1"):
        assert api.get(api_url(tenant, f"{theirs.pk}/{path}")).status_code == 404
        assert api.get(api_url(other_tenant, f"{theirs.pk}/{path}")).status_code == 404


def _days(journey: object) -> tuple[str, str]:
    """(the day of the seeded engagement events, today) in the journey's metrics zone."""
    from datetime import timedelta

    from campaigns.journeys.metrics_period import metrics_zone
    from engage import clock

    tz = metrics_zone(journey)  # type: ignore[arg-type]
    events = (clock.now().replace(hour=8, minute=30) - timedelta(days=1)).astimezone(tz).date()
    return events.isoformat(), clock.now().astimezone(tz).date().isoformat()


def test_a_date_range_narrows_engagement_and_entries_not_the_counters(owner_client: Client, tenant: Tenant) -> None:
    journey = journey_seed(tenant)
    ledger_seed(journey)  # messages queued now, their engagement events yesterday
    events_day, today = _days(journey)
    url = f"/t/{tenant.public_id}/journeys/{journey.pk}/metrics/"
    html = owner_client.get(url, {"start": events_day, "end": events_day}).content.decode()
    assert f"from <strong>{events_day}</strong>" in html and "0 in " + events_day in html
    rows = {r["id"]: r for r in activities_metrics(journey=journey, period=_period(journey, events_day, events_day))}
    mail = rows["mail"]["engagement"]
    assert (mail.get("sent", 0), mail["opens"], mail["clicks"]) == (0, 3, 1)
    assert rows["mail"]["sent"] == 7  # the engine's counter is not ranged
    rows = {r["id"]: r for r in activities_metrics(journey=journey, period=_period(journey, today, today))}
    mail = rows["mail"]["engagement"]
    assert (mail["sent"], mail.get("opens", 0)) == (3, 0)
    html = owner_client.get(url, {"start": today}).content.decode()
    assert "2 in " + today in html  # the two participants entered today
    csv_url = f"/t/{tenant.public_id}/journeys/{journey.pk}/metrics.csv"
    assert f'metrics.csv?start={today}"' in html
    r = owner_client.get(csv_url, {"start": events_day, "end": events_day})
    rows_csv = {row["activity"]: row for row in csv.DictReader(io.StringIO(r.content.decode()))}
    assert (rows_csv["mail"]["opens"], rows_csv["mail"]["delivered"]) == ("3", "0")
    assert f"-{events_day}-{events_day}.csv" in r["Content-Disposition"]


def _period(journey: object, first: str, last: str) -> object:
    from datetime import date

    from campaigns.journeys.metrics_period import PeriodForm, metrics_zone

    form = PeriodForm({"start": first, "end": last})
    return form.period(metrics_zone(journey), date.fromisoformat(last))  # type: ignore[arg-type]


def test_a_wrong_date_range_is_a_form_error_and_the_page_still_shows(owner_client: Client, tenant: Tenant) -> None:
    journey = journey_seed(tenant)
    url = f"/t/{tenant.public_id}/journeys/{journey.pk}/metrics/"
    r = owner_client.get(url, {"start": "2026-11-10", "end": "2026-11-01"})
    html = r.content.decode()
    assert r.status_code == 200 and "The To date is before the From date." in html
    assert 'data-activity="mail"' in html and "All time." in html
    r = owner_client.get(url, {"start": "yesterday"})
    assert r.status_code == 200 and "Enter a valid date." in r.content.decode()
    r = owner_client.get(url, {"start": "2024-01-01", "end": "2026-01-01"})
    assert "Choose at most 366 days." in r.content.decode()


def test_the_api_takes_a_date_range_and_names_a_wrong_one(api: APIClient, tenant: Tenant) -> None:
    journey = journey_seed(tenant)
    ledger_seed(journey)
    events_day, today = _days(journey)
    path = api_url(tenant, f"{journey.pk}/activities/mail/metrics/")
    ranged = api.get(path, {"start": today, "end": today}).json()["Metrics"]
    assert (ranged["SUCCESS"], ranged.get("OPENS", "0")) == ("7", "0")
    ranged = api.get(path, {"start": events_day, "end": events_day}).json()["Metrics"]
    assert ranged["OPENS"] == "3"
    r = api.get(path, {"start": "23/11/2026"})
    assert r.status_code == 400 and "start" in r.content.decode() and "YYYY-MM-DD" in r.content.decode()
    r = api.get(path, {"start": "2026-11-10", "end": "2026-11-01"})
    assert r.status_code == 400 and "end" in r.content.decode()
    r = api.get(api_url(tenant, f"{journey.pk}/metrics.csv"), {"start": events_day, "end": events_day})
    assert r.status_code == 200 and f"-{events_day}-{events_day}.csv" in r["Content-Disposition"]
