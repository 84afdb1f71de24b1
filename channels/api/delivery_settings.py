"""GET/PUT a tenant's delivery settings: retention and the deliverability guard's levels."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from channels.models import DeliverySettings
from channels.services.delivery_settings import delivery_settings_for, delivery_settings_update
from engage.api.base import TenantViewSet
from engage.errors import Invalid
from engage.tenancy.models import Capability


class DeliverySettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliverySettings
        fields = [
            "retention_days",
            "guard_enabled",
            "bounce_warn_pct",
            "bounce_pause_pct",
            "complaint_warn_pct",
            "complaint_pause_pct",
            "min_volume",
            "updated_at",
        ]
        read_only_fields = fields


class DeliverySettingsViewSet(TenantViewSet):
    """The delivery settings (one per tenant). PUT any subset of the fields; admins and owners only."""

    queryset = DeliverySettings.objects.all()
    write_capability = Capability.MANAGE
    serializer_class = DeliverySettingsSerializer

    @extend_schema(responses=DeliverySettingsSerializer)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(DeliverySettingsSerializer(delivery_settings_for(tenant=self.tenant)).data)

    @extend_schema(request=DeliverySettingsSerializer, responses=DeliverySettingsSerializer)
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        fields = set(DeliverySettingsSerializer.Meta.fields) - {"updated_at"}
        data = request.data if isinstance(request.data, dict) else {}
        unknown = sorted(set(data) - fields)
        if unknown:
            raise Invalid(f"{unknown[0]} is not a delivery setting ({', '.join(sorted(fields))})", field=unknown[0])
        updated = delivery_settings_update(tenant=self.tenant, by=self.actor, ip=self.ip, **data)
        return Response(DeliverySettingsSerializer(updated).data)
