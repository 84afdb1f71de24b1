"""Pinpoint's template JSON both ways: request bodies (Email/SMS/Push/Voice/InApp TemplateRequest plus our
ALIMTALK and CUSTOM) in, EmailTemplateResponse & co. out, rebuilt from the model."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from engage.tenancy.arn import pinpoint_arn
from segments.segment_json import iso
from templates.content import CHANNELS, Errors, content_check
from templates.content.common import choice, plural, string_map, text
from templates.models import (
    MAX_TAGS,
    NAME_MAX,
    NAME_PATTERN,
    VERSION_DESCRIPTION_MAX,
    Channel,
    MessageTemplate,
    MissingVariablePolicy,
    TemplateVersion,
    template_name_validator,
)

NAME = re.compile(NAME_PATTERN)
VARIABLE = re.compile(r"^[^{}\s][^{}]{0,255}$")
MAX_DEFAULTS = 250
# Members that only appear in Pinpoint's responses: a response POSTed back as a request ignores them.
READ_ONLY = ("Arn", "CreationDate", "LastModifiedDate", "Version", "RecommenderId")
# What boto3 returns from Get*Template: the response wrapped under its shape name (plus ResponseMetadata).
WRAPPERS = {
    "EmailTemplateResponse": Channel.EMAIL,
    "SMSTemplateResponse": Channel.SMS,
    "PushNotificationTemplateResponse": Channel.PUSH,
    "VoiceTemplateResponse": Channel.VOICE,
    "InAppTemplateResponse": Channel.INAPP,
}
# Which request members tell the channel apart when TemplateType is not given.
SIGNATURES = [
    (Channel.EMAIL, ("Subject", "HtmlPart", "TextPart", "Headers")),
    (Channel.PUSH, ("Default", "GCM", "APNS", "ADM", "Baidu")),
    (Channel.INAPP, ("Content", "Layout", "CustomConfig")),
    (Channel.VOICE, ("LanguageCode", "VoiceId")),
    (Channel.ALIMTALK, ("ALIMTALK",)),
    (Channel.CUSTOM, ("CUSTOM",)),
    (Channel.SMS, ("Body",)),
]


@dataclass(frozen=True)
class TemplateInput:
    """A checked request: what a new version holds, plus the template-level settings it mentions."""

    name: str
    channel: str
    content: dict[str, Any]
    default_substitutions: dict[str, str]
    description: str
    tags: dict[str, str] | None  # None: not in the request (keep what the template has)
    policy: str | None


def _channel(body: dict[str, Any], known: str | None, errors: Errors) -> str | None:
    declared = body.get("TemplateType")
    if declared not in (None, ""):
        if declared not in Channel.values:
            errors.add("TemplateType", f"must be one of {', '.join(Channel.values)} (got {declared!r})")
            return None
        if known and declared != known:
            errors.add("TemplateType", f"this is a {known} template; a template cannot change channel")
            return None
        return str(declared)
    if known:
        return known
    for channel, keys in SIGNATURES:
        if any(key in body for key in keys):
            return channel
    errors.add("TemplateType", f"say which channel the template is for: {', '.join(Channel.values)}")
    return None


def _name(body: dict[str, Any], known: str | None, errors: Errors) -> str:
    name = body.get("TemplateName")
    if known is not None:
        if name not in (None, "", known):
            errors.add("TemplateName", "a template name cannot change; copy the template to use another name")
        return known
    if not isinstance(name, str) or not name:
        errors.add("TemplateName", "give the template a name")
        return ""
    if len(name) > NAME_MAX or not NAME.match(name):
        errors.add("TemplateName", str(template_name_validator.message))
    return name


def substitutions_parse(value: Any, errors: Errors) -> dict[str, str]:
    """DefaultSubstitutions as Pinpoint sends it (a JSON string) or as an object: variable path → value."""
    where = "DefaultSubstitutions"
    if value in (None, "", {}):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            errors.add(where, f"is not valid JSON: {exc}")
            return {}
        except RecursionError:
            errors.add(where, "nests too deeply; it must be an object of variable → value")
            return {}
    if not isinstance(value, dict):
        errors.add(where, 'must be a JSON object such as {"User.UserAttributes.FirstName": "there"}')
        return {}
    if len(value) > MAX_DEFAULTS:
        errors.add(where, f"has {plural(len(value), 'default')}; the limit is {MAX_DEFAULTS}")
    out: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not VARIABLE.match(key):
            errors.add(where, f"name the variable without braces, e.g. User.UserAttributes.FirstName (got {key!r})")
            continue
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            errors.add(f"{where}.{key}", "the default value must be text")
            continue
        out[key] = str(item)
    return out


def tags_parse(value: Any, errors: Errors) -> dict[str, str] | None:
    if value is None:
        return None
    tags = string_map(value, "tags", errors, max_items=MAX_TAGS, key_limit=128, value_limit=256, what="tag")
    for key in tags:
        if key.lower().startswith("aws:"):
            errors.add("tags", f"tag keys starting with aws: are reserved ({key})")
    return tags


def template_request_parse(
    body: dict[str, Any], *, channel: str | None = None, name: str | None = None
) -> TemplateInput:
    """Check a whole request body; every problem is reported at once, each on the field it concerns."""
    errors = Errors()
    wrapped = [key for key in WRAPPERS if isinstance(body.get(key), dict)]
    if len(wrapped) == 1 and set(body) <= {wrapped[0], "ResponseMetadata"}:
        body = {"TemplateType": WRAPPERS[wrapped[0]], **body[wrapped[0]]}
    body = {k: v for k, v in body.items() if k not in READ_ONLY}
    found = _channel(body, channel, errors)
    template_name = _name(body, name, errors)
    content = content_check(channel=found, body=body, errors=errors) if found else {}
    defaults = substitutions_parse(body.get("DefaultSubstitutions"), errors)
    if defaults and found == Channel.INAPP:
        errors.add("DefaultSubstitutions", "in-app templates have no variables, so they take no defaults")
    description = text(body, "TemplateDescription", "", errors, limit=VERSION_DESCRIPTION_MAX)
    tags = tags_parse(body.get("tags"), errors)
    policy = choice(body, "MissingVariablePolicy", "", errors, MissingVariablePolicy.values) or None
    errors.raise_if_any()
    assert found is not None
    return TemplateInput(template_name, found, content, defaults, description, tags, policy)


def content_to_pinpoint(channel: str, content: dict[str, Any]) -> dict[str, Any]:
    key = CHANNELS[channel].request_key
    return {key: content} if key else dict(content)


def _engage_members(template: MessageTemplate) -> dict[str, Any]:
    return {
        "Id": template.pk,
        "ActiveVersion": str(template.active_version.number) if template.active_version else None,
        "LatestVersion": str(template.latest_version.number) if template.latest_version else None,
        "MissingVariablePolicy": template.missing_variable_policy,
    }


def _common(template: MessageTemplate, version: TemplateVersion | None, application_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Arn": pinpoint_arn(application_id, f"templates/{template.name}/{template.channel}"),
        "CreationDate": iso(template.created_at),
        "LastModifiedDate": iso(version.updated_at if version else template.updated_at),
        "TemplateName": template.name,
        "TemplateType": template.channel,
        "tags": template.tags or {},
    }
    if version is not None:
        out["Version"] = str(version.number)
        if version.description:
            out["TemplateDescription"] = version.description
        if version.default_substitutions:
            out["DefaultSubstitutions"] = json.dumps(version.default_substitutions, ensure_ascii=False)
    return out


def template_to_pinpoint(
    template: MessageTemplate, version: TemplateVersion | None, *, application_id: str
) -> dict[str, Any]:
    """EmailTemplateResponse / SMSTemplateResponse / … for one version (Engage adds Id and the two pointers)."""
    out = _common(template, version, application_id)
    if version is not None:
        out.update(content_to_pinpoint(template.channel, version.content))
    return {**out, **_engage_members(template)}


def template_summary_to_pinpoint(template: MessageTemplate, *, application_id: str) -> dict[str, Any]:
    """A TemplateResponse (ListTemplates item), describing the active version."""
    out = _common(template, template.active_version, application_id)
    out["LastModifiedDate"] = iso(template.updated_at)
    return {**out, **_engage_members(template)}


def version_to_pinpoint(template: MessageTemplate, version: TemplateVersion) -> dict[str, Any]:
    """A TemplateVersionResponse (ListTemplateVersions item) plus who made it and which pointers it holds."""
    out: dict[str, Any] = {
        "CreationDate": iso(version.created_at),
        "LastModifiedDate": iso(version.updated_at),
        "TemplateName": template.name,
        "TemplateType": template.channel,
        "Version": str(version.number),
        "Active": version.pk == template.active_version_id,
        "Latest": version.pk == template.latest_version_id,
        "CreatedBy": version.created_by_label,
    }
    if version.description:
        out["TemplateDescription"] = version.description
    if version.default_substitutions:
        out["DefaultSubstitutions"] = json.dumps(version.default_substitutions, ensure_ascii=False)
    return out
