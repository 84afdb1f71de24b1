"""The personalization context: the endpoint as Pinpoint names it, Pinpoint ids, hook data and defaults."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from segments.codec import endpoint_to_pinpoint
from segments.models import Endpoint
from segments.services.endpoints import endpoint_upsert
from templates.rendering import compile_template, personalization_context

ENDPOINT = {
    "ApplicationId": "a" * 32,
    "Id": "ep-1",
    "ChannelType": "EMAIL",
    "Address": "ann@example.com",
    "EndpointStatus": "ACTIVE",
    "OptOut": "NONE",
    "Attributes": {"Plan": ["gold"]},
    "Metrics": {"Visits": 3.0},
    "Demographic": {"Timezone": "Europe/Paris", "Locale": "fr_FR"},
    "Location": {"City": "Paris", "Country": "FR"},
    "User": {"UserId": "u-1", "UserAttributes": {"FirstName": ["Ann"]}},
    "CreationDate": "2024-01-02T03:04:05Z",
    "EffectiveDate": "2024-02-03T04:05:06Z",
    "RequestId": "req-1",
}
EVERYTHING = (
    "{{Address}}|{{ChannelType}}|{{EndpointId}}|{{Id}}|{{OptOut}}|{{EndpointStatus}}|{{CreationDate}}|"
    "{{EffectiveDate}}|{{RequestId}}|{{Attributes.Plan}}|{{Metrics.Visits}}|{{Demographic.Timezone}}|"
    "{{Location.City}}|{{User.UserId}}|{{User.UserAttributes.FirstName}}|{{Pinpoint.ApplicationId}}|"
    "{{Pinpoint.CampaignId}}|{{Pinpoint.JourneyId}}"
)


def render(source: str, context: dict[str, object]) -> str:
    return compile_template(source, html=False).render(context)


def test_it_exposes_the_endpoint_as_pinpoint_names_it() -> None:
    context = personalization_context(ENDPOINT, application_id="app", campaign_id="c-1", journey_id="j-1")
    assert render(EVERYTHING, context) == (
        "ann@example.com|EMAIL|ep-1|ep-1|NONE|ACTIVE|2024-01-02T03:04:05Z|2024-02-03T04:05:06Z|req-1|gold|3|"
        "Europe/Paris|Paris|u-1|Ann|app|c-1|j-1"
    )


def test_it_leaves_out_ids_it_does_not_have() -> None:
    context = personalization_context(ENDPOINT, application_id="app")
    assert context["Pinpoint"] == {"ApplicationId": "app"}
    missing: list[str] = []
    compile_template("{{Pinpoint.CampaignId}}", html=False).render(context, missing=missing.append)
    assert missing == ["Pinpoint.CampaignId"]


def test_hook_data_is_merged_into_attributes() -> None:
    context = personalization_context(
        ENDPOINT, application_id="app", extra={"html": "<p>Deal of the day</p>", "Codes": ["A", "B"]}
    )
    assert render("<html>{{{Attributes.html}}}</html> {{Attributes.html.[0]}} {{Attributes.Codes}}", context) == (
        "<html><p>Deal of the day</p></html> <p>Deal of the day</p> A,B"
    )
    assert context["Attributes"]["Plan"] == ["gold"]


def test_defaults_apply_only_where_the_value_is_missing() -> None:
    defaults = {
        "User.UserAttributes.FirstName": "there",
        "User.UserAttributes.[Last Name]": "Customer",
        "Attributes.Plan.[0]": "basic",
        "Location.PostalCode": "75001",
        "Demographic.Timezone": "UTC",
    }
    context = personalization_context(ENDPOINT, application_id="app", defaults=defaults)
    assert (
        render(
            "{{User.UserAttributes.FirstName}} {{User.UserAttributes.[Last Name].[0]}} {{Attributes.Plan.[0]}} "
            "{{Location.PostalCode}} {{Demographic.Timezone}}",
            context,
        )
        == "Ann Customer gold 75001 Europe/Paris"
    )
    empty = personalization_context({"Id": "e"}, application_id="app", defaults=defaults)
    assert render("Hi {{User.UserAttributes.FirstName.[0]}}", empty) == "Hi there"


def test_it_does_not_change_the_endpoint_it_was_given() -> None:
    endpoint = {"Id": "e", "Attributes": {"Plan": ["gold"]}}
    personalization_context(endpoint, application_id="app", extra={"x": "y"}, defaults={"User.UserId": "nobody"})
    assert endpoint == {"Id": "e", "Attributes": {"Plan": ["gold"]}}


def test_it_turns_other_values_into_json() -> None:
    context = personalization_context(
        {
            "Id": "e",
            "Attributes": {"When": datetime(2024, 5, 1, 9, 30, tzinfo=UTC)},
            "Metrics": {"Spend": Decimal("9.50")},
        },
        application_id="app",
    )
    assert context["Attributes"]["When"] == "2024-05-01T09:30:00Z"
    assert context["Metrics"]["Spend"] == 9.5


@pytest.mark.django_db
def test_it_renders_a_stored_endpoint(tenant: object) -> None:
    endpoint_upsert(
        tenant=tenant,
        endpoint_id="e1",
        data={
            "ChannelType": "EMAIL",
            "Address": "kim@example.com",
            "Attributes": {"Interests": ["golf", "tennis"]},
            "Location": {"City": "Seoul"},
            "User": {"UserId": "u1", "UserAttributes": {"Last Name": ["Kim"]}},
        },
    )
    endpoint = Endpoint.objects.get(endpoint_id="e1")
    context = personalization_context(
        endpoint_to_pinpoint(endpoint, application_id=tenant.public_id),  # type: ignore[attr-defined]
        application_id=tenant.public_id,  # type: ignore[attr-defined]
        campaign_id="camp",
    )
    source = (
        "Dear {{User.UserAttributes.[Last Name].[0]}} ({{EndpointId}}) in {{Location.City}}: "
        "{{#each Attributes.Interests}}{{this}}{{#unless @last}}, {{/unless}}{{/each}} [{{Pinpoint.CampaignId}}]"
    )
    assert render(source, context) == "Dear Kim (e1) in Seoul: golf, tennis [camp]"
