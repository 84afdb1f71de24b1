"""Journey analytics through a real boto3 pinpoint client: execution metrics, activity metrics, runs, the run
variants and the date-range KPI, in Pinpoint's wire shapes; another application's journeys answer 403."""

from __future__ import annotations

from datetime import timedelta

from engage import clock
from engage.tenancy.models import Tenant
from tests.journeys.metrics_support import journey_seed, ledger_seed
from tests.pinpoint import conftest as boto
from tests.pinpoint.conftest import Client, ClientMaker, KeyMaker, error_of

# The boto3 client fixtures live with the Pinpoint tests; this module uses them as they are.
acme, acme_key, globex, make_key = boto.acme, boto.acme_key, boto.globex, boto.make_key
client_for, endpoint_url, pinpoint = boto.client_for, boto.endpoint_url, boto.pinpoint


def test_execution_metrics_answer_in_pinpoints_shapes(pinpoint: Client, acme: Tenant) -> None:
    journey = journey_seed(acme)
    ledger_seed(journey)
    ids = {"ApplicationId": acme.public_id, "JourneyId": str(journey.pk)}
    top = pinpoint.get_journey_execution_metrics(**ids)["JourneyExecutionMetricsResponse"]
    assert (top["ApplicationId"], top["JourneyId"]) == (acme.public_id, str(journey.pk))
    assert top["Metrics"]["ENDPOINT_ENTERED"] == "10" and top["Metrics"]["ENDPOINT_ACTIVE"] == "2"
    assert top["Metrics"]["ENDPOINT_LEFT"] == "4" and top["LastEvaluatedTime"]
    mail = pinpoint.get_journey_execution_activity_metrics(**ids, JourneyActivityId="mail")
    mail = mail["JourneyExecutionActivityMetricsResponse"]
    assert (mail["ActivityType"], mail["JourneyActivityId"], mail["Metrics"]["SUCCESS"]) == ("MESSAGE", "mail", "7")
    wait = pinpoint.get_journey_execution_activity_metrics(**ids, JourneyActivityId="wait")
    assert wait["JourneyExecutionActivityMetricsResponse"]["Metrics"]["WAIT_COMPLETED"] == "7"
    missing = error_of(lambda: pinpoint.get_journey_execution_activity_metrics(**ids, JourneyActivityId="nope"))
    assert missing[::2] == ("NotFoundException", 404)


def test_a_journey_has_one_run_with_the_same_metrics(pinpoint: Client, acme: Tenant) -> None:
    journey = journey_seed(acme)
    ids = {"ApplicationId": acme.public_id, "JourneyId": str(journey.pk)}
    runs = pinpoint.get_journey_runs(**ids)["JourneyRunsResponse"]["Item"]
    assert [(r["RunId"], r["Status"]) for r in runs] == [("1", "RUNNING")]
    run = pinpoint.get_journey_run_execution_metrics(**ids, RunId="1")["JourneyRunExecutionMetricsResponse"]
    assert run["RunId"] == "1" and run["Metrics"]["ENDPOINT_ENTERED"] == "10"
    act = pinpoint.get_journey_run_execution_activity_metrics(**ids, RunId="1", JourneyActivityId="opened")
    assert act["JourneyRunExecutionActivityMetricsResponse"]["Metrics"]["BRANCH_1"] == "5"
    assert error_of(lambda: pinpoint.get_journey_run_execution_metrics(**ids, RunId="2"))[::2] == (
        "NotFoundException",
        404,
    )


def test_the_date_range_kpi_counts_the_journeys_messages(pinpoint: Client, acme: Tenant) -> None:
    journey = journey_seed(acme)
    ledger_seed(journey)
    ids = {"ApplicationId": acme.public_id, "JourneyId": str(journey.pk)}
    now = clock.now()
    span = {"StartTime": now - timedelta(days=1), "EndTime": now + timedelta(minutes=1)}
    answer = pinpoint.get_journey_date_range_kpi(**ids, KpiName="successful-delivery-rate", **span)
    kpi = answer["JourneyDateRangeKpiResponse"]
    assert kpi["KpiName"] == "successful-delivery-rate" and kpi["JourneyId"] == str(journey.pk)
    # 5 sent of 7 attempted (two failures).
    assert kpi["KpiResult"]["Rows"][0]["Values"] == [
        {"Key": "SuccessfulDeliveryRate", "Type": "Double", "Value": repr(5 / 7)}
    ]
    opens = pinpoint.get_journey_date_range_kpi(**ids, KpiName="email-open-rate", **span)
    assert opens["JourneyDateRangeKpiResponse"]["KpiResult"]["Rows"][0]["Values"][0]["Value"] == repr(2 / 3)
    bad = error_of(lambda: pinpoint.get_journey_date_range_kpi(**ids, KpiName="nonsense"))
    assert bad[::2] == ("BadRequestException", 400)


def test_another_application_is_forbidden(
    pinpoint: Client, acme: Tenant, globex: Tenant, make_key: KeyMaker, client_for: ClientMaker
) -> None:
    journey = journey_seed(acme)
    other = client_for(make_key(globex))
    ids = {"ApplicationId": acme.public_id, "JourneyId": str(journey.pk)}
    assert error_of(lambda: other.get_journey_execution_metrics(**ids))[::2] == ("ForbiddenException", 403)
    assert error_of(lambda: other.get_journey_runs(**ids))[::2] == ("ForbiddenException", 403)
    # Acme's journey id under Globex's own application names nothing.
    mine = {"ApplicationId": globex.public_id, "JourneyId": str(journey.pk)}
    assert error_of(lambda: other.get_journey_execution_metrics(**mine))[::2] == ("NotFoundException", 404)
