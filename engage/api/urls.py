"""Routes of the REST API under /api/v1/."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from campaigns.api.views import CampaignViewSet
from channels.api.configs import ChannelConfigViewSet
from channels.api.deliveries import DeliveryViewSet, DispatchViewSet
from channels.api.delivery_settings import DeliverySettingsViewSet
from channels.api.inapp import InAppMessagesViewSet
from channels.api.messages import MessagesViewSet, OutboxViewSet, TemplateTestSendViewSet, UsersMessagesViewSet
from engage.events.streams.api import EventStreamViewSet
from engage.tenancy.api import (
    ApiKeyViewSet,
    AuditLogViewSet,
    MembershipViewSet,
    TenantCollectionView,
    TenantDetailViewSet,
)
from segments.api.audience import EndpointViewSet, EventViewSet, UserViewSet
from segments.api.jobs import ExportJobViewSet, ImportJobViewSet
from segments.api.segments import AudienceGuardViewSet, SegmentViewSet
from segments.api.suppression import ConsentPolicyViewSet, DeliverabilityPolicyViewSet, SuppressionViewSet
from templates.api import TemplateViewSet

router = SimpleRouter()
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("members", MembershipViewSet, basename="member")
router.register("api-keys", ApiKeyViewSet, basename="apikey")
router.register("audit-log", AuditLogViewSet, basename="audit")
router.register("endpoints", EndpointViewSet, basename="endpoint")
router.register("users", UserViewSet, basename="user")
router.register("events", EventViewSet, basename="event")
router.register("segments", SegmentViewSet, basename="segment")
router.register("imports", ImportJobViewSet, basename="import")
router.register("exports", ExportJobViewSet, basename="export")
router.register("event-streams", EventStreamViewSet, basename="event-stream")
router.register("templates", TemplateViewSet, basename="template")
router.register("messages", MessagesViewSet, basename="message")
router.register("users-messages", UsersMessagesViewSet, basename="users-message")
router.register("outbox", OutboxViewSet, basename="outbox")
router.register("dispatches", DispatchViewSet, basename="dispatch")
router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("channel-configs", ChannelConfigViewSet, basename="channel-config")
router.register("suppressions", SuppressionViewSet, basename="suppression")
router.register("consent-policies", ConsentPolicyViewSet, basename="consent-policy")

tenant_detail = TenantDetailViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update"})

urlpatterns = [
    path("tenants/", TenantCollectionView.as_view(), name="tenant-list"),
    path("tenants/<str:tenant_id>/", tenant_detail, name="tenant-detail"),
    path(
        "tenants/<str:tenant_id>/audience-guard/",
        AudienceGuardViewSet.as_view({"get": "list", "put": "put"}),
        name="audience-guard",
    ),
    path(
        "tenants/<str:tenant_id>/delivery-settings/",
        DeliverySettingsViewSet.as_view({"get": "list", "put": "put"}),
        name="delivery-settings",
    ),
    path(
        "tenants/<str:tenant_id>/templates/<int:pk>/test-send/",
        TemplateTestSendViewSet.as_view({"post": "create"}),
        name="template-test-send",
    ),
    path(
        "tenants/<str:tenant_id>/deliverability-policy/",
        DeliverabilityPolicyViewSet.as_view({"get": "list", "put": "put", "patch": "put"}),
        name="deliverability-policy",
    ),
    path(
        "tenants/<str:tenant_id>/endpoints/<str:endpoint_id>/in-app-messages/",
        InAppMessagesViewSet.as_view({"get": "retrieve"}),
        name="endpoint-in-app-messages",
    ),
    path("tenants/<str:tenant_id>/journeys/", include("campaigns.journeys.api.urls")),
    path("tenants/<str:tenant_id>/", include(router.urls)),
]
