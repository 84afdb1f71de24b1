"""Custom-channel content: a JSON object (a webhook's payload) whose string values may hold Handlebars."""

from __future__ import annotations

from typing import Any

from templates.content.common import Errors, json_object, json_strings
from templates.content.push import render_json
from templates.content.types import Renderer, Source

PREFIX = "CUSTOM"
DATA_LIMIT = 50_000


def parse(body: dict[str, Any], errors: Errors) -> dict[str, Any]:
    data = json_object(body.get("Data"), f"{PREFIX}.Data", errors, limit=DATA_LIMIT)
    if data is None and not errors.has(f"{PREFIX}.Data"):
        errors.add(f"{PREFIX}.Data", 'write the JSON payload, for example {"text": "Hi {{User.UserId}}"}')
    return {"Data": data} if data is not None else {}


def sources(content: dict[str, Any]) -> list[Source]:
    return [Source(p, s, html=False) for p, s in json_strings(content.get("Data", {}), f"{PREFIX}.Data") if s]


def render(content: dict[str, Any], r: Renderer) -> dict[str, Any]:
    return {"Data": render_json(content.get("Data", {}), f"{PREFIX}.Data", r)}
