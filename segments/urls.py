"""Console routes of the audience (under /t/<tenant_id>/audience/)."""

from __future__ import annotations

from django.urls import path

from segments.views import (
    endpoints,
    events,
    exports,
    imports,
    segment_builder,
    segment_detail,
    segment_list,
    users,
)

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
    path("segments/", segment_list.SegmentListView.as_view(), name="list"),
    path("segments/new/", segment_builder.SegmentNewView.as_view(), name="new"),
    path("segments/estimate/", segment_builder.DraftEstimateView.as_view(), name="estimate_draft"),
    path("segments/suggest/", segment_list.SuggestValuesView.as_view(), name="suggest"),
    path("segments/explain/", segment_detail.ExplainAnyView.as_view(), name="explain_any"),
    path("segments/audience-guard/", segment_builder.AudienceGuardView.as_view(), name="audience_guard"),
    path("segments/<str:public_id>/", segment_detail.SegmentDetailView.as_view(), name="detail"),
    path("segments/<str:public_id>/edit/", segment_builder.SegmentEditView.as_view(), name="edit"),
    path("segments/<str:public_id>/estimate/", segment_list.SegmentEstimateView.as_view(), name="estimate"),
    path("segments/<str:public_id>/explain/", segment_detail.SegmentExplainView.as_view(), name="explain"),
    path("segments/<str:public_id>/copy/", segment_detail.SegmentCopyView.as_view(), name="copy"),
    path("segments/<str:public_id>/delete/", segment_detail.SegmentDeleteView.as_view(), name="delete"),
]
