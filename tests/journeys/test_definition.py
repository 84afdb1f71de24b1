"""definition_check: a realistic Pinpoint journey is kept as written; every bad member is refused by its path."""

from __future__ import annotations

from typing import Any, cast

import pytest

from campaigns.journeys.definition import definition_check
from engage.errors import Invalid
from engage.tenancy.models import Tenant
from segments.models import Segment
from tests.factories import TenantFactory
from tests.journeys.bodies import Audience, audience, email_open_condition, event_entry, onboarding, simple

pytestmark = pytest.mark.django_db


@pytest.fixture
def a(tenant: Tenant) -> Audience:
    return audience(tenant)


def test_it_keeps_a_pinpoint_journey_as_written(tenant: Tenant, a: Audience) -> None:
    body = onboarding(a)
    name, definition = definition_check(tenant=tenant, body=body)
    assert name == "Onboarding"
    expected = {k: v for k, v in body.items() if k not in ("Name", "State", "CreationDate", "LastModifiedDate")}
    for dropped in ("Id", "ApplicationId", "tags"):
        expected.pop(dropped)
    assert definition == expected


def test_it_drops_unknown_members_and_normalises_times(tenant: Tenant, a: Audience) -> None:
    body = simple(a, Colour="blue", Schedule={"StartTime": "2030-06-01T11:00:00+02:00", "Timezone": "UTC+02"})
    body["Activities"]["email1"]["EMAIL"]["Extra"] = 1
    body["Activities"]["wait1"]["Wait"]["WaitTime"]["WaitFor"] = "p1d"
    _, definition = definition_check(tenant=tenant, body=body)
    assert "Colour" not in definition and "Extra" not in definition["Activities"]["email1"]["EMAIL"]
    assert definition["Schedule"] == {"StartTime": "2030-06-01T09:00:00Z", "Timezone": "UTC+02"}
    assert definition["Activities"]["wait1"]["Wait"]["WaitTime"] == {"WaitFor": "P1D"}


def test_it_accepts_an_event_entry_limited_by_a_dynamic_segment(tenant: Tenant, a: Audience) -> None:
    _, definition = definition_check(tenant=tenant, body=simple(a, StartCondition=event_entry("signed_up", a.vip)))
    start = definition["StartCondition"]["EventStartCondition"]
    assert start["SegmentId"] == a.vip.public_id
    assert start["EventFilter"]["Dimensions"]["EventType"]["Values"] == ["signed_up"]


def test_a_partial_body_needs_no_name(tenant: Tenant) -> None:
    assert definition_check(tenant=tenant, body={"LocalTime": True}, partial=True) == ("", {"LocalTime": True})


def _act(body: dict[str, Any], activity: str) -> dict[str, Any]:
    activities: dict[str, Any] = body["Activities"]
    return activities[activity]


