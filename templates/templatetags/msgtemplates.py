"""Display helpers of the template pages (previews only ever print values through these or autoescape)."""

from __future__ import annotations

import json
from typing import Any

from django import template

from templates.content.common import HEX_COLOUR, RGB_COLOUR
from templates.content.inapp import LAYOUT_LABELS

register = template.Library()


@register.filter
def colour(value: Any, fallback: str = "") -> str:
    """A colour safe to put in a style attribute: only #hex or rgb() values pass, anything else is the fallback."""
    text = str(value or "")
    return text if HEX_COLOUR.match(text) or RGB_COLOUR.match(text) else fallback


@register.filter
def pretty_json(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, indent=2, ensure_ascii=False)


@register.filter
def get(mapping: Any, key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def channel_class(channel: str) -> str:
    return str(channel).lower()


@register.filter
def layout_label(layout: str) -> str:
    return LAYOUT_LABELS.get(layout, layout)


@register.filter
def is_ssml(script: str) -> bool:
    return str(script).lstrip().startswith("<speak")


@register.filter
def px(value: Any, fallback: int = 6) -> int:
    """A border radius in pixels: the stored whole number, or the fallback when there is none."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100 else fallback
