from __future__ import annotations

from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    name = "segments"
    verbose_name = "Audience and segments"

    def ready(self) -> None:
        # Event-stream records carry the endpoint as Pinpoint's JSON, but engage.events cannot import this app:
        # tell it how to read endpoints (the same inversion as the trigger handlers).
        from engage.events.streams.records import endpoint_source_register
        from segments.codec import endpoint_to_pinpoint
        from segments.models import Endpoint

        endpoint_source_register(model=Endpoint, to_json=endpoint_to_pinpoint)
