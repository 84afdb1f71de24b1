"""Journeys through a real boto3 `pinpoint` client against the live test server: CreateJourney, GetJourney,
ListJourneys (pages), UpdateJourney, UpdateJourneyState, DeleteJourney, and refusals (bad members, illegal
transitions, unknown ids, another tenant's application, a key that may not edit)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from campaigns.models import Journey, JourneyVersion
from engage.tenancy.models import ApiKey, Tenant
from tests.journeys.bodies import SERVER_SET, audience, onboarding, simple
from tests.pinpoint.conftest import (  # noqa: F401  (fixtures)
    Client,
    ClientMaker,
    KeyMaker,
    acme,
    acme_key,
    client_for,
    endpoint_url,
    error_of,
    globex,
    make_key,
    pinpoint,
)


def write_request(body: dict[str, Any]) -> dict[str, Any]:
    """A JourneyResponse as a WriteJourneyRequest: what botocore lets a client send."""
    return {k: v for k, v in body.items() if k not in (*SERVER_SET, "tags") or k == "State"}


def create(client: Client, tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.create_journey(ApplicationId=tenant.public_id, WriteJourneyRequest=write_request(body))
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 201
    journey: dict[str, Any] = answer["JourneyResponse"]
    return journey


def test_a_journey_is_created_read_listed_and_round_trips(pinpoint: Client, acme: Tenant) -> None:  # noqa: F811
    sent = onboarding(audience(acme))
    made = create(pinpoint, acme, sent)
    assert (made["Name"], made["State"], made["ApplicationId"]) == ("Onboarding", "DRAFT", acme.public_id)
    got = pinpoint.get_journey(ApplicationId=acme.public_id, JourneyId=made["Id"])["JourneyResponse"]
    assert got["Schedule"]["StartTime"] == datetime(2030, 6, 1, 9, tzinfo=UTC)
    assert got["Schedule"]["EndTime"] == datetime(2030, 6, 30, tzinfo=UTC)
    for key in ("Activities", "Limits", "StartCondition", "OpenHours", "ClosedDays", "QuietTime", "StartActivity",
                "RefreshFrequency", "TimezoneEstimationMethods", "WaitForQuietTime", "SendingSchedule"):  # fmt: skip
        assert got[key] == sent[key], key
    assert got["Schedule"]["Timezone"] == "America/New_York"
    for i in range(2):
        create(pinpoint, acme, {**sent, "Name": f"Copy {i}"})
    first = pinpoint.list_journeys(ApplicationId=acme.public_id, PageSize="2")["JourneysResponse"]
    assert [j["Name"] for j in first["Item"]] == ["Copy 1", "Copy 0"]
    rest = pinpoint.list_journeys(ApplicationId=acme.public_id, PageSize="2", Token=first["NextToken"])
    assert [j["Id"] for j in rest["JourneysResponse"]["Item"]] == [made["Id"]]
    assert "NextToken" not in rest["JourneysResponse"]


def test_a_journey_is_updated_published_paused_resumed_and_stopped(pinpoint: Client, acme: Tenant) -> None:  # noqa: F811
    a = audience(acme)
    made = create(pinpoint, acme, simple(a))
    ids = {"ApplicationId": acme.public_id, "JourneyId": made["Id"]}
    edited = pinpoint.update_journey(**ids, WriteJourneyRequest=simple(a, Name="Renamed"))["JourneyResponse"]
    assert (edited["Name"], edited["State"]) == ("Renamed", "DRAFT")

    def state(value: str) -> str:
        answer = pinpoint.update_journey_state(**ids, JourneyStateRequest={"State": value})
        return str(answer["JourneyResponse"]["State"])

    assert state("ACTIVE") == "ACTIVE"
    body = simple(a, Name="Renamed", LocalTime=True, TimezoneEstimationMethods=["POSTAL_CODE"])
    live = pinpoint.update_journey(**ids, WriteJourneyRequest=body)["JourneyResponse"]
    assert (live["State"], live["LocalTime"]) == ("ACTIVE", True)
    assert list(JourneyVersion.objects.filter(journey_id=int(made["Id"])).values_list("number", flat=True)) == [2, 1]
    assert state("PAUSED") == "PAUSED"
    code, message, status = error_of(lambda: pinpoint.delete_journey(**ids))
    assert (code, status) == ("ConflictException", 409) and "stop it" in message
    assert state("ACTIVE") == "ACTIVE"
    assert state("CANCELLED") == "CANCELLED"
    code, _, status = error_of(lambda: state("ACTIVE"))
    assert (code, status) == ("ConflictException", 409)
    deleted = pinpoint.delete_journey(**ids)["JourneyResponse"]
    assert deleted["Id"] == made["Id"] and not Journey.objects.filter(pk=int(made["Id"])).exists()
    assert error_of(lambda: pinpoint.get_journey(**ids))[::2] == ("NotFoundException", 404)


def test_it_refuses_what_it_cannot_do_naming_the_member(pinpoint: Client, acme: Tenant) -> None:  # noqa: F811
    a = audience(acme)
    bad = simple(a)
    bad["Activities"]["wait1"]["Wait"]["WaitTime"]["WaitFor"] = "P400D"
    code, message, status = error_of(
        lambda: pinpoint.create_journey(ApplicationId=acme.public_id, WriteJourneyRequest=bad)
    )
    assert (code, status) == ("BadRequestException", 400) and "Activities.wait1.Wait.WaitTime.WaitFor" in message
    broken = simple(a, StartActivity="nowhere", State="ACTIVE")
    code, message, status = error_of(
        lambda: pinpoint.create_journey(ApplicationId=acme.public_id, WriteJourneyRequest=broken)
    )
    assert (code, status) == ("BadRequestException", 400) and "StartActivity" in message
    assert not Journey.objects.filter(tenant=acme).exists()  # the refused publish left no draft behind
    for unknown in ("999999", "not-a-journey"):
        ids = {"ApplicationId": acme.public_id, "JourneyId": unknown}
        assert error_of(lambda i=ids: pinpoint.get_journey(**i))[::2] == ("NotFoundException", 404)  # type: ignore[misc]
    made = create(pinpoint, acme, simple(a))
    ids = {"ApplicationId": acme.public_id, "JourneyId": made["Id"]}
    refused = error_of(lambda: pinpoint.update_journey_state(**ids, JourneyStateRequest={"State": "COMPLETED"}))
    assert refused[::2] == ("BadRequestException", 400) and "State" in refused[1]


def test_another_tenants_application_is_forbidden(
    pinpoint: Client,  # noqa: F811
    acme: Tenant,  # noqa: F811
    globex: Tenant,  # noqa: F811
    make_key: KeyMaker,  # noqa: F811
    client_for: ClientMaker,  # noqa: F811
) -> None:
    made = create(pinpoint, acme, simple(audience(acme)))
    other = client_for(make_key(globex))
    ids = {"ApplicationId": acme.public_id, "JourneyId": made["Id"]}
    assert error_of(lambda: other.get_journey(**ids))[::2] == ("ForbiddenException", 403)
    assert error_of(lambda: other.delete_journey(**ids))[::2] == ("ForbiddenException", 403)
    state = {"JourneyStateRequest": {"State": "ACTIVE"}}
    assert error_of(lambda: other.update_journey_state(**ids, **state))[::2] == ("ForbiddenException", 403)
    assert error_of(lambda: other.list_journeys(ApplicationId=acme.public_id))[::2] == ("ForbiddenException", 403)
    mine = {"ApplicationId": globex.public_id, "JourneyId": made["Id"]}
    assert error_of(lambda: other.get_journey(**mine))[::2] == ("NotFoundException", 404)
    ingest = client_for(make_key(acme, ApiKey.Role.INGEST))
    refused = error_of(lambda: ingest.create_journey(ApplicationId=acme.public_id, WriteJourneyRequest={"Name": "x"}))
    assert refused[::2] == ("ForbiddenException", 403)
    assert Journey.objects.get(tenant=acme).state == "DRAFT"
