"""REST API for segments: CRUD with Pinpoint's WriteSegmentRequest/SegmentResponse JSON, estimate, members,
explain, versions, and the tenant's audience guard."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from engage.api.base import TenantViewSet
from engage.errors import Invalid
from engage.tenancy.models import Capability
from segments.compiler.query import (
    Estimate,
    Explanation,
    audience_guard_for,
    segment_estimate,
    segment_explain,
    segment_members,
)
from segments.definition import Definition, parse_definition
from segments.models import AudienceGuard, Endpoint, Segment
from segments.segment_json import iso, segment_to_pinpoint
from segments.services.segments import audience_guard_set, segment_copy, segment_create, segment_delete, segment_update

MAX_MEMBERS_PAGE = 10_000


class SegmentSerializer(serializers.Serializer):
    def to_representation(self, instance: Segment) -> dict[str, Any]:
        return segment_to_pinpoint(instance, application_id=self.context["tenant"].public_id)


def _body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise Invalid("the body must be a JSON object (a WriteSegmentRequest)", field="body")
    return dict(request.data)


def _estimate_json(estimate: Estimate) -> dict[str, int]:
    return {
        "Total": estimate.total,
        "Eligible": estimate.eligible,
        "EligibleBeforeGuard": estimate.eligible_before_guard,
    }


def _explain_json(explanation: Explanation) -> dict[str, Any]:
    return {
        "InSegment": explanation.in_segment,
        "Eligible": explanation.eligible,
        "Criteria": [{"Criterion": v.label, "Matched": v.matched} for v in explanation.criteria],
        "Eligibility": [{"Criterion": v.label, "Matched": v.matched} for v in explanation.eligibility],
    }


def _use_guard(request: Request) -> bool:
    return request.query_params.get("guard", "1") not in ("0", "false", "no")


class SegmentViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Segments. Definitions are Pinpoint's Dimensions / SegmentGroups (plus `Events` criteria)."""

    queryset = Segment.objects.all()
    serializer_class = SegmentSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-f]{32}"
    action_capabilities = {"estimate_draft": Capability.VIEW, "explain_draft": Capability.VIEW}

    def _definition(self, segment: Segment) -> Definition:
        return (
            parse_definition(segment.definition)
            if segment.kind == Segment.Kind.DIMENSIONAL
            else parse_definition({"SegmentGroups": {"Groups": [{"SourceSegments": [{"Id": segment.public_id}]}]}})
        )

    def _guard(self, request: Request) -> Definition | None:
        return audience_guard_for(tenant=self.tenant) if _use_guard(request) else None

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        segment = segment_create(tenant=self.tenant, body=_body(request), by=self.actor)
        return Response(self.get_serializer(segment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        segment = segment_update(segment=self.get_object(), body=_body(request), by=self.actor)
        return Response(self.get_serializer(segment).data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        segment = self.get_object()
        data = self.get_serializer(segment).data
        segment_delete(segment=segment, by=self.actor, ip=self.ip)
        return Response(data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def copy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Copy to a new dynamic segment: {"Name": "..."}."""
        source = self.get_object()
        copied = segment_copy(segment=source, name=_body(request).get("Name") or f"{source.name} (copy)", by=self.actor)
        return Response(self.get_serializer(copied).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("guard", bool)], responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def estimate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Exact counts: Total (match the criteria), Eligible (would receive), EligibleBeforeGuard."""
        segment = self.get_object()
        result = segment_estimate(tenant=self.tenant, definition=self._definition(segment), guard=self._guard(request))
        return Response(_estimate_json(result))

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["post"], url_path="estimate")
    def estimate_draft(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Estimate an unsaved definition (the builder's live count)."""
        definition = parse_definition(_body(request))
        result = segment_estimate(tenant=self.tenant, definition=definition, guard=self._guard(request))
        return Response(_estimate_json(result))

    @extend_schema(
        parameters=[OpenApiParameter("after", str), OpenApiParameter("limit", int), OpenApiParameter("all", bool)],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, methods=["get"])
    def members(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Member endpoint ids in id order, a page at a time: {"Ids": [...], "Next": cursor | null}."""
        segment = self.get_object()
        try:
            after = int(request.query_params.get("after") or 0)
            limit = min(int(request.query_params.get("limit") or 1000), MAX_MEMBERS_PAGE)
        except ValueError:
            raise Invalid("after and limit must be whole numbers", field="after") from None
        if limit < 1:
            raise Invalid("limit must be at least 1", field="limit")
        eligible_only = request.query_params.get("all") not in ("1", "true")
        rows = list(
            segment_members(
                tenant=self.tenant,
                definition=self._definition(segment),
                eligible_only=eligible_only,
                guard=self._guard(request) if eligible_only else None,
            )
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "endpoint_id")[:limit]
        )
        next_cursor = str(rows[-1][0]) if len(rows) == limit else None
        return Response({"Ids": [eid for _, eid in rows], "Next": next_cursor})

    def _endpoint(self, endpoint_id: Any) -> Endpoint:
        if not isinstance(endpoint_id, str) or not endpoint_id:
            raise Invalid("endpoint_id is required", field="endpoint_id")
        endpoint = Endpoint.objects.for_tenant(self.tenant).filter(endpoint_id=endpoint_id).first()
        if endpoint is None:
            raise Invalid(f"endpoint {endpoint_id} does not exist in this tenant", field="endpoint_id")
        return endpoint

    @extend_schema(parameters=[OpenApiParameter("endpoint_id", str, required=True)], responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def explain(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Why an endpoint is (not) in the segment: each criterion met or failed, and eligibility."""
        segment = self.get_object()
        endpoint = self._endpoint(request.query_params.get("endpoint_id"))
        result = segment_explain(
            tenant=self.tenant, definition=self._definition(segment), endpoint=endpoint, guard=self._guard(request)
        )
        return Response(_explain_json(result))

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["post"], url_path="explain")
    def explain_draft(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Explain an unsaved definition for {"EndpointId": ..., ...WriteSegmentRequest}."""
        body = _body(request)
        endpoint = self._endpoint(body.get("EndpointId"))
        result = segment_explain(
            tenant=self.tenant, definition=parse_definition(body), endpoint=endpoint, guard=self._guard(request)
        )
        return Response(_explain_json(result))

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Every version of the segment's definition, newest first (GetSegmentVersions)."""
        segment = self.get_object()
        base = segment_to_pinpoint(segment, application_id=self.tenant.public_id)
        items = []
        for version in segment.versions.all():
            item = {k: v for k, v in base.items() if k not in ("Dimensions", "SegmentGroups")}
            items.append(
                {**item, **version.definition, "Version": version.version, "LastModifiedDate": iso(version.created_at)}
            )
        return Response({"Item": items})


class AudienceGuardViewSet(TenantViewSet):
    """GET/PUT the audience guard: {"Enabled": bool, "Dimensions" | "SegmentGroups": ...}."""

    queryset = AudienceGuard.objects.all()
    write_capability = Capability.MANAGE

    def get_queryset(self) -> Any:
        return AudienceGuard.objects.filter(tenant=self.tenant)

    def _json(self, guard: AudienceGuard | None) -> dict[str, Any]:
        if guard is None:
            return {"Enabled": False}
        return {"Enabled": guard.enabled, **(guard.definition or {})}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._json(self.get_queryset().first()))

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = _body(request)
        enabled = body.get("Enabled", True)
        if not isinstance(enabled, bool):
            raise Invalid("Enabled must be true or false", field="Enabled")
        return Response(self._json(audience_guard_set(tenant=self.tenant, enabled=enabled, body=body, by=self.actor)))
