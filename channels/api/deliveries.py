"""REST API, read-only: dispatches with their counts by status (and reason), and the delivery ledger."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from channels.models import Delivery, Dispatch, Reason, Source, Status
from channels.selectors import deliveries_filtered, dispatch_reason_counts, dispatch_status_counts
from engage.api.base import TenantViewSet
from engage.errors import Invalid
from templates.models import Channel


class DispatchSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField(help_text="ledger rows by status (every status, 0 when none)")

    class Meta:
        model = Dispatch
        fields = [
            "id",
            "source",
            "channel",
            "provider",
            "config",
            "campaign_id",
            "run_id",
            "treatment_id",
            "journey_id",
            "activity_id",
            "chunks",
            "expires_at",
            "created_by",
            "created_at",
            "counts",
        ]
        read_only_fields = fields

    def get_counts(self, dispatch: Dispatch) -> dict[str, int]:
        return dict(self.context["counts"].get(dispatch.pk, {}))


class DispatchDetailSerializer(DispatchSerializer):
    reasons = serializers.SerializerMethodField(help_text="[{status, reason, count}], most rows first")

    class Meta(DispatchSerializer.Meta):
        fields = [*DispatchSerializer.Meta.fields, "reasons"]
        read_only_fields = fields

    def get_reasons(self, dispatch: Dispatch) -> list[dict[str, Any]]:
        return [{"status": s, "reason": r, "count": n} for s, r, n in dispatch_reason_counts(dispatch=dispatch)]


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "dispatch",
            "chunk",
            "key",
            "channel",
            "endpoint_id",
            "user_id",
            "address",
            "status",
            "reason",
            "status_message",
            "provider_message_id",
            "attempts",
            "parts",
            "price_millicents",
            "queued_at",
            "attempted_at",
            "sent_at",
            "delivered_at",
            "updated_at",
        ]
        read_only_fields = fields


def _choice(params: Any, name: str, allowed: list[str]) -> str:
    value = str(params.get(name, ""))
    if value and value not in allowed:
        raise Invalid(f"{name} must be one of {', '.join(v for v in allowed if v)}", field=name)
    return value


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("source", str, enum=Source.values),
            OpenApiParameter("channel", str, enum=Channel.values),
            OpenApiParameter("campaign_id", str),
            OpenApiParameter("journey_id", str),
        ]
    ),
    retrieve=extend_schema(responses=DispatchDetailSerializer),
)
class DispatchViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Dispatches, newest first, each with its ledger rows counted by status; one dispatch adds its reasons."""

    queryset = Dispatch.objects.select_related("config")
    serializer_class = DispatchSerializer

    def get_queryset(self) -> QuerySet[Dispatch]:
        queryset: QuerySet[Dispatch] = super().get_queryset()
        if self.action != "list":
            return queryset
        params = self.request.query_params
        if source := _choice(params, "source", Source.values):
            queryset = queryset.filter(source=source)
        if channel := _choice(params, "channel", Channel.values):
            queryset = queryset.filter(channel=channel)
        for name in ("campaign_id", "journey_id"):
            if params.get(name):
                queryset = queryset.filter(**{name: params[name]})
        return queryset

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return DispatchDetailSerializer if self.action == "retrieve" else DispatchSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        dispatches = list(page or [])
        counts = dispatch_status_counts(tenant=self.tenant, dispatch_ids=[d.pk for d in dispatches])
        data = DispatchSerializer(dispatches, many=True, context={**self.get_serializer_context(), "counts": counts})
        return self.get_paginated_response(data.data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        dispatch = self.get_object()
        counts = dispatch_status_counts(tenant=self.tenant, dispatch_ids=[dispatch.pk])
        context = {**self.get_serializer_context(), "counts": counts}
        return Response(DispatchDetailSerializer(dispatch, context=context).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Status.values),
            OpenApiParameter("reason", str, enum=[r for r in Reason.values if r]),
            OpenApiParameter("channel", str, enum=Channel.values),
            OpenApiParameter("dispatch", int),
            OpenApiParameter("endpoint_id", str),
            OpenApiParameter("address", str),
        ]
    )
)
class DeliveryViewSet(TenantViewSet, mixins.ListModelMixin):
    """The delivery ledger, newest first (cursor-paginated, `page_size` up to 500)."""

    queryset = Delivery.objects.all()
    serializer_class = DeliverySerializer

    def get_queryset(self) -> QuerySet[Delivery]:
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        params = self.request.query_params
        dispatch = str(params.get("dispatch", ""))
        if dispatch and not dispatch.isdigit():
            raise Invalid("dispatch must be a dispatch id (a whole number)", field="dispatch")
        return deliveries_filtered(
            tenant=self.tenant,
            status=_choice(params, "status", Status.values),
            reason=_choice(params, "reason", Reason.values) or None,
            channel=_choice(params, "channel", Channel.values),
            dispatch_id=int(dispatch) if dispatch else None,
            endpoint_id=str(params.get("endpoint_id", "")),
            address=str(params.get("address", "")),
        )
