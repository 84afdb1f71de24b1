"""API routes of a journey's metrics, metrics CSV and participants lookup."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from campaigns.journeys.api.metrics import JourneyMetricsViewSet

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/metrics/", JourneyMetricsViewSet.as_view({"get": "metrics"}), name="journey-metrics"),
    path(
        "<int:pk>/activities/<str:activity_id>/metrics/",
        JourneyMetricsViewSet.as_view({"get": "activity"}),
        name="journey-activity-metrics",
    ),
    path("<int:pk>/metrics.csv", JourneyMetricsViewSet.as_view({"get": "csv"}), name="journey-metrics-csv"),
    path("<int:pk>/participants/", JourneyMetricsViewSet.as_view({"get": "participants"}), name="journey-participants"),
]
