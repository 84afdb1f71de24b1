from __future__ import annotations

from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "engage.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        # Imported for their side effects: the OpenAPI description of API key auth, and `field__any`.
        import engage.api.schema
        import engage.lookups  # noqa: F401