DROP = object()
W = "Activities.welcomeEmail"
SPLIT = "Activities.openedSplit.ConditionalSplit"
A = "Activities"
COND = ("Activities", "openedSplit", "ConditionalSplit", "Condition")
EVENT = (*COND, "Conditions", 0, "EventCondition", "Dimensions", "EventType")
LIMITS = ("Limits",)
# (member the error names, where in the body to change, what to set there; DROP removes the key)
CASES: list[tuple[str, tuple[str | int, ...], dict[str, Any]]] = [
    ("Name", (), {"Name": DROP}),
    ("Name", (), {"Name": "x" * 151}),
    ("Activities", (A,), {f"extra{i}": {"Holdout": {"Percentage": 1}} for i in range(40)}),
    ("Activities.bad-id", (A,), {"bad-id": {"Holdout": {"Percentage": 1}}}),
    (W, (A, "welcomeEmail"), {"SMS": {"TemplateName": "Reminder"}}),
    (W, (A, "welcomeEmail"), {"EMAIL": DROP}),
    (f"{W}.EMAIL.TemplateName", (A, "welcomeEmail", "EMAIL"), {"TemplateName": "Reminder"}),
    (f"{W}.EMAIL.TemplateVersion", (A, "welcomeEmail", "EMAIL"), {"TemplateVersion": "9"}),
    (f"{W}.EMAIL.MessageConfig.FromAddress", (A, "welcomeEmail", "EMAIL", "MessageConfig"), {"FromAddress": "nope"}),
    (f"{W}.EMAIL.NextActivity", (A, "welcomeEmail", "EMAIL"), {"NextActivity": "no such!"}),
    (f"{A}.waitTwoDays.Wait.WaitTime.WaitFor", (A, "waitTwoDays", "Wait", "WaitTime"), {"WaitFor": "PT30M"}),
    (f"{A}.waitTwoDays.Wait.WaitTime.WaitFor", (A, "waitTwoDays", "Wait", "WaitTime"), {"WaitFor": "P366D"}),
    (f"{A}.waitTwoDays.Wait.WaitTime.WaitFor", (A, "waitTwoDays", "Wait", "WaitTime"), {"WaitFor": "2 days"}),
    (f"{A}.waitTwoDays.Wait.WaitTime", (A, "waitTwoDays", "Wait", "WaitTime"), {"WaitUntil": "2030-06-02T00:00:00Z"}),
    (f"{A}.lastWait.Wait.WaitTime.WaitUntil", (A, "lastWait", "Wait", "WaitTime"), {"WaitUntil": "2030-07-01T00:00Z"}),
    (f"{SPLIT}.Condition.Conditions", COND, {"Conditions": []}),
    (f"{SPLIT}.Condition.Operator", COND, {"Operator": "SOME"}),
    (
        f"{SPLIT}.Condition.Conditions[0].EventCondition.Dimensions.EventType.Values",
        EVENT,
        {"Values": ["_SMS.SUCCESS"]},
    ),
    (
        f"{SPLIT}.Condition.Conditions[0].EventCondition.MessageActivity",
        COND,
        {"Conditions": [email_open_condition("waitTwoDays")]},
    ),
    (
        f"{SPLIT}.Condition.Conditions[0].SegmentCondition.SegmentId",
        COND,
        {"Conditions": [{"SegmentCondition": {"SegmentId": "f" * 32}}]},
    ),
    (f"{SPLIT}.Condition.Conditions[0]", COND, {"Conditions": [{}]}),
    (f"{SPLIT}.EvaluationWaitTime.WaitFor", COND[:-1], {"EvaluationWaitTime": {"WaitFor": "soon"}}),
    (f"{A}.vipBranch.MultiCondition.Branches", (A, "vipBranch", "MultiCondition"), {"Branches": [{}] * 5}),
    (f"{A}.randomSplit.RandomSplit.Branches", (A, "randomSplit", "RandomSplit", "Branches", 0), {"Percentage": 30}),
    (f"{A}.randomSplit.RandomSplit.Branches", (A, "randomSplit", "RandomSplit"), {"Branches": [{"Percentage": 100}]}),
    (
        f"{A}.randomSplit.RandomSplit.Branches[0].Percentage",
        (A, "randomSplit", "RandomSplit", "Branches", 0),
        {"Percentage": 0},
    ),
    (f"{A}.holdout.Holdout.Percentage", (A, "holdout", "Holdout"), {"Percentage": 101}),
    (f"{A}.holdout.Holdout.Percentage", (A, "holdout", "Holdout"), {"Percentage": DROP}),
    (
        f"{A}.reminderSms.SMS.MessageConfig.MessageType",
        (A, "reminderSms", "SMS", "MessageConfig"),
        {"MessageType": "LOUD"},
    ),
    (
        f"{A}.reminderSms.SMS.MessageConfig.OriginationNumber",
        (A, "reminderSms", "SMS", "MessageConfig"),
        {"OriginationNumber": "555"},
    ),
    (f"{A}.pushOffer.PUSH.MessageConfig.TimeToLive", (A, "pushOffer", "PUSH", "MessageConfig"), {"TimeToLive": "-1"}),
    (f"{A}.pushOffer.PUSH.TemplateName", (A, "pushOffer", "PUSH"), {"TemplateName": "Welcome"}),
    (f"{A}.webhook.CUSTOM.MessageConfig.Data", (A, "webhook", "CUSTOM", "MessageConfig"), {"Data": "x" * 5001}),
    (f"{A}.webhook.CUSTOM.DeliveryUri", (A, "webhook", "CUSTOM"), {"DeliveryUri": "http://hooks.example.com/"}),
    (f"{A}.webhook.CUSTOM.EndpointTypes[1]", (A, "webhook", "CUSTOM"), {"EndpointTypes": ["EMAIL", "FAX"]}),
    ("StartCondition", ("StartCondition",), event_entry()),
    (
        "StartCondition.EventStartCondition.EventFilter.FilterType",
        (),
        {"StartCondition": {"EventStartCondition": {"EventFilter": {"FilterType": "X"}}}},
    ),
    ("Schedule.EndTime", ("Schedule",), {"EndTime": "2030-05-01T00:00:00Z"}),
    ("Schedule.StartTime", ("Schedule",), {"StartTime": "tomorrow"}),
    ("Schedule.Timezone", ("Schedule",), {"Timezone": "Mars/Olympus"}),
    ("Limits.DailyCap", LIMITS, {"DailyCap": 101}),
    ("Limits.TotalCap", LIMITS, {"TotalCap": -1}),
    ("Limits.MessagesPerSecond", LIMITS, {"MessagesPerSecond": 49}),
    ("Limits.MessagesPerSecond", LIMITS, {"MessagesPerSecond": 20001}),
    ("Limits.EndpointReentryCap", LIMITS, {"EndpointReentryCap": -2}),
    ("Limits.EndpointReentryInterval", LIMITS, {"EndpointReentryInterval": "weekly"}),
    ("Limits.TimeframeCap.Days", LIMITS, {"TimeframeCap": {"Cap": 1, "Days": 31}}),
    ("Limits.TimeframeCap.Cap", LIMITS, {"TimeframeCap": {"Cap": 101, "Days": 1}}),
    ("QuietTime.Start", ("QuietTime",), {"Start": "9pm"}),
    ("QuietTime.End", ("QuietTime",), {"End": DROP}),
    ("LocalTime", (), {"LocalTime": "sometimes"}),
    ("RefreshFrequency", (), {"RefreshFrequency": "PT30M"}),
    ("OpenHours.FAX", ("OpenHours",), {"FAX": {}}),
    ("OpenHours.EMAIL.FUNDAY", ("OpenHours", "EMAIL"), {"FUNDAY": []}),
    ("OpenHours.SMS.SATURDAY", ("OpenHours", "SMS"), {"SATURDAY": [{"StartTime": "01:00", "EndTime": "02:00"}] * 5}),
    (
        "OpenHours.SMS.SATURDAY[0].EndTime",
        ("OpenHours", "SMS"),
        {"SATURDAY": [{"StartTime": "16:00", "EndTime": "10:00"}]},
    ),
    (
        "ClosedDays.EMAIL",
        ("ClosedDays",),
        {"EMAIL": [{"StartDateTime": "2030-01-01", "EndDateTime": "2030-01-02"}] * 21},
    ),
    ("ClosedDays.EMAIL[0].EndDateTime", ("ClosedDays", "EMAIL", 0), {"EndDateTime": "2030-12-30T00:00:00"}),
    ("TimezoneEstimationMethods[0]", (), {"TimezoneEstimationMethods": ["IP_ADDRESS"]}),
    ("JourneyChannelSettings.ConnectCampaignArn", (), {"JourneyChannelSettings": {"ConnectCampaignArn": 5}}),
]


