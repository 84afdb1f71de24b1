"""Routes of the REST API under /api/v1/."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from campaigns.api import CampaignViewSet
from engage.tenancy.api import (
    ApiKeyViewSet,
    AuditLogViewSet,
    MembershipViewSet,
    TenantCollectionView,
    TenantDetailViewSet,
)

router = SimpleRouter()
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("members", MembershipViewSet, basename="member")
router.register("api-keys", ApiKeyViewSet, basename="apikey")
router.register("audit-log", AuditLogViewSet, basename="audit")

tenant_detail = TenantDetailViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update"})

urlpatterns = [
    path("tenants/", TenantCollectionView.as_view(), name="tenant-list"),
    path("tenants/<str:tenant_id>/", tenant_detail, name="tenant-detail"),
    path("tenants/<str:tenant_id>/", include(router.urls)),
]
