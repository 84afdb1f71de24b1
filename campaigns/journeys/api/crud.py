"""/api/v1/tenants/<id>/journeys/: CRUD (WriteJourneyRequest in, JourneyResponse out), the lifecycle (state,
publish, pause, resume, stop), test copies and the review."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from campaigns.journeys.representation import journey_json
from campaigns.journeys.services.lifecycle import (
    journey_pause,
    journey_publish,
    journey_resume,
    journey_state_set,
    journey_stop,
    journey_test_start,
)
from campaigns.journeys.services.review import journey_review
from campaigns.journeys.services.writes import journey_create, journey_delete, journey_update
from campaigns.models import Journey
from engage.api.base import TenantViewSet
from engage.errors import Invalid
from segments.models import Segment


class JourneySerializer(serializers.Serializer):
    """Output only: requests are WriteJourneyRequest bodies, checked by the services."""

    def to_representation(self, instance: Journey) -> dict[str, Any]:
        return journey_json(instance)


def _body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise Invalid("send a JSON object", field="body")
    return dict(request.data)


def _seconds(value: Any) -> Any:
    """WaitSeconds as a number (a string of digits is read as one); the service checks the rest."""
    return int(value) if isinstance(value, str) and value.strip().isdigit() else value


class JourneyViewSet(TenantViewSet):
    queryset = Journey.objects.select_related("tenant")
    serializer_class = JourneySerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()
        state = self.request.query_params.get("state")
        if state:
            if state not in Journey.State.values:
                raise Invalid(f"state must be one of {', '.join(Journey.State.values)}", field="state")
            queryset = queryset.filter(state=state)
        return queryset.order_by("-created_at", "-id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([journey_json(j) for j in page or []])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(journey_json(self.get_object()))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        journey = journey_create(tenant=self.tenant, body=_body(request), by=self.actor, ip=self.ip)
        return Response(journey_json(journey), status=201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        journey = journey_update(journey=self.get_object(), body=_body(request), by=self.actor, ip=self.ip)
        return Response(journey_json(journey))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        journey_delete(journey=self.get_object(), by=self.actor, ip=self.ip)
        return Response(status=204)

    @action(detail=True, methods=["post"])
    def state(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Pinpoint's JourneyStateRequest: {"State": "ACTIVE" | "PAUSED" | "CANCELLED"}."""
        state = _body(request).get("State")
        return Response(
            journey_json(journey_state_set(journey=self.get_object(), state=state, by=self.actor, ip=self.ip))
        )

    @action(detail=True, methods=["post"])
    def publish(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(journey_json(journey_publish(journey=self.get_object(), by=self.actor, ip=self.ip)))

    @action(detail=True, methods=["post"])
    def pause(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(journey_json(journey_pause(journey=self.get_object(), by=self.actor, ip=self.ip)))

    @action(detail=True, methods=["post"])
    def resume(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(journey_json(journey_resume(journey=self.get_object(), by=self.actor, ip=self.ip)))

    @action(detail=True, methods=["post"])
    def stop(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(journey_json(journey_stop(journey=self.get_object(), by=self.actor, ip=self.ip)))

    @action(detail=True, methods=["post"])
    def test(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """{"SegmentId", "Wait": "skip" | "custom", "WaitSeconds"}: start a "Test-" copy entered by the segment."""
        journey = self.get_object()
        body = _body(request)
        segment = Segment.objects.for_tenant(self.tenant).filter(public_id=str(body.get("SegmentId") or "")).first()
        if segment is None:
            raise Invalid("choose a test segment of this project", field="SegmentId")
        test = journey_test_start(
            journey=journey,
            segment=segment,
            wait=str(body.get("Wait") or "skip"),
            wait_seconds=_seconds(body.get("WaitSeconds")),
            by=self.actor,
            ip=self.ip,
        )
        return Response(journey_json(test), status=201)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def review(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Errors (which block publishing) and recommendations, each naming its activity and member."""
        journey = self.get_object()
        review = journey_review(tenant=self.tenant, definition=journey.definition or {}, journey=journey)
        return Response(review.as_json())
