from __future__ import annotations

from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    name = "engage.runtime"
    label = "runtime"
    verbose_name = "Runtime (embedded default, demo data)"