def _change(body: dict[str, Any], where: tuple[str | int, ...], changes: dict[str, Any]) -> None:
    target: Any = body
    for step in where:
        target = target[step]
    for key, value in changes.items():
        if value is DROP:
            target.pop(key)
        else:
            target[key] = value


@pytest.mark.parametrize(("field", "where", "changes"), CASES, ids=[f"{i}-{c[0]}" for i, c in enumerate(CASES)])
def test_it_names_the_member_to_fix(
    tenant: Tenant, a: Audience, field: str, where: tuple[str | int, ...], changes: dict[str, Any]
) -> None:
    body = onboarding(a)
    _change(body, where, changes)
    with pytest.raises(Invalid) as raised:
        definition_check(tenant=tenant, body=body)
    assert raised.value.field == field, raised.value.message
    assert raised.value.message


@pytest.mark.parametrize(
    ("field", "spoil"),
    [
        ("StartCondition.SegmentStartCondition.SegmentId", "foreign"),
        ("StartCondition.EventStartCondition.SegmentId", "imported"),
    ],
)
def test_it_only_takes_this_projects_segments(tenant: Tenant, a: Audience, field: str, spoil: str) -> None:
    body = onboarding(a)
    if spoil == "foreign":
        other = audience(cast(Tenant, TenantFactory()))
        body["StartCondition"] = {"SegmentStartCondition": {"SegmentId": other.everyone.public_id}}
    else:
        Segment.objects.filter(pk=a.vip.pk).update(kind=Segment.Kind.IMPORT)
        body["StartCondition"] = event_entry("signed_up", a.vip)
    with pytest.raises(Invalid) as raised:
        definition_check(tenant=tenant, body=body)
    assert raised.value.field == field, raised.value.message


