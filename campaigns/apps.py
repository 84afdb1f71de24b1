from __future__ import annotations

from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        from campaigns.services.triggers import campaigns_trigger
        from campaigns.usage import register
        from engage.events.services import trigger_handler_register

        register()
        trigger_handler_register(campaigns_trigger)
