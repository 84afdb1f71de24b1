"""Channel content: parse and check a Pinpoint-shaped request per channel, list its Handlebars, render it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from templates.content import alimtalk, custom, email, inapp, push, sms, voice
from templates.content.common import Errors, Position, TemplateInvalid
from templates.content.types import Renderer, Source
from templates.models import Channel
from templates.rendering import TemplateError, compile_template

__all__ = ["CHANNELS", "ChannelSpec", "Errors", "Renderer", "Source", "TemplateInvalid", "content_check"]


@dataclass(frozen=True)
class ChannelSpec:
    channel: str
    prefix: str  # how field paths of this channel start, e.g. "Email" in Email.Headers[3].Name
    request_key: str  # where the content sits in a request body ("" = at the top level, like Pinpoint's)
    parse: Callable[[dict[str, Any], Errors], dict[str, Any]]
    sources: Callable[[dict[str, Any]], list[Source]]
    render: Callable[[dict[str, Any], Renderer], dict[str, Any]]
    variables: bool = True


CHANNELS: dict[str, ChannelSpec] = {
    Channel.EMAIL: ChannelSpec(Channel.EMAIL, email.PREFIX, "", email.parse, email.sources, email.render),
    Channel.SMS: ChannelSpec(Channel.SMS, sms.PREFIX, "", sms.parse, sms.sources, sms.render),
    Channel.PUSH: ChannelSpec(Channel.PUSH, push.PREFIX, "", push.parse, push.sources, push.render),
    Channel.VOICE: ChannelSpec(Channel.VOICE, voice.PREFIX, "", voice.parse, voice.sources, voice.render),
    Channel.INAPP: ChannelSpec(
        Channel.INAPP, inapp.PREFIX, "", inapp.parse, inapp.sources, inapp.render, variables=False
    ),
    Channel.ALIMTALK: ChannelSpec(
        Channel.ALIMTALK, alimtalk.PREFIX, "ALIMTALK", alimtalk.parse, alimtalk.sources, alimtalk.render
    ),
    Channel.CUSTOM: ChannelSpec(Channel.CUSTOM, custom.PREFIX, "CUSTOM", custom.parse, custom.sources, custom.render),
}


def _check_syntax(spec: ChannelSpec, content: dict[str, Any], errors: Errors) -> None:
    for source in spec.sources(content):
        if errors.has(source.path):
            continue
        if not spec.variables:
            if "{{" in source.text:
                errors.add(source.path, "in-app messages cannot use message variables; remove the {{…}}")
            continue
        try:
            compile_template(source.text, html=source.html)
        except TemplateError as exc:
            position = Position(exc.line, exc.column or 1) if exc.line is not None else None
            errors.add(source.path, str(exc), position=position)


def content_check(*, channel: str, body: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """The channel's content from a request body, limits and Handlebars syntax checked (problems go to errors)."""
    spec = CHANNELS[channel]
    data = body.get(spec.request_key) if spec.request_key else body
    if spec.request_key and not isinstance(data, dict):
        errors.add(spec.request_key, f"put the {channel} content in an object under {spec.request_key}")
        return {}
    content = spec.parse(data or {}, errors)
    _check_syntax(spec, content, errors)
    return content
