"""SMS content: the body (≤ 1,600 characters) and an optional message type (SMSTemplateRequest + MessageType)."""

from __future__ import annotations

from typing import Any

from templates.content.common import Errors, choice, compact, text
from templates.content.types import Renderer, Source

PREFIX = "SMS"
BODY_LIMIT = 1_600
MESSAGE_TYPES = ["TRANSACTIONAL", "PROMOTIONAL"]


def parse(body: dict[str, Any], errors: Errors) -> dict[str, Any]:
    return compact(
        {
            "Body": text(body, "Body", PREFIX, errors, limit=BODY_LIMIT, required="write the message text"),
            "MessageType": choice(body, "MessageType", PREFIX, errors, MESSAGE_TYPES),
        }
    )


def sources(content: dict[str, Any]) -> list[Source]:
    return [Source(f"{PREFIX}.Body", content["Body"], html=False)] if content.get("Body") else []


def render(content: dict[str, Any], r: Renderer) -> dict[str, Any]:
    return compact(
        {"Body": r(f"{PREFIX}.Body", content.get("Body", ""), False), "MessageType": content.get("MessageType", "")}
    )
