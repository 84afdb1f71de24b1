"""REST API: /api/v1/tenants/<id>/event-streams/ — destinations, their lag, and a test record."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from engage.api.base import TenantViewSet
from engage.events.streams.config import CONFIG_FIELDS
from engage.events.streams.models import DELIVERY_STATE_FIELDS, EventStream
from engage.events.streams.selectors import stream_lag
from engage.events.streams.services import stream_create, stream_delete, stream_test, stream_update
from engage.tenancy.models import Capability


class LagSerializer(serializers.Serializer):
    events = serializers.IntegerField(help_text="events not yet exported (at most 1,000,000; see `capped`)")
    capped = serializers.BooleanField()
    oldest_arrival = serializers.DateTimeField(allow_null=True)
    oldest_age_seconds = serializers.FloatField(allow_null=True)


class EventStreamSerializer(serializers.ModelSerializer):
    """A destination. Secrets (webhook_secret, access_key_id, secret_access_key) are write-only."""

    kind = serializers.ChoiceField(choices=EventStream.Kind.choices)
    s3_url = serializers.CharField(
        required=False, allow_blank=True, max_length=1100, help_text="S3 destinations: s3://bucket/prefix/"
    )
    stream_name = serializers.CharField(required=False, allow_blank=True, max_length=2048)
    url = serializers.CharField(required=False, allow_blank=True, max_length=2048)
    timeout_seconds = serializers.IntegerField(required=False, min_value=1, max_value=30)
    region = serializers.CharField(required=False, allow_blank=True, max_length=32)
    endpoint_url = serializers.CharField(required=False, allow_blank=True, max_length=2048)
    webhook_secret = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=256)
    access_key_id = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=128)
    secret_access_key = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=256)
    from_beginning = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="On creation: export every stored event, not only those arriving from now on.",
    )
    credentials = serializers.SerializerMethodField(help_text="access_key, default_chain, or null for webhooks")
    lag = serializers.SerializerMethodField()

    class Meta:
        model = EventStream
        fields = [
            "id",
            "name",
            "kind",
            "enabled",
            "s3_url",
            "bucket",
            "prefix",
            "stream_name",
            "url",
            "timeout_seconds",
            "region",
            "endpoint_url",
            "credentials",
            "webhook_secret",
            "access_key_id",
            "secret_access_key",
            "from_beginning",
            "cursor",
            "exported_count",
            "lag",
            "last_success_at",
            "last_error",
            "last_error_at",
            "failures",
            "next_attempt_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "bucket",
            "prefix",
            *DELIVERY_STATE_FIELDS,
            "created_at",
            "updated_at",
        ]

    def get_credentials(self, stream: EventStream) -> str | None:
        if not stream.is_aws:
            return None
        return "access_key" if stream.uses_access_key else "default_chain"

    @extend_schema_field(LagSerializer)
    def get_lag(self, stream: EventStream) -> dict[str, Any]:
        lag = stream_lag(stream=stream)
        return dict(LagSerializer(lag).data)


class TestResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    message = serializers.CharField(help_text="the destination's answer, or what went wrong")
    record = serializers.DictField(help_text="the synthetic record that was sent")


class EventStreamViewSet(
    TenantViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """Event-stream destinations (S3, Kinesis, Firehose, signed webhook) with their lag and last error."""

    queryset = EventStream.objects.all()
    serializer_class = EventStreamSerializer
    read_capability = Capability.MANAGE
    write_capability = Capability.MANAGE

    def perform_create(self, serializer: EventStreamSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        serializer.instance = stream_create(
            tenant=self.tenant,
            by=self.actor,
            ip=self.ip,
            name=data.pop("name"),
            kind=data.pop("kind"),
            from_beginning=data.pop("from_beginning", False),
            enabled=data.pop("enabled", True),
            **{k: v for k, v in data.items() if k in CONFIG_FIELDS},
        )

    def perform_update(self, serializer: EventStreamSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        data.pop("from_beginning", None)
        serializer.instance = stream_update(stream=self.get_object(), by=self.actor, ip=self.ip, **data)

    def perform_destroy(self, instance: EventStream) -> None:
        stream_delete(stream=instance, by=self.actor, ip=self.ip)

    @extend_schema(request=None, responses=TestResultSerializer)
    @action(detail=True, methods=["post"])
    def test(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Send one synthetic `_engage.test` record now and report what the destination answered."""
        result = stream_test(stream=self.get_object())
        body = {"ok": result.ok, "message": result.message, "record": result.record}
        return Response(TestResultSerializer(body).data, status=status.HTTP_200_OK)
