"""Template filters of the channels pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

# Provider values in the order people read them (the database keeps JSON keys in its own order).
FIRST = (
    "max_send_rate",
    "max_24_hour_send",
    "sent_last_24_hours",
    "production_access_enabled",
    "sending_enabled",
    "enforcement_status",
)


@register.filter
def check_values(values: dict[str, Any] | None) -> list[tuple[str, str]]:
    """A check's provider values as (label, text): `max_send_rate` → "Max send rate", True → "yes"."""
    items = sorted((values or {}).items(), key=lambda kv: (FIRST.index(kv[0]) if kv[0] in FIRST else 99, kv[0]))
    return [(str(k).replace("_", " ").capitalize(), _text(v)) for k, v in items]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in (None, ""):
        return "—"
    return str(value)
