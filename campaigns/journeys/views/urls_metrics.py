"""Console routes of a journey's metrics, metrics CSV and participants lookup."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from campaigns.journeys.views.metrics import JourneyMetricsCsvView, JourneyMetricsView
from campaigns.journeys.views.participants import JourneyParticipantsView

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/metrics/", JourneyMetricsView.as_view(), name="metrics"),
    path("<int:pk>/metrics.csv", JourneyMetricsCsvView.as_view(), name="metrics_csv"),
    path("<int:pk>/participants/", JourneyParticipantsView.as_view(), name="participants"),
]
