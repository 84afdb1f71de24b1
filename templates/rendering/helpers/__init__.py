"""Pinpoint's helper catalogue. With the built-in `each` (and `if`, which is also a conditional helper) these are
the 44 helpers of the Pinpoint user guide; handlebars.js's own `unless`, `with`, `lookup` and `log` also work."""

from __future__ import annotations

from templates.rendering.helpers import conditional, dates, numbers, strings
from templates.rendering.helpers.base import Helper

HELPERS: dict[str, Helper] = {
    helper.name: helper for module in (conditional, strings, dates, numbers) for helper in module.HELPERS
}

# The helpers Pinpoint documents (inventory §6.5): built-in each and if, then the four families.
PINPOINT_HELPERS: tuple[str, ...] = ("each", *sorted(HELPERS))

__all__ = ["HELPERS", "PINPOINT_HELPERS", "Helper"]
