"""A campaign's message per treatment: Pinpoint's campaign MessageConfiguration (inline) or TemplateConfiguration
(a named template; `Version` pins one, else the active version at send time) mapped to the templates' content
shape and checked, with errors naming the request's own field paths."""

from __future__ import annotations

from typing import Any

from engage.errors import DomainError, Invalid
from engage.tenancy.models import Tenant
from templates.codec import content_to_pinpoint
from templates.content import CHANNELS, Errors, content_check
from templates.models import Channel, MissingVariablePolicy, VersionBinding
from templates.selectors import template_version_for_send, template_version_get, templates_search

MC = "MessageConfiguration"
TC = "TemplateConfiguration"
PUSH_PARTS = {"DefaultMessage": "Default", "GCMMessage": "GCM", "APNSMessage": "APNS", "ADMMessage": "ADM"}
PUSH_PARTS["BaiduMessage"] = "Baidu"
PUSH_FIELDS = ("Title", "Body", "Url", "Action", "SilentPush", "ImageUrl", "ImageIconUrl", "MediaUrl", "RawContent")
_IMAGES = {"ImageUrl", "ImageIconUrl", "SmallImageIconUrl"}
PART_FIELDS: dict[str, set[str]] = {
    "Default": {"Title", "Body", "Url", "Action", "SilentPush", *_IMAGES},
    "APNS": {"Title", "Body", "Url", "Action", "MediaUrl", "RawContent"},
}
PART_FIELDS["GCM"] = PART_FIELDS["ADM"] = PART_FIELDS["Baidu"] = {
    "Title",
    "Body",
    "Url",
    "Action",
    "RawContent",
    *_IMAGES,
}
TEMPLATE_KEYS = {
    "EmailTemplate": Channel.EMAIL,
    "SMSTemplate": Channel.SMS,
    "PushTemplate": Channel.PUSH,
    "VoiceTemplate": Channel.VOICE,
    "InAppTemplate": Channel.INAPP,
}
INLINE_KEYS = {
    "EmailMessage": Channel.EMAIL,
    "SMSMessage": Channel.SMS,
    "CustomMessage": Channel.CUSTOM,
    "InAppMessage": Channel.INAPP,
    **{key: Channel.PUSH for key in PUSH_PARTS if key != "DefaultMessage"},
}
# Content member → the request member it came from (for error paths).
_FIELDS: dict[str, dict[str, str]] = {
    Channel.EMAIL: {"Subject": "Title", "HtmlPart": "HtmlBody", "TextPart": "Body"},
    Channel.PUSH: {part: key for key, part in PUSH_PARTS.items()},
}


def _obj(value: Any, path: str) -> dict[str, Any]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise Invalid("must be a JSON object", field=path)
    return value


def message_channel(*, message_configuration: dict[str, Any], template_configuration: dict[str, Any]) -> str:
    """The one channel a message or template configuration sends on ("" when it has none)."""
    mc, tc = _obj(message_configuration, MC), _obj(template_configuration, TC)
    found = {INLINE_KEYS[k] for k, v in mc.items() if k in INLINE_KEYS and v}
    found |= {TEMPLATE_KEYS[k] for k, v in tc.items() if k in TEMPLATE_KEYS and v}
    default = _obj(mc.get("DefaultMessage"), f"{MC}.DefaultMessage")
    if not found and default:
        found.add(Channel.PUSH if (default.get("Title") or default.get("Action")) else Channel.SMS)
    if len(found) > 1:
        raise Invalid(f"a campaign sends on one channel; this one has {', '.join(sorted(found))} — keep one", field=MC)
    return found.pop() if found else ""


