"""Public routes of channels, outside any tenant: provider feedback hooks and tracking links. Each is
authenticated by what its URL carries (a per-config secret token, a signed tracking token), never a session."""

from __future__ import annotations

from django.urls import URLPattern, path

from channels.feedback import views as feedback_views
from channels.tracking import views as tracking_views

app_name = "channels_public"

urlpatterns: list[URLPattern] = [
    path("hooks/ses/<str:token>/", feedback_views.ses_hook, name="ses_hook"),
    path("hooks/sms/<str:token>/", feedback_views.sms_hook, name="sms_hook"),
    path("t/o/<str:token>.gif", tracking_views.open_pixel, name="open"),
    path("t/c/<str:token>", tracking_views.click_redirect, name="click"),
    path("t/u/<str:token>", tracking_views.UnsubscribeView.as_view(), name="unsubscribe"),
]
