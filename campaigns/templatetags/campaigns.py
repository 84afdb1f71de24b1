"""Formatting for the campaign pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """0.4213 → "42.1%" (one decimal below 10%), None → "—"."""
    if value is None:
        return "—"
    percent = value * 100
    if percent == 0 or percent >= 10:
        return f"{percent:.0f}%"
    return f"{percent:.1f}%"


@register.filter
def width(value: float | None) -> int:
    """A rate as a CSS width percentage (0–100)."""
    return 0 if value is None else max(0, min(100, round(value * 100)))
