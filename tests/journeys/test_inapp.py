"""Engage's INAPP journey activity: the definition checks its MessageConfig and template, a split cannot wait for
in-app engagement, the review treats it as a send, the executor stores the message for the participants' IN_APP
endpoints where the app gets it (GetInAppMessages), and the metrics count the displays and clicks the app reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from campaigns.journeys.definition import definition_check
from campaigns.journeys.engine.sends import sends_execute
from campaigns.journeys.metrics_engagement import activity_engagement
from campaigns.journeys.services.review import journey_review
from campaigns.journeys.services.writes import journey_create
from campaigns.journeys.views.common import builder_options
from channels.models import Delivery, InAppMessage
from channels.services.inapp import inapp_events_apply
from engage import clock
from engage.errors import Invalid
from engage.events.models import Event
from engage.tenancy.models import ApiKey, Membership, Tenant
from templates.codec import template_request_parse
from templates.models import MessageTemplate
from templates.services.templates import template_create
from tests.journeys.bodies import Audience, audience
from tests.journeys.send_support import batch, endpoint, journey, participant, send_all

pytestmark = pytest.mark.django_db

SHOW_ON = {"Dimensions": {"EventType": {"DimensionType": "INCLUSIVE", "Values": ["level_up"]}}}


def banner(tenant: Tenant, name: str = "Banner") -> MessageTemplate:
    body = {
        "TemplateName": name,
        "TemplateType": "INAPP",
        "Layout": "TOP_BANNER",
        "Content": [{"BodyConfig": {"Body": "Welcome back", "Alignment": "LEFT", "TextColor": "#000000"}}],
    }
    return template_create(tenant=tenant, data=template_request_parse(body), by="tests")


def inapp(**config: Any) -> dict[str, Any]:
    return {"INAPP": {"TemplateName": "Banner", "MessageConfig": config, "NextActivity": "wait1"}}


def body_with(activity: dict[str, Any], **extra: Any) -> dict[str, Any]:
    wait = {"Wait": {"WaitTime": {"WaitFor": "P1D"}}}
    return {"Name": "In-app", "StartActivity": "show", "Activities": {"show": activity, "wait1": wait}, **extra}


def test_the_definition_keeps_an_inapp_activity_and_checks_its_config(tenant: Tenant) -> None:
    banner(tenant)
    raw = inapp(Priority="1", SessionCap=1, DailyCap=2, TotalCap="5", EventFilter=SHOW_ON)
    _, definition = definition_check(tenant=tenant, body=body_with(raw))
    config = definition["Activities"]["show"]["INAPP"]["MessageConfig"]
    assert (config["Priority"], config["SessionCap"], config["DailyCap"], config["TotalCap"]) == (1, 1, 2, 5)
    assert config["EventFilter"]["FilterType"] == "SYSTEM"
    assert config["EventFilter"]["Dimensions"]["EventType"]["Values"] == ["level_up"]
    _, bare = definition_check(tenant=tenant, body=body_with(inapp(EventFilter={"Dimensions": {}})))
    assert "EventFilter" not in bare["Activities"]["show"]["INAPP"].get("MessageConfig", {})
    cases = [
        (inapp(Priority=6), "Activities.show.INAPP.MessageConfig.Priority"),
        (inapp(DailyCap=-1), "Activities.show.INAPP.MessageConfig.DailyCap"),
        (inapp(EventFilter={"FilterType": "NONE"}), "Activities.show.INAPP.MessageConfig.EventFilter.FilterType"),
        ({"INAPP": {"TemplateName": "Nope"}}, "Activities.show.INAPP.TemplateName"),
    ]
    for activity, field in cases:
        with pytest.raises(Invalid) as caught:
            definition_check(tenant=tenant, body=body_with(activity))
        assert caught.value.field == field, activity


def test_an_email_template_is_not_an_inapp_template(tenant: Tenant, aud_: Audience) -> None:
    with pytest.raises(Invalid) as caught:
        definition_check(tenant=tenant, body=body_with({"INAPP": {"TemplateName": "Welcome"}}))
    assert "no INAPP template named “Welcome”" in caught.value.message


def test_a_split_cannot_wait_for_inapp_engagement(tenant: Tenant) -> None:
    banner(tenant)
    condition = {"EventCondition": {"MessageActivity": "show", "Dimensions": {
        "EventType": {"DimensionType": "INCLUSIVE", "Values": ["_inapp.message_clicked"]}}}}  # fmt: skip
    split = {"ConditionalSplit": {"Condition": {"Conditions": [condition], "Operator": "ALL"}}}
    body = body_with(
        inapp(), Activities={"show": inapp(), "wait1": {"Wait": {"NextActivity": "split"}}, "split": split}
    )
    with pytest.raises(Invalid) as caught:
        definition_check(tenant=tenant, body=body)
    assert (
        caught.value.field == "Activities.split.ConditionalSplit.Condition.Conditions[0].EventCondition.MessageActivity"
    )
    assert "in-app" in caught.value.message


def test_the_review_treats_it_as_a_send(tenant: Tenant, aud_: Audience) -> None:
    banner(tenant)
    start = {"StartCondition": {"SegmentStartCondition": {"SegmentId": aud_.everyone.public_id}}}
    _, definition = definition_check(tenant=tenant, body=body_with({"INAPP": {"NextActivity": "wait1"}}, **start))
    review = journey_review(tenant=tenant, definition=definition)
    assert [(i.activity, i.field, i.message) for i in review.errors] == [
        ("show", "Activities.show.INAPP.TemplateName", "choose the in-app template to send")
    ]
    _, definition = definition_check(tenant=tenant, body=body_with(inapp(), **start))
    assert journey_review(tenant=tenant, definition=definition).errors == []


def test_the_executor_stores_the_message_and_the_app_gets_it(
    tenant: Tenant, key_client: Callable[..., tuple[APIClient, ApiKey]]
) -> None:
    banner(tenant)
    endpoint(tenant, "app1", "IN_APP", "device-1", user_id="u1")
    endpoint(tenant, "mail1", "EMAIL", "u1@example.com", user_id="u1")
    endpoint(tenant, "mail2", "EMAIL", "u2@example.com")
    config = {
        "Priority": 1,
        "SessionCap": 1,
        "DailyCap": 2,
        "TotalCap": 5,
        "EventFilter": {"FilterType": "SYSTEM", **SHOW_ON},
    }
    j = journey(tenant, {"show": inapp(**config), "wait1": {"Wait": {"WaitTime": {"WaitFor": "P1D"}}}}, "show")
    user, no_app = participant(j, "u1", "show", kind="user"), participant(j, "mail2", "show")
    outcomes = sends_execute(batch(j, "show", [user, no_app]))
    assert [(o.next_activity, o.outcome) for o in outcomes] == [
        ("wait1", "sent"),
        ("wait1", "not_sent:unsupported_channel"),
    ]
    (row,) = Delivery.objects.filter(tenant=tenant)
    assert (row.endpoint_id, row.channel, row.key) == ("app1", "INAPP", f"j{j.pk}:{user.pk}:show:app1")
    send_all(tenant)
    stored = InAppMessage.objects.get(tenant=tenant, endpoint_id="app1")
    assert (stored.journey_id, stored.priority, stored.session_cap, stored.daily_cap, stored.total_cap) == (
        str(j.pk), 1, 1, 2, 5,
    )  # fmt: skip
    client, _ = key_client(tenant, role=ApiKey.Role.INGEST)
    r = client.get(f"/api/v1/tenants/{tenant.public_id}/endpoints/app1/in-app-messages/")
    assert r.status_code == 200, r.content
    (item,) = r.json()["InAppMessageCampaigns"]
    assert (item["CampaignId"], item["Priority"], item["DailyCap"], item["TotalCap"]) == (str(j.pk), 1, 2, 5)
    assert item["Schedule"]["EventFilter"]["Dimensions"] == SHOW_ON["Dimensions"]
    assert item["InAppMessage"]["Layout"] == "TOP_BANNER"
    assert sends_execute(batch(j, "show", [user]))[0].outcome == "sent"  # a replayed step stores nothing twice
    assert InAppMessage.objects.filter(tenant=tenant).count() == 1


def test_metrics_count_what_the_app_reports(tenant: Tenant) -> None:
    banner(tenant)
    for i in (1, 2):
        endpoint(tenant, f"app{i}", "IN_APP", f"device-{i}")
    j = journey(tenant, {"show": inapp(), "wait1": {"Wait": {"WaitTime": {"WaitFor": "P1D"}}}}, "show")
    sends_execute(batch(j, "show", [participant(j, "app1", "show"), participant(j, "app2", "show")]))
    send_all(tenant)
    now = clock.now()

    def event(event_type: str, endpoint_id: str) -> Event:
        return Event(tenant=tenant, event_type=event_type, endpoint_id=endpoint_id, timestamp=now, arrival=now,
                     attributes={"campaign_id": str(j.pk)}, session={"Id": "s1"})  # fmt: skip

    reported = [event("_inapp.message_displayed", "app1"), event("_inapp.message_displayed", "app1"),
                event("_inapp.message_clicked", "app1"), event("_inapp.message_dismissed", "app2")]  # fmt: skip
    assert inapp_events_apply(tenant=tenant, events=reported) == 4
    found = activity_engagement(journey=j)["show"]
    assert (found["sent"], found["inapp_displayed"], found["inapp_displays"]) == (2, 1, 2)
    assert (found["inapp_clicks"], found["inapp_dismissals"]) == (1, 1)


def test_the_builder_offers_the_inapp_activity_and_its_templates(owner: Membership, tenant: Tenant) -> None:
    banner(tenant)
    assert builder_options(tenant)["templates"]["INAPP"] == [{"name": "Banner", "version": "1"}]
    j = journey_create(tenant=tenant, body=body_with(inapp(Priority=2)), by="tests")
    client = Client()
    client.force_login(owner.user)
    html = client.get(f"/t/{tenant.public_id}/journeys/{j.pk}/").content.decode()
    assert 'data-insert="INAPP">Show in-app message<' in html
    assert '"INAPP": [{"name": "Banner"' in html and '"Priority": 2' in html


@pytest.fixture
def aud_(tenant: Tenant) -> Audience:
    return audience(tenant)
