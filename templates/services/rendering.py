"""Rendering a template version for one recipient: default substitutions, the missing-variable policy, and
the channel's parts (HTML-escaped only in email HTML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engage.errors import DomainError
from templates.content import CHANNELS
from templates.models import Channel, MissingVariablePolicy, TemplateVersion
from templates.rendering import (
    RenderLimitExceeded,
    TemplateError,
    compile_template,
    personalization_context,
)
from templates.services.sms import SmsEncoding, sms_encoding_measure


class RenderingSkipped(DomainError):
    """The template's policy is SKIP and the recipient lacks variables with no default (a rendering failure)."""

    code = "rendering_skipped"

    def __init__(self, variables: list[str]) -> None:
        self.variables = variables
        super().__init__(f"skipped: no value and no default for {', '.join(variables)}", field="MissingVariables")


class RenderFailed(DomainError):
    """The template could not be rendered (a Handlebars error or a render limit); names field, line, column."""

    code = "template_error"

    def __init__(self, *, path: str, message: str, line: int | None = None, column: int | None = None) -> None:
        self.path, self.detail, self.line, self.column = path, message, line, column
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"{path}: {message}{where}", field=path)


@dataclass(frozen=True)
class RenderedMessage:
    channel: str
    parts: dict[str, Any]  # Pinpoint-named: Subject/HtmlPart/TextPart, Body, Default/GCM/…, Text, Data
    missing: tuple[str, ...] = ()  # variables that had neither a value nor a default (rendered empty)
    sms: SmsEncoding | None = field(default=None)


def _renderer(context: dict[str, Any], missing: list[str]) -> Any:
    def render(path: str, source: str, html: bool) -> str:
        if not source:
            return ""
        try:
            return compile_template(source, html=html).render(context, missing=missing.append)
        except RenderLimitExceeded as exc:
            raise RenderFailed(path=path, message=str(getattr(exc, "message", exc))) from None
        except TemplateError as exc:
            raise RenderFailed(path=path, message=exc.message, line=exc.line, column=exc.column) from None

    return render


def content_render(
    *,
    channel: str,
    content: dict[str, Any],
    default_substitutions: dict[str, str],
    policy: str,
    endpoint_json: dict[str, Any],
    application_id: str,
    campaign_id: str = "",
    journey_id: str = "",
    extra: dict[str, Any] | None = None,
    trusted: bool = False,
) -> RenderedMessage:
    """Render content that need not be saved yet (the editor's preview renders drafts through here).
    `trusted`: endpoint_json is plain JSON built by Engage (see personalization_context)."""
    defaults = default_substitutions if policy != MissingVariablePolicy.EMPTY else None
    context = personalization_context(
        endpoint_json,
        application_id=application_id,
        campaign_id=campaign_id,
        journey_id=journey_id,
        defaults=defaults or None,
        extra=extra,
        trusted=trusted,
    )
    missing: list[str] = []
    parts = CHANNELS[channel].render(content, _renderer(context, missing))
    names = tuple(dict.fromkeys(missing))
    if names and policy == MissingVariablePolicy.SKIP:
        raise RenderingSkipped(list(names))
    sms = sms_encoding_measure(body=parts.get("Body", "")) if channel == Channel.SMS else None
    return RenderedMessage(channel=channel, parts=parts, missing=names, sms=sms)


def template_render(
    *,
    template_version: TemplateVersion,
    endpoint_json: dict[str, Any],
    application_id: str,
    campaign_id: str = "",
    journey_id: str = "",
    extra: dict[str, Any] | None = None,
) -> RenderedMessage:
    """The message one recipient gets from this version. `endpoint_json` is an EndpointResponse — a real
    endpoint's (segments.codec.endpoint_to_pinpoint) or sample JSON of the same shape.

    Raises RenderingSkipped (policy SKIP, a variable without value or default) or RenderFailed."""
    template = template_version.template
    return content_render(
        channel=template.channel,
        content=template_version.content,
        default_substitutions=template_version.default_substitutions,
        policy=template.missing_variable_policy,
        endpoint_json=endpoint_json,
        application_id=application_id,
        campaign_id=campaign_id,
        journey_id=journey_id,
        extra=extra,
    )
