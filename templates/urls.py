"""Console routes of message templates (under /t/<tenant_id>/templates/)."""

from __future__ import annotations

from django.urls import path

from templates.views import editor, library, preview, versions

app_name = "templates"

urlpatterns: list = [
    path("", library.TemplateListView.as_view(), name="list"),
    path("new/", editor.TemplateCreateView.as_view(), name="create"),
    path("new/preview/", preview.DraftPreviewView.as_view(), name="preview_new"),
    path("endpoints/", preview.EndpointOptionsView.as_view(), name="endpoint_options"),
    path("<int:pk>/", editor.TemplateEditView.as_view(), name="edit"),
    path("<int:pk>/preview/", preview.SavedPreviewView.as_view(), name="preview"),
    path("<int:pk>/delete/", editor.TemplateDeleteView.as_view(), name="delete"),
    path("<int:pk>/versions/", versions.VersionsView.as_view(), name="versions"),
    path("<int:pk>/activate/", versions.ActivateView.as_view(), name="activate"),
    path("<int:pk>/restore/", versions.RestoreView.as_view(), name="restore"),
]
