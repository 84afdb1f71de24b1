"""Engage: a self-hosted, multi-tenant marketing console (the Django project package)."""

from __future__ import annotations

from engage.celery import app as celery_app

__all__ = ["celery_app"]
