"""/api/v1/tenants/<id>/journeys/<pk>/: metrics/, activities/<activity_id>/metrics/, metrics.csv and
participants/ (where is endpoint X in journey Y, and why)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from campaigns.journeys.metrics import activity_metrics
from campaigns.journeys.metrics_participants import participants_lookup, refusal_json, refusals_lookup
from campaigns.journeys.metrics_period import Period, metrics_zone, period_from_query
from campaigns.journeys.metrics_wire import (
    activity_metrics_json,
    journey_metrics_json,
    participant_json,
)
from campaigns.journeys.views.metrics import JourneyMetricsCsvView
from campaigns.models import Journey
from engage import clock
from engage.api.base import TenantViewSet
from engage.tenancy.models import Capability

PERIOD = [
    OpenApiParameter(name, OpenApiTypes.DATE, OpenApiParameter.QUERY, description=text)
    for name, text in (
        ("start", "first day (YYYY-MM-DD, the journey's time zone) of the engagement figures"),
        ("end", "last day, included (default today; a start alone covers start..today)"),
    )
]
ACTIVITY = OpenApiParameter("activity_id", str, OpenApiParameter.PATH, description="the activity's id")
LOOKUP = [
    OpenApiParameter(name, str, OpenApiParameter.QUERY, description=text)
    for name, text in (
        ("endpoint_id", "an endpoint id (also finds the participant of its user)"),
        ("user_id", "a user id (also finds the participants of its endpoints)"),
        ("address", "an email address or phone number of an endpoint"),
    )
]


class JourneyOutput(serializers.Serializer):
    """Output only: the answers are Pinpoint-shaped JSON built by campaigns.journeys.metrics_wire."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return dict(instance)


class JourneyMetricsViewSet(TenantViewSet):
    queryset = Journey.objects.select_related("tenant")
    serializer_class = JourneyOutput
    action_capabilities = {"csv": Capability.EXPORT}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def metrics(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Journey-level execution metrics (GetJourneyExecutionMetrics's JourneyExecutionMetricsResponse)."""
        return Response(journey_metrics_json(journey=self.get_object(), application_id=self.tenant.public_id))

    def _period(self, journey: Journey) -> Period | None:
        tz = metrics_zone(journey)
        return period_from_query(self.request.query_params, tz, clock.now().astimezone(tz).date())

    @extend_schema(parameters=[ACTIVITY, *PERIOD], responses=OpenApiTypes.OBJECT)
    def activity(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One activity's execution and engagement (JourneyExecutionActivityMetricsResponse); `start`/`end` narrow
        the engagement figures to messages queued and events arrived in those days."""
        journey = self.get_object()
        period = self._period(journey)
        row = activity_metrics(journey=journey, activity_id=str(kwargs["activity_id"]), period=period)
        if row is None:
            raise Http404("no such activity in this journey")
        return Response(activity_metrics_json(journey=journey, row=row, application_id=self.tenant.public_id))

    @extend_schema(parameters=PERIOD, responses={(200, "text/csv"): OpenApiTypes.STR})
    def csv(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """The activity metrics as CSV, one row per activity (the console's export); `start`/`end` as above."""
        journey = self.get_object()
        return JourneyMetricsCsvView.render_csv(journey, self._period(journey))

    @extend_schema(parameters=LOOKUP, responses=OpenApiTypes.OBJECT)
    def participants(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Where an endpoint, a user or an address is in the journey and why: its entries, newest first, and its
        refused entries (RefusedEntries: reason, first and latest time, how many times)."""
        params = request.query_params
        query = {k: params.get(k, "") for k in ("endpoint_id", "user_id", "address")}
        journey = self.get_object()
        found = participants_lookup(journey=journey, **query)
        refused = refusals_lookup(journey=journey, **query)
        return Response(
            {"Item": [participant_json(f) for f in found], "RefusedEntries": [refusal_json(r) for r in refused]}
        )
