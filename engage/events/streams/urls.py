"""Console routes under /t/<tenant_id>/settings/event-streams/."""

from __future__ import annotations

from django.urls import path

from engage.events.streams import views

app_name = "event_streams"

urlpatterns = [
    path("", views.StreamListView.as_view(), name="list"),
    path("new/", views.StreamCreateView.as_view(), name="create"),
    path("<int:pk>/", views.StreamEditView.as_view(), name="edit"),
    path("<int:pk>/toggle/", views.StreamToggleView.as_view(), name="toggle"),
    path("<int:pk>/test/", views.StreamTestView.as_view(), name="test"),
    path("<int:pk>/delete/", views.StreamDeleteView.as_view(), name="delete"),
]
