"""REST API routes of journeys under /api/v1/tenants/<tenant>/journeys/."""

from __future__ import annotations

from campaigns.journeys.api import urls_crud, urls_metrics

urlpatterns = [*urls_crud.urlpatterns, *urls_metrics.urlpatterns]
