from __future__ import annotations

from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "engage.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        import engage.api.schema  # noqa: F401  (registers the OpenAPI description of API key auth)
        import engage.lookups  # noqa: F401  (registers field__any)
