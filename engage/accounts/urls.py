from __future__ import annotations

from django.urls import path

from engage.accounts import views

app_name = "sso"

urlpatterns = [
    path("", views.SsoSettingsView.as_view(), name="settings"),
    path("test/", views.SsoTestView.as_view(), name="test"),
    path("sp-metadata.xml", views.SsoMetadataView.as_view(), name="sp_metadata"),
]
