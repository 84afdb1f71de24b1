"""Routes of the journeys list, the builder and its lifecycle buttons."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from campaigns.journeys.views import builder, lifecycle, listing

urlpatterns: list[URLPattern | URLResolver] = [
    path("", listing.JourneyListView.as_view(), name="list"),
    path("<int:pk>/", builder.JourneyBuilderView.as_view(), name="builder"),
    path("<int:pk>/save/", builder.JourneySaveView.as_view(), name="save"),
    path("<int:pk>/review/", builder.JourneyReviewView.as_view(), name="review"),
    path("<int:pk>/reviewed/", builder.JourneyReviewedView.as_view(), name="reviewed"),
    path("<int:pk>/counts/", builder.JourneyCountsView.as_view(), name="counts"),
    *[
        path(f"<int:pk>/{action}/", lifecycle.JourneyActionView.as_view(), {"action": action}, name=action)
        for action in ("publish", "pause", "resume", "stop", "duplicate")
    ],
    path("<int:pk>/test/", lifecycle.JourneyTestView.as_view(), name="test"),
    path("<int:pk>/delete/", lifecycle.JourneyDeleteView.as_view(), name="delete"),
]
