"""Journeys: Pinpoint's multi-step journeys (definition, lifecycle, engine, builder, metrics)."""
