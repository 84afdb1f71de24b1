from __future__ import annotations

from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    label = "channels"
    verbose_name = "Channels and delivery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from channels.services.inapp import inapp_trigger
        from engage.events.services import trigger_handler_register

        # In-app display / click / dismiss events raise the counts the in-app caps read.
        trigger_handler_register(inapp_trigger)
