"""REST API for endpoints, users and events. Bodies use Pinpoint's JSON shapes so clients can move as-is."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from engage.api.base import TenantViewSet
from engage.errors import Invalid
from engage.events.models import Event
from engage.tenancy.models import Capability
from segments.codec import endpoint_to_pinpoint
from segments.models import Endpoint
from segments.selectors import endpoints_search
from segments.services.endpoints import endpoint_delete, endpoint_upsert, endpoints_upsert, user_erase
from segments.services.ingest import events_ingest

MAX_BATCH = 100


class EndpointSerializer(serializers.Serializer):
    """Pinpoint's EndpointResponse."""

    def to_representation(self, instance: Endpoint) -> dict[str, Any]:
        return endpoint_to_pinpoint(instance, application_id=self.context["tenant"].public_id)


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = [
            "id",
            "event_type",
            "endpoint_id",
            "user_id",
            "timestamp",
            "arrival",
            "attributes",
            "metrics",
            "session",
            "client",
            "campaign_id",
            "journey_id",
        ]


def _body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise Invalid("the body must be a JSON object", field="body")
    return dict(request.data)


class EndpointViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Endpoints. PUT/PATCH upsert with UpdateEndpoint semantics; `batch` takes up to 100 (UpdateEndpointsBatch)."""

    queryset = Endpoint.objects.all()
    serializer_class = EndpointSerializer
    lookup_field = "endpoint_id"
    lookup_value_regex = "[^/]+"
    write_capability = Capability.INGEST
    action_capabilities = {"destroy": Capability.EDIT}

    def get_queryset(self) -> QuerySet[Endpoint]:
        if getattr(self, "swagger_fake_view", False):
            return Endpoint.objects.none()
        params = self.request.query_params
        return endpoints_search(
            tenant=self.tenant,
            q=params.get("q"),
            user_id=params.get("user_id"),
            address=params.get("address"),
            channel_type=params.get("channel_type"),
        )

    @extend_schema(parameters=[OpenApiParameter(n, str) for n in ("q", "user_id", "address", "channel_type")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        endpoint = endpoint_upsert(tenant=self.tenant, endpoint_id=kwargs["endpoint_id"], data=_body(request))
        return Response(self.get_serializer(endpoint).data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.get_object()
        endpoint = endpoint_delete(tenant=self.tenant, endpoint_id=kwargs["endpoint_id"], by=self.actor)
        return Response(self.get_serializer(endpoint).data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["post"])
    def batch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Upsert up to 100 endpoints: {"Item": [{"Id": ..., ...EndpointRequest}]}; one result per item."""
        items = _body(request).get("Item")
        if not isinstance(items, list) or not items:
            raise Invalid("Item must be a non-empty list of endpoints, each with an Id", field="Item")
        if len(items) > MAX_BATCH:
            raise Invalid(f"Item holds {len(items)} endpoints; at most {MAX_BATCH} per batch", field="Item")
        pairs = []
        for index, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("Id"), str) or not item["Id"]:
                raise Invalid(f"Item[{index}] needs an Id", field=f"Item[{index}].Id")
            pairs.append((item["Id"], item))
        results = endpoints_upsert(tenant=self.tenant, items=pairs)
        body = [
            {
                "Id": r.endpoint_id,
                "StatusCode": r.status_code,
                "Message": r.message,
                **({"Field": r.field} if r.field else {}),
            }
            for r in results
        ]
        return Response({"Results": body}, status=status.HTTP_200_OK)


class UserViewSet(TenantViewSet):
    """A user's endpoints (GetUserEndpoints) and erasure of everything about them (DeleteUserEndpoints + events)."""

    queryset = Endpoint.objects.all()
    serializer_class = EndpointSerializer
    lookup_field = "user_id"
    lookup_value_regex = "[^/]+"
    action_capabilities = {"destroy": Capability.EDIT}

    def _endpoints(self, user_id: str) -> list[Endpoint]:
        endpoints = list(self.get_queryset().filter(user_id=user_id).order_by("endpoint_id"))
        if not endpoints:
            raise Http404
        return endpoints

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def retrieve(self, request: Request, user_id: str, *args: Any, **kwargs: Any) -> Response:
        items = self.get_serializer(self._endpoints(user_id), many=True).data
        return Response({"UserId": user_id, "Item": items})

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def destroy(self, request: Request, user_id: str, *args: Any, **kwargs: Any) -> Response:
        self._endpoints(user_id)
        removed = user_erase(tenant=self.tenant, user_id=user_id, by=self.actor, ip=self.ip)
        return Response({"UserId": user_id, "Item": self.get_serializer(removed, many=True).data})


class EventViewSet(TenantViewSet, mixins.ListModelMixin):
    """POST a PutEvents EventsRequest; GET the recent events (filters: event_type, endpoint_id, user_id)."""

    queryset = Event.objects.all()
    serializer_class = EventSerializer
    write_capability = Capability.INGEST

    def get_queryset(self) -> QuerySet[Event]:
        queryset: QuerySet[Event] = super().get_queryset()
        params = self.request.query_params
        if params.get("event_type"):
            queryset = queryset.filter(event_type=params["event_type"])
        if params.get("endpoint_id"):
            queryset = queryset.filter(endpoint_id=params["endpoint_id"])
        if params.get("user_id"):
            queryset = queryset.filter(user_id=params["user_id"])
        if params.get("q"):
            queryset = queryset.filter(Q(event_type__startswith=params["q"]) | Q(endpoint_id=params["q"]))
        return queryset

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        result = events_ingest(tenant=self.tenant, batch=_body(request))
        return Response({"Results": result.results}, status=status.HTTP_202_ACCEPTED)