def _inline(channel: str, mc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], str]:
    """(content, options, base request path) of the inline message."""
    if channel == Channel.EMAIL:
        m = _obj(mc.get("EmailMessage"), f"{MC}.EmailMessage")
        email = {"Subject": m.get("Title"), "HtmlPart": m.get("HtmlBody"), "TextPart": m.get("Body")}
        email["Headers"] = m.get("Headers")
        options = {"FromAddress": m["FromAddress"]} if m.get("FromAddress") else {}
        return _compact(email), options, f"{MC}.EmailMessage"
    if channel == Channel.SMS:
        m = _obj(mc.get("SMSMessage"), f"{MC}.SMSMessage") or _obj(mc.get("DefaultMessage"), f"{MC}.DefaultMessage")
        names = ("MessageType", "OriginationNumber", "SenderId", "EntityId", "TemplateId")
        options = {k: m[k] for k in names if m.get(k)}
        return _compact({"Body": m.get("Body"), "MessageType": m.get("MessageType")}), options, f"{MC}.SMSMessage"
    if channel == Channel.PUSH:
        content: dict[str, Any] = {}
        options = {}
        for key, part in PUSH_PARTS.items():
            m = _obj(mc.get(key), f"{MC}.{key}")
            values = {"SmallImageIconUrl": m.get("ImageSmallIconUrl"), **{k: m.get(k) for k in PUSH_FIELDS}}
            if part == "APNS" and not values.get("MediaUrl"):
                values["MediaUrl"] = values.get("ImageUrl")
            values = _compact({k: v for k, v in values.items() if k in PART_FIELDS[part]})
            if m.get("TimeToLive"):
                options.setdefault("TimeToLive", m["TimeToLive"])
            if values:
                content[part] = values
        return content, options, MC
    if channel == Channel.CUSTOM:
        m = _obj(mc.get("CustomMessage"), f"{MC}.CustomMessage")
        return _compact({"Data": m.get("Data")}), {}, f"{MC}.CustomMessage"
    if channel == Channel.INAPP:
        m = _obj(mc.get("InAppMessage"), f"{MC}.InAppMessage")
        return _compact({k: m.get(k) for k in ("Layout", "Content", "CustomConfig")}), {}, f"{MC}.InAppMessage"
    return {}, {}, MC


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


def _template(tenant: Tenant, channel: str, tc: dict[str, Any]) -> tuple[Any, Any, str] | None:
    for key, template_channel in TEMPLATE_KEYS.items():
        wanted = _obj(tc.get(key), f"{TC}.{key}")
        if not wanted or template_channel != channel:
            continue
        path = f"{TC}.{key}"
        name = wanted.get("Name")
        template = templates_search(tenant=tenant, channel=channel).filter(name=name).first() if name else None
        if template is None:
            raise Invalid(f"there is no {channel} template named “{name or ''}”", field=f"{path}.Name")
        try:
            if wanted.get("Version") not in (None, ""):
                version = template_version_get(template=template, number=str(wanted["Version"]))
            else:
                version = template_version_for_send(
                    template=template, binding=VersionBinding.AT_SEND, frozen_version=None
                )
        except DomainError as exc:
            raise Invalid(exc.message, field=f"{path}.Version") from None
        return template, version, path
    return None


def campaign_message(
    *, tenant: Tenant, channel: str, message_configuration: dict[str, Any], template_configuration: dict[str, Any]
) -> dict[str, Any]:
    """The Dispatch message snapshot this configuration sends (the template's version read now)."""
    content, options, base = _inline(channel, _obj(message_configuration, MC))
    found = _template(tenant, channel, _obj(template_configuration, TC))
    snapshot: dict[str, Any] = {
        "channel": channel,
        "default_substitutions": {},
        "policy": MissingVariablePolicy.DEFAULT,
        "options": options,
        "template": None,
    }
    merged = dict(content)
    if found is not None:
        template, version, base = found
        merged = {**(version.content or {}), **content}
        snapshot["default_substitutions"] = dict(version.default_substitutions or {})
        snapshot["policy"] = template.missing_variable_policy
        snapshot["template"] = {"id": template.pk, "name": template.name, "version": version.number}
    if not merged:
        raise Invalid(f"give the {channel or 'campaign'} message or a template", field=MC)
    snapshot["content"] = _checked(channel, merged, base)
    return snapshot


def _checked(channel: str, merged: dict[str, Any], base: str) -> dict[str, Any]:
    if (
        channel == Channel.CUSTOM
        and isinstance(merged.get("Data"), str)
        and not merged["Data"].lstrip().startswith("{")
    ):
        return {"Data": merged["Data"]}
    errors = Errors()
    content = content_check(channel=channel, body=content_to_pinpoint(channel, merged), errors=errors)
    if errors:
        path, messages = next(iter(errors.items.items()))
        prefix = CHANNELS[channel].prefix
        rest = path[len(prefix) :].lstrip(".") if path.startswith(prefix) else path
        first, _, tail = rest.partition(".")
        first = _FIELDS.get(channel, {}).get(first, first)
        field = ".".join(p for p in (base, first, tail) if p) if base.startswith(MC) else base
        raise Invalid(messages[0], field=field)
    return content
