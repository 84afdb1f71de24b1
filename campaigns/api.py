"""REST API for campaigns."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from campaigns.models import Campaign
from campaigns.selectors import campaigns_list
from campaigns.services import campaign_create, campaign_delete, campaign_update
from engage.api.base import TenantViewSet


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "description", "status", "created_at", "updated_at"]
        read_only_fields = ["id", "status", "created_at", "updated_at"]
        extra_kwargs = {"description": {"required": False}}


class CampaignViewSet(
    TenantViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Campaign.objects.none()
        params = self.request.query_params
        return campaigns_list(tenant=self.tenant, status=params.get("status"), search=params.get("search"))

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = campaign_create(tenant=self.tenant, by=self.actor, **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = campaign_update(campaign=serializer.instance, by=self.actor, **serializer.validated_data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campaign_delete(campaign=self.get_object(), by=self.actor, ip=self.ip)
        return Response(status=204)
