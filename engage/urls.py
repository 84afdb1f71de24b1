from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from engage import views
from engage.accounts.views import SsoStartView

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accounts/sso/", SsoStartView.as_view(), name="sso_start"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(("engage.api.urls", "api"), namespace="api")),
    # The Pinpoint-compatible API (boto3 `pinpoint` clients with endpoint_url=<host>/pinpoint).
    path("pinpoint/", include("engage.pinpoint.urls")),
    path("hooks/", include("channels.hook_urls")),
    # Public feedback hooks and tracking links (/hooks/..., /t/o|c|u/...), matched before the tenant routes.
    path("", include("channels.public_urls")),
    path("t/<str:tenant_id>/", include("engage.tenancy.urls")),
    path("t/<str:tenant_id>/settings/event-streams/", include("engage.events.streams.urls")),
    path("t/<str:tenant_id>/settings/sso/", include("engage.accounts.urls")),
    path("t/<str:tenant_id>/campaigns/", include("campaigns.urls")),
    path("t/<str:tenant_id>/journeys/", include("campaigns.journeys.urls")),
    path("t/<str:tenant_id>/audience/", include("segments.urls")),
    path("t/<str:tenant_id>/templates/", include("templates.urls")),
    path("t/<str:tenant_id>/channels/", include("channels.urls")),
]

handler400 = "engage.views.bad_request"
handler403 = "engage.views.permission_denied"
handler404 = "engage.views.page_not_found"
handler500 = "engage.views.server_error"
