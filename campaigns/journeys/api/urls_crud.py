"""Journey CRUD, lifecycle, test and review routes (under /api/v1/tenants/<tenant>/journeys/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from campaigns.journeys.api.crud import JourneyViewSet

router = SimpleRouter()
router.register("", JourneyViewSet, basename="journey")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
