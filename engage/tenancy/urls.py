from __future__ import annotations

from django.urls import path

from engage.tenancy import views

app_name = "tenancy"

urlpatterns = [
    path("", views.TenantHomeView.as_view(), name="home"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("settings/members/", views.MembersView.as_view(), name="members"),
    path("settings/members/<int:pk>/", views.MemberDetailView.as_view(), name="member"),
    path("settings/api-keys/", views.ApiKeysView.as_view(), name="api_keys"),
    path("settings/api-keys/<int:pk>/revoke/", views.ApiKeyRevokeView.as_view(), name="api_key_revoke"),
    path("settings/audit-log/", views.AuditLogView.as_view(), name="audit"),
]
