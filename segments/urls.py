"""Console routes of the audience (under /t/<tenant_id>/audience/)."""
from __future__ import annotations

from django.urls import path  # noqa: F401  (routes are added below by each page module)

app_name = "segments"

urlpatterns: list = []
