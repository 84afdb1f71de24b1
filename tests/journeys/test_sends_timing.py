"""Quiet time, the sending schedule (open hours, closed days), local time and time-zone estimation of the send
activities, by moving the shared test clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from campaigns.journeys.engine.sends import sends_execute
from channels.models import Delivery
from engage import clock
from engage.tenancy.models import Tenant
from tests.journeys.send_support import at_utc, batch, email_template, endpoint, journey, participant, sms_template

pytestmark = pytest.mark.django_db
SEND = {"EMAIL": {"TemplateName": "welcome", "NextActivity": "done"}}
DONE = {"Wait": {"WaitTime": {"WaitFor": "PT1H"}}}


def setup(tenant: Tenant, **settings: object) -> object:
    email_template(tenant)
    endpoint(tenant, "e0", "EMAIL", "p0@example.com")
    return journey(tenant, {"send": SEND, "done": DONE}, "send", Schedule={"Timezone": "UTC"}, **settings)


def next_utc(hour: int) -> datetime:
    now = clock.now()
    target = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return target if target > now else target + timedelta(days=1)


def test_quiet_time_holds_the_participant_until_it_ends(tenant: Tenant) -> None:
    j = setup(tenant, QuietTime={"Start": "22:00", "End": "07:00"}, WaitForQuietTime=True)
    at_utc(23)
    [held] = sends_execute(batch(j, "send", [participant(j, "e0", "send")]))
    assert (held.next_activity, held.outcome) == ("send", "held:quiet_time")
    assert held.wake_at == next_utc(7)
    assert not Delivery.objects.filter(tenant=tenant).exists()
    at_utc(7, 1)
    [sent] = sends_execute(batch(j, "send", [participant(j, "e0", "send", entry=2)]))
    assert sent.outcome == "sent" and sent.next_activity == "done"


def test_quiet_time_drops_the_message_without_wait_for_quiet_time(tenant: Tenant) -> None:
    j = setup(tenant, QuietTime={"Start": "22:00", "End": "07:00"})
    at_utc(23)
    [dropped] = sends_execute(batch(j, "send", [participant(j, "e0", "send")]))
    assert (dropped.next_activity, dropped.outcome) == ("done", "not_sent:quiet_time")
    assert ("send", "not_sent:quiet_time") in dropped.counts
    assert not Delivery.objects.filter(tenant=tenant).exists()


def test_open_hours_per_channel_and_weekday(tenant: Tenant) -> None:
    days = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
    rules = [{"StartTime": "09:00", "EndTime": "11:00"}, {"StartTime": "14:00", "EndTime": "17:00"}]
    hours = {
        "EMAIL": {day: rules for day in days},
        "SMS": {day: [{"StartTime": "00:00", "EndTime": "01:00"}] for day in days},
    }
    j = setup(tenant, SendingSchedule=True, OpenHours=hours, WaitForQuietTime=True)
    at_utc(12)
    [held] = sends_execute(batch(j, "send", [participant(j, "e0", "send")]))
    assert held.wake_at == next_utc(14)
    at_utc(15)
    assert sends_execute(batch(j, "send", [participant(j, "e0", "send", entry=2)]))[0].outcome == "sent"


def test_closed_days_hold_until_they_end(tenant: Tenant) -> None:
    at_utc(10)
    now = clock.now()
    start, end = now - timedelta(hours=1), now + timedelta(days=1, hours=2)
    closed = {"EMAIL": [{"Name": "Holiday", "StartDateTime": start.isoformat(), "EndDateTime": end.isoformat()}]}
    j = setup(tenant, SendingSchedule=True, ClosedDays=closed, WaitForQuietTime=True)
    [held] = sends_execute(batch(j, "send", [participant(j, "e0", "send")]))
    assert held.wake_at == end
    ignored = setup_other(tenant, closed)
    assert sends_execute(batch(ignored, "send", [participant(ignored, "e0", "send")]))[0].outcome == "sent"


def setup_other(tenant: Tenant, closed: dict[str, object]) -> object:
    """SendingSchedule off: the rules are kept but not applied."""
    return journey(tenant, {"send": SEND, "done": DONE}, "send", ClosedDays=closed, WaitForQuietTime=True)


def test_local_time_uses_the_endpoint_zone(tenant: Tenant) -> None:
    email_template(tenant)
    endpoint(tenant, "seoul", "EMAIL", "s@example.com", Demographic={"Timezone": "Asia/Seoul"})
    endpoint(tenant, "utc", "EMAIL", "u@example.com", Demographic={"Timezone": "UTC"})
    j = journey(tenant, {"send": SEND, "done": DONE}, "send", LocalTime=True,
                QuietTime={"Start": "22:00", "End": "07:00"}, WaitForQuietTime=True)  # fmt: skip
    at_utc(14)  # 23:00 in Seoul
    seoul, utc = sends_execute(batch(j, "send", [participant(j, "seoul", "send"), participant(j, "utc", "send")]))
    assert seoul.outcome == "held:quiet_time" and seoul.wake_at == next_utc(22)  # 07:00 Seoul
    assert utc.outcome == "sent"


def test_a_missing_time_zone_is_estimated_or_the_participant_skipped(tenant: Tenant) -> None:
    sms_template(tenant)
    endpoint(tenant, "ny", "SMS", "+12125550123", Location={"Country": "US"})
    endpoint(tenant, "none", "SMS", "+12125550124")
    activity = {"SMS": {"TemplateName": "nudge", "NextActivity": "done"}}
    j = journey(tenant, {"sms": activity, "done": DONE}, "sms", LocalTime=True,
                TimezoneEstimationMethods=["PHONE_NUMBER"])  # fmt: skip
    estimated, skipped = sends_execute(batch(j, "sms", [participant(j, "ny", "sms"), participant(j, "none", "sms")]))
    assert estimated.outcome == "sent" and ("", "tz_estimated") in estimated.counts
    assert estimated.data["timezone"] == "America/New_York"
    assert skipped.outcome == "not_sent:no_timezone" and skipped.next_activity == "done"
    assert ("", "tz_missing") in skipped.counts and skipped.data["not_sent"]["sms"].startswith("no_timezone:")
    plain = journey(tenant, {"sms": activity, "done": DONE}, "sms", LocalTime=True)
    [off] = sends_execute(batch(plain, "sms", [participant(plain, "ny", "sms")]))
    assert off.outcome == "not_sent:no_timezone" and "estimation is off" in off.data["not_sent"]["sms"]


def test_a_user_in_two_zones_gets_it_only_when_both_are_open(tenant: Tenant) -> None:
    email_template(tenant)
    endpoint(tenant, "la", "EMAIL", "la@example.com", user_id="kim", Demographic={"Timezone": "America/Los_Angeles"})
    endpoint(tenant, "ny", "EMAIL", "ny@example.com", user_id="kim", Demographic={"Timezone": "America/New_York"})
    j = journey(tenant, {"send": SEND, "done": DONE}, "send", LocalTime=True,
                QuietTime={"Start": "20:00", "End": "08:00"}, WaitForQuietTime=True)  # fmt: skip
    la = ZoneInfo("America/Los_Angeles")
    now = clock.now()
    # 09:00 in New York is 06:00 in Los Angeles: NY is open, LA is not — wait for 08:00 LA.
    ny_nine = datetime.combine((now + timedelta(days=1)).date(), datetime.min.time()).replace(
        hour=9, tzinfo=ZoneInfo("America/New_York")
    )
    clock.advance(seconds=(ny_nine - now).total_seconds())
    [held] = sends_execute(batch(j, "send", [participant(j, "kim", "send", kind="user")]))
    la_eight = datetime.combine(ny_nine.astimezone(la).date(), datetime.min.time()).replace(hour=8, tzinfo=la)
    assert held.outcome == "held:quiet_time"
    assert held.wake_at == la_eight.astimezone(UTC)
