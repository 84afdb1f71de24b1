"""Journey analytics: GetJourneyExecutionMetrics, GetJourneyExecutionActivityMetrics, GetJourneyDateRangeKpi,
GetJourneyRuns and the run variants, from the journey metrics selectors. Engage keeps a journey's counters for the
whole journey, not per segment refresh, so a journey has one run ("1") that spans its life since publish."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from campaigns.journeys.metrics import activity_metrics
from campaigns.journeys.metrics_engagement import journey_kpis
from campaigns.journeys.metrics_wire import activity_metrics_json, iso, journey_metrics_json
from campaigns.models import Journey
from engage import clock
from engage.errors import Invalid, NotFound
from engage.pinpoint.operations.campaigns import KPI_DEFAULT_DAYS, KPI_NAMES, _when
from engage.pinpoint.operations.journeys import journey_of
from engage.pinpoint.registry import Call, operation
from engage.tenancy.models import Capability

RUN_ID = "1"
RUN_STATUS = {
    Journey.State.DRAFT: "SCHEDULED",
    Journey.State.ACTIVE: "RUNNING",
    Journey.State.PAUSED: "RUNNING",
    Journey.State.CLOSED: "RUNNING",
    Journey.State.COMPLETED: "COMPLETED",
    Journey.State.CANCELLED: "CANCELLED",
}


def _activity(call: Call, journey: Journey) -> dict[str, Any]:
    activity_id = str(call.params["JourneyActivityId"])
    row = activity_metrics(journey=journey, activity_id=activity_id)
    if row is None:
        raise NotFound(f"Activity {activity_id} not found in journey {journey.pk}")
    return activity_metrics_json(journey=journey, row=row, application_id=call.application_id)


def _run(call: Call, journey: Journey) -> str:
    run_id = str(call.params["RunId"])
    if run_id != RUN_ID or journey.version == 0:
        raise NotFound(f"Run {run_id} not found in journey {journey.pk}")
    return run_id


@operation("GetJourneyExecutionMetrics", capability=Capability.VIEW)
def get_journey_execution_metrics(call: Call) -> dict[str, Any]:
    return journey_metrics_json(journey=journey_of(call), application_id=call.application_id)


@operation("GetJourneyExecutionActivityMetrics", capability=Capability.VIEW)
def get_journey_execution_activity_metrics(call: Call) -> dict[str, Any]:
    return _activity(call, journey_of(call))


@operation("GetJourneyRunExecutionMetrics", capability=Capability.VIEW)
def get_journey_run_execution_metrics(call: Call) -> dict[str, Any]:
    journey = journey_of(call)
    run_id = _run(call, journey)
    return {**journey_metrics_json(journey=journey, application_id=call.application_id), "RunId": run_id}


@operation("GetJourneyRunExecutionActivityMetrics", capability=Capability.VIEW)
def get_journey_run_execution_activity_metrics(call: Call) -> dict[str, Any]:
    journey = journey_of(call)
    run_id = _run(call, journey)
    return {**_activity(call, journey), "RunId": run_id}


@operation("GetJourneyRuns", capability=Capability.VIEW)
def get_journey_runs(call: Call) -> dict[str, Any]:
    """The journey's one run once it was published; none for a draft."""
    journey = journey_of(call)
    if journey.version == 0:
        return {"Item": []}
    run = {
        "CreationTime": iso(journey.published_at or journey.created_at),
        "LastUpdateTime": iso(journey.updated_at),
        "RunId": RUN_ID,
        "Status": RUN_STATUS.get(Journey.State(journey.state), "RUNNING"),
    }
    return {"Item": [run]}


@operation("GetJourneyDateRangeKpi", capability=Capability.VIEW)
def get_journey_date_range_kpi(call: Call) -> dict[str, Any]:
    """One KPI over the journey's messages queued in [StartTime, EndTime) (default: the last 7 days)."""
    journey, name = journey_of(call), str(call.params["KpiName"])
    if name not in KPI_NAMES:
        raise Invalid(
            f"KpiName {name!r} is not one Engage computes; use one of {', '.join(KPI_NAMES)}", field="KpiName"
        )
    end = _when(call.params.get("EndTime"), "EndTime") or clock.now()
    start = _when(call.params.get("StartTime"), "StartTime") or end - timedelta(days=KPI_DEFAULT_DAYS)
    if start >= end:
        raise Invalid("StartTime must be before EndTime", field="StartTime")
    value = journey_kpis(journey=journey, start=start, end=end)[name]
    key = "".join(part.capitalize() for part in name.split("-"))
    row = {"GroupedBys": [], "Values": [{"Key": key, "Type": "Double", "Value": repr(value)}]}
    return {
        "ApplicationId": call.application_id,
        "JourneyId": str(journey.pk),
        "KpiName": name,
        "StartTime": iso(start),
        "EndTime": iso(end),
        "KpiResult": {"Rows": [row]},
    }
