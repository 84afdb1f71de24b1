"""Small display helpers of the audience pages."""

from __future__ import annotations

import json
from typing import Any

from django import template

from segments.models.endpoint import PUSH_CHANNELS

register = template.Library()


@register.filter
def pretty_json(value: Any) -> str:
    """JSON for people: indented, non-ASCII kept as is (auto-escaped by the template)."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


@register.filter
def channel_family(channel_type: str) -> str:
    """The colour family of a channel badge."""
    if channel_type in PUSH_CHANNELS:
        return "push"
    return {"EMAIL": "email", "SMS": "sms", "VOICE": "voice", "CUSTOM": "custom", "IN_APP": "inapp"}.get(
        channel_type, "other"
    )


@register.filter
def inline_pairs(value: dict[str, Any] | None, limit: int = 3) -> str:
    """A one-line preview of an attributes/metrics object: `plan=pro · level=4`."""
    items = list((value or {}).items())
    text = " · ".join(f"{k}={', '.join(v) if isinstance(v, list) else v}" for k, v in items[:limit])
    return text + (f" · +{len(items) - limit}" if len(items) > limit else "")
