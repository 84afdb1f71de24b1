"""The participants lookup: where an endpoint, a user or an address is in a journey and why, on the console page
and through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient

from campaigns.journeys.engine.enter import member_of, participants_enter
from campaigns.journeys.engine.refusals import refusals_prune, refusals_record
from campaigns.models import EntryRefusal, Participant
from engage import clock
from engage.tenancy.models import Tenant
from segments.services.endpoints import endpoint_upsert
from tests.journeys.metrics_support import delivery_add, dispatch_add, journey_seed, participant_add

pytestmark = pytest.mark.django_db

TRAIL = [("mail", 5, "sent"), ("wait", 4, "waited"), ("opened", 3, "branch:sms"), ("sms", 3, "not_sent:quiet_time")]


def seeded(tenant: Tenant):  # type: ignore[no-untyped-def]
    endpoint_upsert(
        tenant=tenant, endpoint_id="ep-jane", data={"ChannelType": "EMAIL", "Address": "jane@example.com",
                                                    "User": {"UserId": "jane"}},
    )  # fmt: skip
    journey = journey_seed(tenant)
    now = clock.now()
    first = participant_add(
        journey, "ep-jane", entry=1, activity="sms", state="done", exited_at=now - timedelta(days=3),
        exit_reason="completed", step=4, entered_at=now - timedelta(days=5),
        trail=[[a, (now - timedelta(days=d)).isoformat(), o] for a, d, o in TRAIL],
    )  # fmt: skip
    second = participant_add(
        journey, "ep-jane", entry=2, activity="wait", wake_at=now + timedelta(hours=5), step=1,
        trail=[["mail", now.isoformat(), "sent"]], data={"timezone": "Europe/Paris"},
    )  # fmt: skip
    participant_add(journey, "someone-else", activity="wait")
    EntryRefusal.objects.create(
        tenant=tenant, journey=journey, key="ep-jane", reason="reentry_interval", first_at=now - timedelta(hours=2),
        at=now - timedelta(hours=1), times=2,
    )  # fmt: skip
    mail = dispatch_add(journey, "mail", "EMAIL")
    delivery_add(mail, f"j{journey.pk}:{second.pk}:mail", "sent", endpoint_id="ep-jane", address="jane@example.com")
    delivery_add(mail, f"j{journey.pk}:{first.pk}:mail", "delivered", endpoint_id="ep-jane", address="jane@example.com")
    return journey, first, second


def test_the_api_finds_every_entry_by_endpoint_user_or_address(api: APIClient, tenant: Tenant) -> None:
    journey, first, second = seeded(tenant)
    base = f"/api/v1/tenants/{tenant.public_id}/journeys/{journey.pk}/participants/"
    for query in ("endpoint_id=ep-jane", "user_id=jane", "address=jane@example.com"):
        items = api.get(f"{base}?{query}").json()["Item"]
        assert [i["ParticipantId"] for i in items] == [str(second.pk), str(first.pk)], query
    now, before = api.get(f"{base}?endpoint_id=ep-jane").json()["Item"]
    assert (now["Activity"], now["State"], now["Entry"], now["Version"]) == ("wait", "waiting", 2, 1)
    assert now["WakeAt"] and now["Timezone"] == "Europe/Paris"
    refusal = {"kind": "endpoint", "key": "ep-jane", "reason": "reentry_interval", "times": 2}
    assert [{k: r[k] for k in refusal} for r in now["RefusedEntries"]] == [refusal]
    assert [m["Status"] for m in now["Messages"]] == ["sent"]  # this entry's message only
    assert (before["State"], before["ExitReason"]) == ("done", "completed")
    assert [(t["Activity"], t["Outcome"]) for t in before["Trail"]][-2:] == [
        ("opened", "branch:sms"),
        ("sms", "not_sent:quiet_time"),
    ]
    assert api.get(f"{base}?endpoint_id=nobody").json() == {"Item": [], "RefusedEntries": []}
    r = api.get(base)
    assert r.status_code == 400 and "endpoint id" in r.content.decode()


def test_the_console_page_shows_where_and_why(owner_client: Client, tenant: Tenant) -> None:
    journey, first, second = seeded(tenant)
    page = f"/t/{tenant.public_id}/journeys/{journey.pk}/participants/"
    html = owner_client.get(page, {"by": "user_id", "q": "jane"}).content.decode()
    assert f'data-participant="{second.pk}"' in html and f'data-participant="{first.pk}"' in html
    assert "Current activity" in html and "not_sent:quiet_time" in html and "Europe/Paris" in html
    assert 'data-refusal="reentry_interval"' in html and "Re-entry interval not over" in html
    none = owner_client.get(page, {"by": "endpoint_id", "q": "nobody"}).content.decode()
    assert 'id="none"' in none
    bad = owner_client.get(page, {"by": "address", "q": " "})
    assert bad.status_code == 400 and "Give an endpoint id" in bad.content.decode()


def test_refused_entries_recorded_by_the_engine_explain_a_key_that_is_not_in(
    api: APIClient, owner_client: Client, tenant: Tenant
) -> None:
    journey = journey_seed(tenant)
    definition = {"StartActivity": "mail", "Limits": {"EndpointReentryCap": 1}}
    late = [member_of("ep-late", "")]
    first = clock.now()
    assert participants_enter(journey=journey, version=1, definition=definition, members=late, now=first).ids
    for _ in range(2):
        clock.advance(seconds=60)
        entered = participants_enter(journey=journey, version=1, definition=definition, members=late, now=clock.now())
        assert entered.refused == {"reentry_cap": 1}
    Participant.objects.filter(journey=journey, key="ep-late").delete()  # no participant row left to show
    base = f"/api/v1/tenants/{tenant.public_id}/journeys/{journey.pk}/participants/"
    reply = api.get(f"{base}?endpoint_id=ep-late").json()
    assert reply["Item"] == []
    (row,) = reply["RefusedEntries"]
    assert (row["kind"], row["key"], row["reason"], row["times"]) == ("endpoint", "ep-late", "reentry_cap", 2)
    assert row["first_at"] < row["at"]
    html = owner_client.get(
        f"/t/{tenant.public_id}/journeys/{journey.pk}/participants/", {"q": "ep-late"}
    ).content.decode()
    assert "Max entries per endpoint reached" in html and "Its entries were refused" in html


def test_refusals_are_one_row_per_reason_and_pruned_after_the_retention_period(tenant: Tenant) -> None:
    journey = journey_seed(tenant)
    now = clock.now()
    refusals_record(journey=journey, refused=[("user", "u1", "in_journey"), ("user", "u1", "in_journey")], now=now)
    refusals_record(journey=journey, refused=[("user", "u1", "reentry_interval")], now=now)
    assert sorted(EntryRefusal.objects.filter(journey=journey).values_list("reason", "times")) == [
        ("in_journey", 1),
        ("reentry_interval", 1),
    ]
    EntryRefusal.objects.filter(reason="in_journey").update(at=now - timedelta(days=400))
    assert refusals_prune(journey=journey, now=now) == 1
    assert list(EntryRefusal.objects.values_list("reason", flat=True)) == ["reentry_interval"]
