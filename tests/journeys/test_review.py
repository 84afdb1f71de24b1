"""journey_review: errors that block publishing and recommendations, each naming its activity and member."""

from __future__ import annotations

from typing import Any

import pytest

from campaigns.journeys.definition import definition_check
from campaigns.journeys.services.review import Review, journey_review
from campaigns.models import Journey
from engage.tenancy.models import Tenant
from templates.models import MessageTemplate
from tests.journeys.bodies import Audience, audience, email_open_condition, event_entry, onboarding, simple

pytestmark = pytest.mark.django_db


@pytest.fixture
def a(tenant: Tenant) -> Audience:
    return audience(tenant)


def review_of(tenant: Tenant, body: dict[str, Any]) -> Review:
    _, definition = definition_check(tenant=tenant, body=body)
    return journey_review(tenant=tenant, definition=definition)


def issues(found: list[Any]) -> set[tuple[str, str]]:
    return {(i.activity, i.field) for i in found}


def test_a_complete_journey_has_no_errors(tenant: Tenant, a: Audience) -> None:
    review = review_of(tenant, onboarding(a))
    assert review.errors == [] and review.ok
    assert review.as_json()["ok"] is True


def test_it_finds_dangling_unreachable_and_looping_paths(tenant: Tenant, a: Audience) -> None:
    body = simple(a)
    body["Activities"]["sms1"]["SMS"]["NextActivity"] = "nowhere"
    body["Activities"]["loopA"] = {"Wait": {"WaitTime": {"WaitFor": "PT1H"}, "NextActivity": "loopB"}}
    body["Activities"]["loopB"] = {"Wait": {"WaitTime": {"WaitFor": "PT1H"}, "NextActivity": "loopA"}}
    found = issues(review_of(tenant, body).errors)
    assert ("sms1", "Activities.sms1.SMS.NextActivity") in found
    assert {("loopA", "Activities.loopA"), ("loopB", "Activities.loopB")} <= found
    assert any(activity in ("loopA", "loopB") and field.endswith("Wait.NextActivity") for activity, field in found)


def test_it_needs_an_entry_a_start_and_templates(tenant: Tenant, a: Audience) -> None:
    body = simple(a)
    del body["StartCondition"], body["Activities"]["email1"]["EMAIL"]["TemplateName"]
    body["StartActivity"] = "missing"
    body["Activities"]["hook"] = {"CUSTOM": {}}
    body["Activities"]["call"] = {"ContactCenter": {}}
    body["Activities"]["pause"] = {"Wait": {}}
    found = issues(review_of(tenant, body).errors)
    assert {
        ("", "StartCondition"),
        ("", "StartActivity"),
        ("email1", "Activities.email1.EMAIL.TemplateName"),
        ("hook", "Activities.hook.CUSTOM.DeliveryUri"),
        ("call", "Activities.call.ContactCenter"),
        ("pause", "Activities.pause.Wait.WaitTime"),
    } <= found
    assert "out of scope" in next(i.message for i in review_of(tenant, body).errors if i.activity == "call")


def test_it_notices_templates_and_segments_that_went_away(tenant: Tenant, a: Audience) -> None:
    _, definition = definition_check(tenant=tenant, body=onboarding(a))
    MessageTemplate.objects.filter(tenant=tenant, name="Reminder").delete()
    a.vip.delete()
    found = issues(journey_review(tenant=tenant, definition=definition).errors)
    assert ("reminderSms", "Activities.reminderSms.SMS.TemplateName") in found
    assert (
        "vipBranch",
        "Activities.vipBranch.MultiCondition.Branches[0].Condition.SegmentCondition.SegmentId",
    ) in found


def test_an_engagement_split_must_follow_its_message(tenant: Tenant, a: Audience) -> None:
    body = simple(a)
    body["Activities"]["check"] = {
        "ConditionalSplit": {"Condition": {"Conditions": [email_open_condition("late")]}, "TrueActivity": "late"}
    }
    body["Activities"]["late"] = {"EMAIL": {"TemplateName": "Welcome"}}
    body["Activities"]["sms1"]["SMS"]["NextActivity"] = "check"
    found = issues(review_of(tenant, body).errors)
    assert (
        "check",
        "Activities.check.ConditionalSplit.Condition.Conditions[0].EventCondition.MessageActivity",
    ) in found


