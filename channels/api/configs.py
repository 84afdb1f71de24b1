"""REST API: /api/v1/tenants/<id>/channel-configs/ — configs, "check connection" and SES identities."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from channels.feedback.config import feedback_url
from channels.models import ChannelConfig, EmailIdentity, Provider
from channels.models.config import PROVIDERS_FOR_CHANNEL
from channels.services.config_reads import sms_spend_summary
from channels.services.configs import config_check, config_create, config_delete, config_update
from channels.services.guard import config_pause, config_resume
from channels.services.identities import dkim_records, identity_create, identity_delete, identity_refresh
from channels.transports.common import config_secrets
from engage import clock
from engage.api.base import TenantViewSet
from engage.tenancy.models import Capability
from templates.models import Channel


class SpendSerializer(serializers.Serializer):
    month = serializers.CharField()
    spent_usd = serializers.DecimalField(max_digits=20, decimal_places=5)
    parts = serializers.IntegerField()
    limit_usd = serializers.DecimalField(max_digits=20, decimal_places=5, allow_null=True)
    percent = serializers.FloatField(allow_null=True)


class ChannelConfigSerializer(serializers.ModelSerializer):
    """A channel config. `secrets` is write-only: answers list the secret keys that are set in `secrets_set`."""

    channel = serializers.ChoiceField(choices=[(c, Channel(c).label) for c in PROVIDERS_FOR_CHANNEL])
    provider = serializers.ChoiceField(choices=Provider.choices)
    is_default = serializers.BooleanField(
        required=False, help_text="the config campaigns use for the channel; the channel's first config by default"
    )
    settings = serializers.DictField(
        required=False, help_text="the provider's settings (docs/channels.md); on updates merged key by key"
    )
    secrets = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True, max_length=4096, trim_whitespace=False),
        required=False,
        write_only=True,
        help_text="credentials (write-only): a blank value keeps the stored one, null removes it",
    )
    secrets_set = serializers.SerializerMethodField()
    effective_rate = serializers.FloatField(read_only=True)
    spend = serializers.SerializerMethodField(help_text="eum_sms: the tenant's SMS spend this month")
    feedback_url = serializers.SerializerMethodField(
        help_text="email and SMS: the HTTPS URL to subscribe to the SNS topic of provider feedback"
    )

    class Meta:
        model = ChannelConfig
        fields = [
            "id",
            "name",
            "channel",
            "provider",
            "enabled",
            "is_default",
            "messages_per_second",
            "provider_max_rate",
            "effective_rate",
            "settings",
            "secrets",
            "secrets_set",
            "spend",
            "feedback_url",
            "last_check_at",
            "last_check",
            "guard",
            "paused_at",
            "paused_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "provider_max_rate",
            "last_check_at",
            "last_check",
            "guard",
            "paused_at",
            "paused_reason",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_feedback_url(self, config: ChannelConfig) -> str | None:
        return feedback_url(config=config) if config.pk else None

    def get_secrets_set(self, config: ChannelConfig) -> list[str]:
        return sorted(config_secrets(config))

    @extend_schema_field(SpendSerializer(allow_null=True))
    def get_spend(self, config: ChannelConfig) -> dict[str, Any] | None:
        summary = sms_spend_summary(config=config)
        return None if summary is None else dict(SpendSerializer(summary).data)


class PauseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=400, required=False, default="", allow_blank=True)


class CheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    values = serializers.DictField(help_text="the provider's values: quota, max_send_rate, sandbox...")
    error = serializers.CharField(allow_blank=True, help_text="the provider's error text when not ok")
    provider_max_rate = serializers.FloatField(allow_null=True)


class EmailIdentitySerializer(serializers.ModelSerializer):
    identity = serializers.CharField(max_length=320, help_text="an email address or a domain")
    dkim_records = serializers.SerializerMethodField(help_text="the CNAME records to publish (domains)")

    class Meta:
        model = EmailIdentity
        fields = [
            "id",
            "identity",
            "kind",
            "verified",
            "verification_status",
            "dkim_status",
            "dkim_tokens",
            "dkim_records",
            "checked_at",
            "created_at",
        ]
        read_only_fields = [f for f in fields if f != "identity"]

    def get_dkim_records(self, identity: EmailIdentity) -> list[dict[str, str]]:
        return dkim_records(identity)


class ChannelConfigViewSet(
    TenantViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """Channel configs: which provider sends each channel, as whom, how fast. Admins and owners manage them."""

    queryset = ChannelConfig.objects.all()
    serializer_class = ChannelConfigSerializer
    read_capability = Capability.VIEW
    write_capability = Capability.MANAGE

    def perform_create(self, serializer: ChannelConfigSerializer) -> None:  # type: ignore[override]
        serializer.instance = config_create(tenant=self.tenant, by=self.actor, ip=self.ip, **serializer.validated_data)

    def perform_update(self, serializer: ChannelConfigSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        serializer.instance = config_update(config=self.get_object(), by=self.actor, ip=self.ip, **data)

    def perform_destroy(self, instance: ChannelConfig) -> None:
        config_delete(config=instance, by=self.actor, ip=self.ip)

    @extend_schema(request=None, responses=CheckSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Call the provider (SES GetAccount, ...) and answer its values or its error text."""
        config = self.get_object()
        result = config_check(config=config, by=self.actor, ip=self.ip)
        config.refresh_from_db(fields=["provider_max_rate"])
        body = {**vars(result), "provider_max_rate": config.provider_max_rate}
        return Response(CheckSerializer(body).data)

    @extend_schema(request=PauseSerializer, responses=ChannelConfigSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Pause sending through the config (messages wait, queued) until it is resumed. Audited."""
        body = PauseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        config = self.get_object()
        config_pause(config=config, by=self.actor, reason=body.validated_data["reason"], now=clock.now(), ip=self.ip)
        config.refresh_from_db()
        return Response(self.get_serializer(config).data)

    @extend_schema(request=None, responses=ChannelConfigSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Resume a config the deliverability guard (or an admin) paused; its waiting messages go out. Audited."""
        config = config_resume(config=self.get_object(), by=self.actor, ip=self.ip)
        return Response(self.get_serializer(config).data)

    @extend_schema(methods=["get"], responses=EmailIdentitySerializer(many=True))
    @extend_schema(methods=["post"], request=EmailIdentitySerializer, responses={201: EmailIdentitySerializer})
    @action(detail=True, methods=["get", "post"], serializer_class=EmailIdentitySerializer, pagination_class=None)
    def identities(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The SES identities of an `ses` config; POST an address or domain to have SES verify it."""
        config = self.get_object()
        if request.method == "GET":
            rows = EmailIdentity.objects.filter(config=config)
            return Response(EmailIdentitySerializer(rows, many=True).data)
        serializer = EmailIdentitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = identity_create(config=config, by=self.actor, ip=self.ip, identity=serializer.validated_data["identity"])
        return Response(EmailIdentitySerializer(row).data, status=status.HTTP_201_CREATED)

    def _identity(self, identity_id: str) -> EmailIdentity:
        config = self.get_object()
        return get_object_or_404(EmailIdentity.objects.filter(config=config), pk=identity_id)

    @extend_schema(request=None, responses=EmailIdentitySerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"identities/(?P<identity_id>[0-9]+)/refresh",
        url_name="identity-refresh",
        serializer_class=EmailIdentitySerializer,
    )
    def identity_refresh(self, request: Request, identity_id: str, *args: Any, **kwargs: Any) -> Response:
        """Read the identity's verification and DKIM status from SES again."""
        return Response(EmailIdentitySerializer(identity_refresh(identity=self._identity(identity_id))).data)

    @extend_schema(request=None, responses={204: None})
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"identities/(?P<identity_id>[0-9]+)",
        url_name="identity-detail",
        serializer_class=EmailIdentitySerializer,
    )
    def identity_delete(self, request: Request, identity_id: str, *args: Any, **kwargs: Any) -> Response:
        """Delete the identity in SES and here (refused while it verifies an enabled config's From)."""
        identity_delete(identity=self._identity(identity_id), by=self.actor, ip=self.ip)
        return Response(status=status.HTTP_204_NO_CONTENT)
