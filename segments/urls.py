"""Console routes of the audience (under /t/<tenant_id>/audience/)."""

from __future__ import annotations

from django.urls import path

from segments.views import endpoints, events, exports, imports, users

app_name = "segments"

urlpatterns: list = [
    path("", endpoints.EndpointListView.as_view(), name="endpoints"),
    path("endpoints/<str:endpoint_id>/", endpoints.EndpointDetailView.as_view(), name="endpoint"),
    path("endpoints/<str:endpoint_id>/edit/", endpoints.EndpointEditView.as_view(), name="endpoint_edit"),
    path("endpoints/<str:endpoint_id>/delete/", endpoints.EndpointDeleteView.as_view(), name="endpoint_delete"),
    path("users/<str:user_id>/", users.UserView.as_view(), name="user"),
    path("users/<str:user_id>/erase/", users.UserEraseView.as_view(), name="user_erase"),
    path("events/", events.EventStreamView.as_view(), name="events"),
    path("imports/", imports.ImportListView.as_view(), name="imports"),
    path("imports/<int:pk>/", imports.ImportDetailView.as_view(), name="import"),
    path("imports/<int:pk>/errors.csv", imports.ImportErrorsView.as_view(), name="import_errors"),
    path("exports/", exports.ExportListView.as_view(), name="exports"),
    path("exports/<int:pk>/download/", exports.ExportDownloadView.as_view(), name="export_download"),
]
