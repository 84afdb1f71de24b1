"""The custom-channel activity with a webhook DeliveryUri: a signed synchronous POST, the answer kept per
participant for later splits, endpoint types that pass through, and nothing called twice on a replay."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from campaigns.journeys.engine.conditions import conditions_evaluate
from campaigns.journeys.engine.sends import sends_execute
from channels.models import ChannelConfig, Delivery, Status
from engage import clock
from engage.events.models import Event
from engage.tenancy.models import Tenant
from templates.models import Channel
from tests.channels.webhook_server import Hook, running_hook, verify
from tests.journeys.send_support import batch, endpoint, journey, participant

pytestmark = pytest.mark.django_db
SECRET = "whsec-journey-0123456789"


@pytest.fixture
def hook() -> Iterator[Hook]:
    with running_hook() as hook:
        yield hook


def signing(tenant: Tenant) -> None:
    now = clock.now()
    ChannelConfig.objects.create(
        tenant=tenant, name="Hook", channel=Channel.CUSTOM, provider="webhook", settings={"url": "https://x.test/"},
        secrets=json.dumps({"signing_secret": SECRET}), created_at=now, updated_at=now,
    )  # fmt: skip


def custom_journey(tenant: Tenant, url: str, **extra: object) -> object:
    custom = {
        "DeliveryUri": url,
        "MessageConfig": {"Data": '{"campaign": "winback"}'},
        "NextActivity": "split",
        **extra,
    }
    condition = {"EventCondition": {"MessageActivity": "call", "Dimensions": {
        "EventType": {"DimensionType": "INCLUSIVE", "Values": ["_custom.response"]},
        "Attributes": {"tier": {"AttributeType": "INCLUSIVE", "Values": ["gold"]}}}}}  # fmt: skip
    split = {"ConditionalSplit": {"Condition": {"Conditions": [condition]}, "TrueActivity": "x", "FalseActivity": "y"}}
    return journey(tenant, {"call": {"CUSTOM": custom}, "split": split}, "call")


def test_it_posts_signed_and_keeps_each_answer_for_splits(tenant: Tenant, hook: Hook) -> None:
    signing(tenant)
    endpoint(tenant, "c0", "CUSTOM", "crm-0")
    endpoint(tenant, "c1", "CUSTOM", "crm-1")
    hook.reply = json.dumps({"Endpoints": {"c0": {"tier": "gold"}, "c1": {"tier": "silver"}}}).encode()
    j = custom_journey(tenant, hook.url)
    people = [participant(j, "c0", "call"), participant(j, "c1", "call")]
    outcomes = sends_execute(batch(j, "call", people))
    assert [o.outcome for o in outcomes] == ["sent", "sent"]
    [post] = hook.posts()
    assert verify(SECRET, post.headers, post.body, now=time.time())
    assert post.json["JourneyId"] == str(j.pk) and post.json["ActivityId"] == "call"
    assert post.json["Data"] == '{"campaign": "winback"}' and set(post.json["Endpoints"]) == {"c0", "c1"}
    assert outcomes[0].data["responses"]["call"]["response"] == {"tier": "gold"}
    assert Delivery.objects.filter(tenant=tenant, status=Status.SENT).count() == 2
    assert Event.objects.filter(tenant=tenant, event_type="_journey.send", journey_id=str(j.pk)).count() == 2
    for p, o in zip(people, outcomes, strict=True):
        p.data = {**p.data, **(o.data or {})}
        p.activity = "split"
        p.save()
    condition = j.definition["Activities"]["split"]["ConditionalSplit"]["Condition"]["Conditions"][0]
    assert conditions_evaluate(batch=batch(j, "split", people), condition=condition) == [True, False]
    again = sends_execute(batch(j, "call", people))  # a replay: no second call
    assert len(hook.posts()) == 1 and again[0].counts == []


def test_a_failing_webhook_is_recorded_as_failure(tenant: Tenant, hook: Hook) -> None:
    signing(tenant)
    endpoint(tenant, "c0", "CUSTOM", "crm-0")
    hook.status = 500
    j = custom_journey(tenant, hook.url)
    p = participant(j, "c0", "call")
    [outcome] = sends_execute(batch(j, "call", [p]))
    assert outcome.next_activity == "split" and outcome.outcome == "not_sent:provider_error"
    assert outcome.data["responses"]["call"]["success"] is False
    assert Delivery.objects.get(tenant=tenant).status == Status.FAILED
    failure = {"EventCondition": {"MessageActivity": "call",
               "Dimensions": {"EventType": {"DimensionType": "INCLUSIVE", "Values": ["_custom.failure"]}}}}  # fmt: skip
    assert conditions_evaluate(batch=batch(j, "split", [p]), condition=failure) == [True]


def test_other_endpoint_types_pass_through_without_a_call(tenant: Tenant, hook: Hook) -> None:
    signing(tenant)
    endpoint(tenant, "mail", "EMAIL", "m@example.com", user_id="u1")
    endpoint(tenant, "sms", "SMS", "+12025550100", user_id="u1")
    j = custom_journey(tenant, hook.url, EndpointTypes=["SMS"])
    user, email_only = participant(j, "u1", "call", kind="user"), participant(j, "mail", "call")
    first, second = sends_execute(batch(j, "call", [user, email_only]))
    assert first.outcome == "sent"
    assert (second.outcome, second.next_activity, second.counts) == ("passed:endpoint_type", "split", [])
    [post] = hook.posts()
    assert set(post.json["Endpoints"]) == {"sms"}


def test_without_a_signing_secret_nothing_is_posted(tenant: Tenant, hook: Hook) -> None:
    endpoint(tenant, "c0", "CUSTOM", "crm-0")
    j = custom_journey(tenant, hook.url)
    [outcome] = sends_execute(batch(j, "call", [participant(j, "c0", "call")]))
    assert hook.posts() == []
    assert "signing secret" in outcome.data["responses"]["call"]["error"]
