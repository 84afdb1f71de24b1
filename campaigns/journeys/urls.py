"""Console routes of journeys under /t/<tenant>/journeys/: the builder and lifecycle pages, then metrics and
participants."""

from __future__ import annotations

from campaigns.journeys.views import urls_builder, urls_metrics

app_name = "journeys"

urlpatterns = [*urls_builder.urlpatterns, *urls_metrics.urlpatterns]
