"""Public provider callbacks under /hooks/ (non-tenant routes: each is authenticated by its own token)."""

from __future__ import annotations

from django.urls import URLPattern, path

from channels.views.hooks import AlimTalkResultView

app_name = "hooks"

urlpatterns: list[URLPattern] = [
    path("alimtalk/<str:token>/", AlimTalkResultView.as_view(), name="alimtalk"),
]
