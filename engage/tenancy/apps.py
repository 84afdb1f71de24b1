from __future__ import annotations

from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "engage.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"
