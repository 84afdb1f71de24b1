"""Everything under /pinpoint/ goes to one view, which routes by method and path itself (no trailing slashes,
no APPEND_SLASH redirects)."""

from __future__ import annotations

from django.urls import re_path

from engage.pinpoint.views import pinpoint

app_name = "pinpoint"
urlpatterns = [re_path(r"^(?P<path>.*)$", pinpoint, name="api")]