def test_event_journeys_cannot_use_local_time_and_need_one_event(tenant: Tenant, a: Audience) -> None:
    entry = event_entry()
    entry["EventStartCondition"]["EventFilter"]["Dimensions"]["EventType"]["Values"] = ["a", "b"]
    found = issues(review_of(tenant, simple(a, StartCondition=entry, LocalTime=True)).errors)
    assert {("", "LocalTime"), ("", "StartCondition.EventStartCondition.EventFilter.Dimensions.EventType")} <= found


def test_quotas_are_errors(tenant: Tenant, a: Audience, settings: Any) -> None:
    settings.JOURNEYS_MAX_ACTIVE = 2
    settings.JOURNEYS_MAX_EVENT_JOURNEYS = 1
    Journey.objects.create(tenant=tenant, name="one", state=Journey.State.ACTIVE, entry_event="signed_up")
    assert issues(review_of(tenant, simple(a, StartCondition=event_entry())).errors) == {("", "StartCondition")}
    Journey.objects.create(tenant=tenant, name="two", state=Journey.State.PAUSED)
    assert ("", "State") in issues(review_of(tenant, simple(a)).errors)
    Journey.objects.create(tenant=tenant, name="gone", state=Journey.State.CANCELLED)
    settings.JOURNEYS_MAX_ACTIVE = 3
    assert review_of(tenant, simple(a)).ok


def test_the_end_time_must_be_ahead(tenant: Tenant, a: Audience) -> None:
    body = simple(a, Schedule={"StartTime": "2020-01-01T00:00:00Z", "EndTime": "2020-02-01T00:00:00Z"})
    review = review_of(tenant, body)
    assert ("", "Schedule.EndTime") in issues(review.errors)
    assert ("", "Schedule.StartTime") in issues(review.recommendations)


def test_it_recommends_pinpoints_best_practices(tenant: Tenant, a: Audience) -> None:
    body = simple(
        a,
        StartCondition=event_entry(),
        Limits={"EndpointReentryCap": 0},
        QuietTime={"Start": "21:00", "End": "08:00"},
        LocalTime=False,
    )
    body["Activities"]["email1"]["EMAIL"]["NextActivity"] = "email2"
    body["Activities"]["email2"] = {"EMAIL": {"TemplateName": "Welcome", "NextActivity": "check"}}
    body["Activities"]["check"] = {
        "ConditionalSplit": {
            "Condition": {"Conditions": [email_open_condition("email2")]},
            "EvaluationWaitTime": {"WaitFor": "PT30M"},
            "TrueActivity": "wait1",
        }
    }
    body["Activities"]["keep"] = {"Holdout": {"Percentage": 100}}
    body["Activities"]["wait1"]["Wait"]["NextActivity"] = "keep"
    body["Activities"]["keep"]["Holdout"]["NextActivity"] = "sms1"
    review = review_of(tenant, body)
    assert review.ok, review.errors
    assert {
        ("email2", "Activities.email1.EMAIL.NextActivity"),
        ("check", "Activities.check.ConditionalSplit.EvaluationWaitTime"),
        ("", "Limits.EndpointReentryInterval"),
        ("", "WaitForQuietTime"),
        ("keep", "Activities.keep.Holdout.Percentage"),
    } <= issues(review.recommendations)


def test_a_wait_before_the_split_is_enough_time_to_engage(tenant: Tenant, a: Audience) -> None:
    review = review_of(tenant, onboarding(a))
    assert not any(i.activity == "openedSplit" for i in review.recommendations)
    assert ("", "TimezoneEstimationMethods") not in issues(review.recommendations)


def test_a_large_segment_at_a_low_rate_gets_a_rate_recommendation(tenant: Tenant, a: Audience, settings: Any) -> None:
    from segments.services.endpoints import endpoints_upsert

    items = [(f"e{i}", {"ChannelType": "EMAIL", "Address": f"u{i}@example.test"}) for i in range(3)]
    endpoints_upsert(tenant=tenant, items=items, trusted=True)
    settings.JOURNEYS_REVIEW_SENDING_SECONDS = 1
    small = review_of(tenant, simple(a, Limits={"MessagesPerSecond": 50}))
    assert ("", "Limits.MessagesPerSecond") not in issues(small.recommendations)
    settings.JOURNEYS_REVIEW_SENDING_SECONDS = 0
    large = review_of(tenant, simple(a, Limits={"MessagesPerSecond": 50}))
    assert ("", "Limits.MessagesPerSecond") in issues(large.recommendations)
