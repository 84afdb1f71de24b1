from __future__ import annotations

from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    label = "channels"
    verbose_name = "Channels and delivery"
    default_auto_field = "django.db.models.BigAutoField"
