"""The content of a direct send, per channel: Pinpoint's MessageConfiguration (inline) and TemplateConfiguration
(a named template's version) mapped into the templates app's content shape, checked, with errors naming the
request's own field paths (`MessageConfiguration.EmailMessage.SimpleEmail.Subject`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engage.errors import DomainError, Invalid, NotFound
from engage.tenancy.models import Tenant
from templates.codec import content_to_pinpoint
from templates.content import CHANNELS, Errors, content_check
from templates.models import Channel, MissingVariablePolicy
from templates.rendering import TemplateError, compile_template
from templates.selectors import template_version_get, templates_search

MC = "MessageConfiguration"
TEMPLATE_KEYS: dict[str, str] = {
    Channel.EMAIL: "EmailTemplate",
    Channel.SMS: "SMSTemplate",
    Channel.PUSH: "PushTemplate",
    Channel.VOICE: "VoiceTemplate",
    Channel.CUSTOM: "CustomTemplate",  # ours: Pinpoint has no custom-channel templates
}
PUSH_MESSAGES = {
    "Default": "DefaultPushNotificationMessage",
    "GCM": "GCMMessage",
    "APNS": "APNSMessage",
    "ADM": "ADMMessage",
    "Baidu": "BaiduMessage",
}
_PUSH_PART_FIELDS: dict[str, tuple[str, ...]] = {
    "Default": ("Title", "Body", "Url", "Action", "SilentPush", "ImageUrl", "ImageIconUrl", "SmallImageIconUrl"),
    "APNS": ("Title", "Body", "Url", "Action", "Sound", "MediaUrl", "RawContent"),
}
_PUSH_PART_FIELDS["GCM"] = _PUSH_PART_FIELDS["ADM"] = _PUSH_PART_FIELDS["Baidu"] = (
    "Title",
    "Body",
    "Url",
    "Action",
    "Sound",
    "ImageUrl",
    "ImageIconUrl",
    "SmallImageIconUrl",
    "RawContent",
)
_PUSH_OPTIONS: tuple[str, ...] = (
    "TimeToLive",
    "Priority",
    "SilentPush",
    "CollapseKey",
    "CollapseId",
    "APNSPushType",
    "Badge",
)
_PUSH_OPTIONS += ("Category", "ThreadId", "RestrictedPackageName", "IconReference")
CUSTOM_DATA_LIMIT = 50_000


@dataclass
class ChannelMessage:
    """What one channel sends: the content snapshot a Dispatch renders, and the message-level substitutions
    (merged into every recipient's own, which win)."""

    channel: str
    content: dict[str, Any]
    default_substitutions: dict[str, str] = field(default_factory=dict)
    policy: str = MissingVariablePolicy.DEFAULT
    options: dict[str, Any] = field(default_factory=dict)
    substitutions: dict[str, Any] = field(default_factory=dict)
    template: dict[str, Any] | None = None

    def snapshot(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "content": self.content,
            "default_substitutions": self.default_substitutions,
            "policy": self.policy,
            "options": self.options,
            "template": self.template,
        }


@dataclass
class _Inline:
    """Inline content in the templates' shape, and where each of its top-level members came from."""

    content: dict[str, Any] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    substitutions: dict[str, Any] = field(default_factory=dict)


def _obj(value: Any, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"{path} must be a JSON object", field=path)
    return value


def _text(value: Any) -> Any:
    """SimpleEmailPart {Data, Charset} or plain text."""
    return value.get("Data", "") if isinstance(value, dict) else value


def _put(inline: _Inline, key: str, value: Any, path: str) -> None:
    if value not in (None, "", [], {}):
        inline.content[key] = value
        inline.paths[key] = path


def _options(inline: _Inline, message: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if message.get(name) not in (None, "", []):
            inline.options.setdefault(name, message[name])


def _substitutions(inline: _Inline, message: dict[str, Any], path: str) -> None:
    subs = _obj(message.get("Substitutions"), f"{path}.Substitutions")
    inline.substitutions = {**subs, **inline.substitutions}


def _email(config: dict[str, Any]) -> _Inline:
    inline = _Inline()
    path = f"{MC}.EmailMessage"
    message = _obj(config.get("EmailMessage"), path)
    if message.get("RawEmail"):
        raise Invalid("RawEmail is not supported; send the parts in SimpleEmail", field=f"{path}.RawEmail")
    simple = _obj(message.get("SimpleEmail"), f"{path}.SimpleEmail")
    for key in ("Subject", "HtmlPart", "TextPart", "Headers"):
        value = simple.get(key) if key == "Headers" else _text(simple.get(key))
        _put(inline, key, value, f"{path}.SimpleEmail.{key}")
    _options(inline, message, ("FromAddress", "ReplyToAddresses", "FeedbackForwardingAddress"))
    _substitutions(inline, message, path)
    return inline


def _default_body(inline: _Inline, config: dict[str, Any], key: str) -> None:
    default = _obj(config.get("DefaultMessage"), f"{MC}.DefaultMessage")
    if key not in inline.content:
        _put(inline, key, default.get("Body"), f"{MC}.DefaultMessage.Body")
    _substitutions(inline, default, f"{MC}.DefaultMessage")


def _sms(config: dict[str, Any]) -> _Inline:
    inline = _Inline()
    path = f"{MC}.SMSMessage"
    message = _obj(config.get("SMSMessage"), path)
    for key in ("Body", "MessageType"):
        _put(inline, key, message.get(key), f"{path}.{key}")
    _options(inline, message, ("MessageType", "OriginationNumber", "SenderId", "Keyword", "EntityId", "TemplateId"))
    _substitutions(inline, message, path)
    _default_body(inline, config, "Body")
    return inline


def _voice(config: dict[str, Any]) -> _Inline:
    inline = _Inline()
    path = f"{MC}.VoiceMessage"
    message = _obj(config.get("VoiceMessage"), path)
    for key in ("Body", "LanguageCode", "VoiceId"):
        _put(inline, key, message.get(key), f"{path}.{key}")
    _options(inline, message, ("OriginationNumber", "LanguageCode", "VoiceId"))
    _substitutions(inline, message, path)
    _default_body(inline, config, "Body")
    return inline


def _push(config: dict[str, Any]) -> _Inline:
    inline = _Inline()
    data: dict[str, Any] = {}
    for part, name in PUSH_MESSAGES.items():
        path = f"{MC}.{name}"
        message = _obj(config.get(name), path)
        values = {k: message[k] for k in _PUSH_PART_FIELDS[part] if message.get(k) not in (None, "")}
        _put(inline, part, values, path)
        data = {**_obj(message.get("Data"), f"{path}.Data"), **data}
        _options(inline, message, _PUSH_OPTIONS)
        _substitutions(inline, message, path)
    if data:
        inline.content.setdefault("Default", {})["Data"] = data
        inline.paths.setdefault("Default", f"{MC}.DefaultPushNotificationMessage")
    default = _obj(config.get("DefaultMessage"), f"{MC}.DefaultMessage")
    if default.get("Body") and not any(p.get("Body") or p.get("Title") for p in inline.content.values()):
        inline.content.setdefault("Default", {})["Body"] = default["Body"]
        inline.paths["Default"] = f"{MC}.DefaultMessage"
    _substitutions(inline, default, f"{MC}.DefaultMessage")
    return inline


def _custom(config: dict[str, Any]) -> _Inline:
    inline = _Inline()
    path = f"{MC}.CustomMessage"
    message = _obj(config.get("CustomMessage"), path)
    _put(inline, "Data", message.get("Data"), f"{path}.Data")
    return inline


_INLINE: dict[str, Callable[[dict[str, Any]], _Inline]] = {
    Channel.EMAIL: _email,
    Channel.SMS: _sms,
    Channel.VOICE: _voice,
    Channel.PUSH: _push,
    Channel.CUSTOM: _custom,
}


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        both = isinstance(value, dict) and isinstance(merged.get(key), dict)
        merged[key] = {**merged[key], **value} if both else value
    return merged


def _template(tenant: Tenant, channel: str, config: dict[str, Any]) -> tuple[Any, Any, str] | None:
    key = TEMPLATE_KEYS[channel]
    path = f"TemplateConfiguration.{key}"
    wanted = _obj(config.get(key), path)
    if not wanted:
        return None
    name = wanted.get("Name")
    if not isinstance(name, str) or not name:
        raise Invalid("give the template's Name", field=f"{path}.Name")
    template = templates_search(tenant=tenant, channel=channel).filter(name=name).first()
    if template is None:
        raise NotFound(f"there is no {channel} template named “{name}”", field=f"{path}.Name")
    version = wanted.get("Version")
    try:
        chosen = template_version_get(template=template, number=None if version in (None, "") else str(version))
    except DomainError as exc:
        raise type(exc)(exc.message, field=f"{path}.Version") from None
    return template, chosen, path


_FALLBACK_PATHS: dict[str, str] = {
    Channel.EMAIL: f"{MC}.EmailMessage.SimpleEmail",
    Channel.SMS: f"{MC}.SMSMessage",
    Channel.VOICE: f"{MC}.VoiceMessage",
    Channel.PUSH: f"{MC}.DefaultPushNotificationMessage",
    Channel.CUSTOM: f"{MC}.CustomMessage",
}


def _request_path(path: str, channel: str, inline: _Inline, template_path: str) -> str:
    """Where in the request a content error belongs: the inline member it came from, else the template."""
    prefix = CHANNELS[channel].prefix
    rest = path[len(prefix) :].lstrip(".") if path.startswith(prefix) else path
    first = rest.replace("[", ".").split(".", 1)[0]
    if first in inline.paths:
        return inline.paths[first] + rest[len(first) :]
    if template_path:
        return template_path
    fallback = _FALLBACK_PATHS[channel]
    return f"{fallback}.{rest}" if rest else fallback


def _plain_custom_data(data: str, path: str) -> dict[str, Any] | None:
    """Pinpoint's CustomMessage.Data is any string: text that is not a JSON object is sent as text."""
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        return None
    if len(data) > CUSTOM_DATA_LIMIT:
        raise Invalid(f"is longer than {CUSTOM_DATA_LIMIT:,} characters", field=path)
    try:
        compile_template(data, html=False)
    except TemplateError as exc:
        raise Invalid(str(exc), field=path) from None
    return {"Data": data}


def _checked(channel: str, merged: dict[str, Any], inline: _Inline, template_path: str) -> dict[str, Any]:
    data = merged.get("Data")
    if channel == Channel.CUSTOM and isinstance(data, str):
        plain = _plain_custom_data(data, inline.paths.get("Data") or template_path)
        if plain is not None:
            return plain
    errors = Errors()
    content = content_check(channel=channel, body=content_to_pinpoint(channel, merged), errors=errors)
    if errors:
        path, messages = next(iter(errors.items.items()))
        raise Invalid(messages[0], field=_request_path(path, channel, inline, template_path))
    return content


def channel_message(*, tenant: Tenant, request: dict[str, Any], channel: str) -> ChannelMessage | None:
    """What `channel` sends for this request — the named template's version (`Version`, or the active one)
    with inline parts over it — or None when the request has no content for the channel."""
    if channel not in _INLINE:
        return None
    config = _obj(request.get(MC), MC)
    inline = _INLINE[channel](config)
    found = _template(tenant, channel, _obj(request.get("TemplateConfiguration"), "TemplateConfiguration"))
    if not inline.content and found is None:
        return None
    message = ChannelMessage(channel=channel, content={})
    base: dict[str, Any] = {}
    template_path = ""
    if found is not None:
        template, version, template_path = found
        base = version.content or {}
        message.default_substitutions = dict(version.default_substitutions or {})
        message.policy = template.missing_variable_policy
        message.template = {"id": template.pk, "name": template.name, "version": version.number}
    message.content = _checked(channel, _merge(base, inline.content), inline, template_path)
    message.options = dict(inline.options)
    context = _obj(request.get("Context"), "Context")
    if context:
        message.options["Context"] = context
    message.substitutions = inline.substitutions
    return message
