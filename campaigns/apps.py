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
        # Journeys: event entry, and the tasks module (not found by autodiscovery, which reads campaigns.tasks).
        from campaigns.journeys import tasks as journey_tasks  # noqa: F401
        from campaigns.journeys.engine.triggers import journeys_trigger

        trigger_handler_register(journeys_trigger)
        from campaigns.journeys.engine.engagement import engagement_ingested, engagement_record
        from engage.events.services import system_event_handler_register

        system_event_handler_register(engagement_record)
        trigger_handler_register(engagement_ingested)