def test_it_accepts_every_engagement_event_of_the_channel(tenant: Tenant, a: Audience) -> None:
    body = onboarding(a)
    condition = email_open_condition()
    events = ["_email.click", "_email.delivered", "_email.hardbounce", "_email.soft_bounce", "_email.unsubscribe"]
    condition["EventCondition"]["Dimensions"]["EventType"]["Values"] = events
    _act(body, "openedSplit")["ConditionalSplit"]["Condition"]["Conditions"] = [condition]
    _, definition = definition_check(tenant=tenant, body=body)
    kept = definition["Activities"]["openedSplit"]["ConditionalSplit"]["Condition"]["Conditions"][0]
    assert kept["EventCondition"]["Dimensions"]["EventType"]["Values"] == events


def test_a_contact_center_activity_is_accepted_in_shape(tenant: Tenant, a: Audience) -> None:
    body = simple(a)
    body["Activities"]["call"] = {"ContactCenter": {"NextActivity": "sms1"}}
    _, definition = definition_check(tenant=tenant, body=body)
    assert definition["Activities"]["call"] == {"ContactCenter": {"NextActivity": "sms1"}}


def test_inline_segment_dimensions_and_custom_responses_are_conditions(tenant: Tenant, a: Audience) -> None:
    body = onboarding(a)
    inline = {"segmentDimensions": {"Demographic": {"Platform": {"DimensionType": "INCLUSIVE", "Values": ["ios"]}}}}
    response = {
        "EventCondition": {
            "Dimensions": {
                "EventType": {"DimensionType": "INCLUSIVE", "Values": ["_custom.response"]},
                "Attributes": {"status": {"AttributeType": "INCLUSIVE", "Values": ["accepted"]}},
            },
            "MessageActivity": "webhook",
        }
    }
    body["Activities"]["webhook"]["CUSTOM"]["NextActivity"] = "afterHook"
    body["Activities"]["afterHook"] = {"MultiCondition": {"Branches": [{"Condition": inline}, {"Condition": response}]}}
    _, definition = definition_check(tenant=tenant, body=body)
    branches = definition["Activities"]["afterHook"]["MultiCondition"]["Branches"]
    assert [b["Condition"] for b in branches] == [inline, response]
    inline["segmentDimensions"]["Demographic"]["Platform"]["DimensionType"] = "SIDEWAYS"
    with pytest.raises(Invalid) as raised:
        definition_check(tenant=tenant, body=body)
    assert (raised.value.field or "").startswith(
        "Activities.afterHook.MultiCondition.Branches[0].Condition.segmentDimensions"
    )
