"""REST API: /api/v1/tenants/<id>/suppressions/ (the list, CSV import and export), consent-policies/ and
deliverability-policy/ (soft bounces before an address is suppressed)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from engage.api.base import TenantViewSet
from engage.errors import Invalid
from engage.tenancy.models import Capability
from segments.models import ConsentPolicy, DeliverabilityPolicy, SuppressedAddress
from segments.selectors import consent_policies, deliverability_policy_get, suppression_for, suppressions_filter
from segments.services.policies import consent_policy_update, deliverability_policy_update
from segments.services.suppression import suppression_add, suppression_remove
from segments.services.suppression_io import suppression_export, suppression_import

FILTERS = [
    OpenApiParameter("q", str, description="the start of the address"),
    OpenApiParameter("reason", str, enum=SuppressedAddress.Reason.values),
    OpenApiParameter("channel", str, description='a channel, or "ANY" for rows that apply to every channel'),
]


class SuppressionSerializer(serializers.ModelSerializer):
    """One suppressed address. `channel` empty means every channel; addresses are stored normalised."""

    address = serializers.CharField(max_length=1024)
    reason = serializers.CharField(required=False, allow_blank=True, default=SuppressedAddress.Reason.MANUAL)
    channel = serializers.CharField(required=False, allow_blank=True, default="")
    # Named like Field.source / Serializer.errors: DRF's metaclass takes declared fields off the class.
    source = serializers.CharField(required=False, allow_blank=True, max_length=255, default="api")  # type: ignore[assignment]
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")

    class Meta:
        model = SuppressedAddress
        fields = ["id", "address", "reason", "channel", "source", "note", "created_by", "created_at"]
        read_only_fields = ["id", "created_by", "created_at"]


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV: address[,reason][,channel][,note], header row optional")


class ImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    added = serializers.IntegerField()
    existing = serializers.IntegerField(help_text="already on the list (left as they were)")
    error_count = serializers.IntegerField()
    errors = serializers.ListField(  # type: ignore[assignment]
        child=serializers.DictField(), help_text="[{line, message}], the first 1,000"
    )


class SuppressionViewSet(
    TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin
):
    """The suppression list. Retrieve and delete by id or by address (every channel's row of it)."""

    queryset = SuppressedAddress.objects.all()
    serializer_class = SuppressionSerializer
    lookup_value_regex = "[^/]+"
    action_capabilities = {"export": Capability.EXPORT}
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[SuppressedAddress]:
        if getattr(self, "swagger_fake_view", False):
            return SuppressedAddress.objects.none()
        params = self.request.query_params
        return suppressions_filter(
            tenant=self.tenant, q=params.get("q"), reason=params.get("reason"), channel=params.get("channel")
        )

    def get_object(self) -> SuppressedAddress:
        found = suppression_for(tenant=self.tenant, lookup=str(self.kwargs["pk"]))
        if found is None:
            raise Http404
        return found

    @extend_schema(parameters=FILTERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Add an address (201); one already listed for the channel is returned as it is (200)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row, created = suppression_add(tenant=self.tenant, by=self.actor, ip=self.ip, **serializer.validated_data)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.get_serializer(row).data, status=code)

    @extend_schema(parameters=[OpenApiParameter("channel", str, description="only this channel's row")])
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Remove a row by id, or an address (all its rows, or `?channel=`'s)."""
        lookup = str(kwargs["pk"])
        row = self.get_object()
        if lookup.isdigit() and row.pk == int(lookup):
            suppression_remove(tenant=self.tenant, suppression=row, by=self.actor, ip=self.ip)
        else:
            channel = request.query_params.get("channel")
            if not suppression_remove(tenant=self.tenant, address=lookup, channel=channel, by=self.actor, ip=self.ip):
                raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request={"multipart/form-data": ImportUploadSerializer}, responses=ImportResultSerializer)
    @action(detail=False, methods=["post"], url_path="import")
    def import_csv(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Add the addresses of a CSV file (≤ 100,000 rows), synchronously; bad lines come back with numbers."""
        upload = request.FILES.get("file")
        if upload is None:
            raise Invalid("attach the CSV file as the multipart field `file`", field="file")
        report = suppression_import(
            tenant=self.tenant, data=upload.read(), filename=upload.name or "upload.csv", by=self.actor, ip=self.ip
        )
        body = {
            "rows": report.rows,
            "added": report.added,
            "existing": report.existing,
            "error_count": report.error_count,
            "errors": [{"line": e.line, "message": e.message} for e in report.errors],
        }
        return Response(ImportResultSerializer(body).data)

    @extend_schema(parameters=FILTERS, responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"])
    def export(self, request: Request, *args: Any, **kwargs: Any) -> StreamingHttpResponse:
        """The list (filtered like the listing) as a CSV download, streamed."""
        params = request.query_params
        chunks = suppression_export(
            tenant=self.tenant,
            by=self.actor,
            ip=self.ip,
            q=params.get("q"),
            reason=params.get("reason"),
            channel=params.get("channel"),
        )
        response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="suppressions-{self.tenant.public_id}.csv"'
        return response


class ConsentPolicySerializer(serializers.ModelSerializer):
    channel = serializers.CharField(read_only=True)
    require_opt_in = serializers.BooleanField(required=False, default=False)
    applies_to = serializers.ChoiceField(
        choices=ConsentPolicy.AppliesTo.choices, required=False, default=ConsentPolicy.AppliesTo.PROMOTIONAL
    )

    class Meta:
        model = ConsentPolicy
        fields = ["channel", "require_opt_in", "applies_to", "updated_at"]
        read_only_fields = ["channel", "updated_at"]


class ConsentPolicyViewSet(TenantViewSet, mixins.ListModelMixin):
    """One consent policy per channel: GET lists all of them (defaults included); PUT/PATCH
    consent-policies/<CHANNEL>/ sets one."""

    queryset = ConsentPolicy.objects.all()
    serializer_class = ConsentPolicySerializer
    lookup_field = "channel"
    lookup_value_regex = "[^/]+"
    pagination_class = None
    write_capability = Capability.MANAGE

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.get_serializer(consent_policies(tenant=self.tenant), many=True).data)

    def get_object(self) -> ConsentPolicy:
        # The policy of any channel exists (unsaved, the default, until set): PUT creates or replaces it.
        channel = str(self.kwargs["channel"]).upper()
        return next((p for p in consent_policies(tenant=self.tenant) if p.channel == channel), ConsentPolicy())

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        current = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = self.get_serializer(current, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        policy = consent_policy_update(
            tenant=self.tenant,
            channel=str(kwargs["channel"]),
            require_opt_in=data.get("require_opt_in", current.require_opt_in),
            applies_to=data.get("applies_to", current.applies_to or ConsentPolicy.AppliesTo.PROMOTIONAL),
            by=self.actor,
            ip=self.ip,
        )
        return Response(self.get_serializer(policy).data)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)


class DeliverabilityPolicySerializer(serializers.ModelSerializer):
    soft_bounce_threshold = serializers.IntegerField(min_value=1, max_value=100)
    soft_bounce_window_days = serializers.IntegerField(min_value=1, max_value=90)

    class Meta:
        model = DeliverabilityPolicy
        fields = ["soft_bounce_threshold", "soft_bounce_window_days", "updated_at"]
        read_only_fields = ["updated_at"]


class DeliverabilityPolicyViewSet(TenantViewSet):
    """The tenant's soft-bounce rule: `soft_bounce_threshold` soft bounces within `soft_bounce_window_days`
    days suppress an address (default 3 within 7)."""

    queryset = DeliverabilityPolicy.objects.all()
    serializer_class = DeliverabilityPolicySerializer
    write_capability = Capability.MANAGE

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.get_serializer(deliverability_policy_get(tenant=self.tenant)).data)

    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        current = deliverability_policy_get(tenant=self.tenant)
        serializer = self.get_serializer(current, data=request.data, partial=request.method == "PATCH")
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        policy = deliverability_policy_update(
            tenant=self.tenant,
            soft_bounce_threshold=data.get("soft_bounce_threshold", current.soft_bounce_threshold),
            soft_bounce_window_days=data.get("soft_bounce_window_days", current.soft_bounce_window_days),
            by=self.actor,
            ip=self.ip,
        )
        return Response(self.get_serializer(policy).data)
