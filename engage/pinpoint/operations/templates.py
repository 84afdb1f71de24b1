"""Message templates under /v1/templates (scoped to the signing key's tenant): Create/Get/Update/Delete of the
Email, Sms, Push, Voice and InApp templates, ListTemplates, ListTemplateVersions, UpdateTemplateActiveVersion."""

from __future__ import annotations

from typing import Any

from engage.errors import Invalid, NotFound
from engage.pinpoint.operations.endpoints import accepted
from engage.pinpoint.pages import page
from engage.pinpoint.registry import Call, operation
from engage.tenancy.models import Capability
from templates.codec import (
    template_request_parse,
    template_summary_to_pinpoint,
    template_to_pinpoint,
    version_to_pinpoint,
)
from templates.models import Channel, MessageTemplate
from templates.selectors import template_version_get, templates_search
from templates.services.templates import (
    template_create,
    template_delete,
    template_update,
    template_version_activate,
)

# Operation name part → channel (the Pinpoint template types; ALIMTALK and CUSTOM are Engage's own).
KINDS = {
    "Email": Channel.EMAIL,
    "Sms": Channel.SMS,
    "Push": Channel.PUSH,
    "Voice": Channel.VOICE,
    "InApp": Channel.INAPP,
}
PINPOINT_TYPES = list(KINDS.values())


def _channel(call: Call) -> str:
    """The channel an operation is about: from its name (GetEmailTemplate) or the path's template type."""
    for kind, channel in KINDS.items():
        if call.operation.endswith(f"{kind}Template"):
            return channel
    declared = str(call.params.get("TemplateType", "")).upper()
    if declared not in PINPOINT_TYPES:
        raise Invalid(f"TemplateType must be one of {', '.join(PINPOINT_TYPES)}", field="TemplateType")
    return declared


def template_of(call: Call, channel: str) -> MessageTemplate:
    name = call.params["TemplateName"]
    template = templates_search(tenant=call.tenant, channel=channel).filter(name=name).first()
    if template is None:
        raise NotFound(f"Template {name} ({channel}) not found")
    return template


def _names(action: str) -> list[str]:
    return [f"{action}{kind}Template" for kind in KINDS]


@operation(*_names("Create"), capability=Capability.EDIT)
def create_template(call: Call) -> dict[str, Any]:
    """A new template whose version 1 is active; the name comes from the path and is checked like the console's."""
    channel = _channel(call)
    data = template_request_parse({**call.body, "TemplateName": call.params["TemplateName"]}, channel=channel)
    template = template_create(tenant=call.tenant, data=data, by=call.key)
    arn = template_to_pinpoint(template, template.latest_version, application_id=call.application_id)["Arn"]
    return {"Arn": arn, "Message": "Created", "RequestID": call.request_id}


@operation(*_names("Get"), capability=Capability.VIEW)
def get_template(call: Call) -> dict[str, Any]:
    """The active version, or `version` (a number, or latest)."""
    template = template_of(call, _channel(call))
    version = template_version_get(template=template, number=call.params.get("Version"))
    return template_to_pinpoint(template, version, application_id=call.application_id)


def _expected_version(call: Call) -> int | None:
    value = call.params.get("Version")
    if value in (None, ""):
        return None
    if not str(value).isdigit():
        raise Invalid("Version must be the number of the latest version", field="Version")
    return int(value)


@operation(*_names("Update"), capability=Capability.EDIT)
def update_template(call: Call) -> dict[str, Any]:
    """Overwrite the latest version, or save a new one with create-new-version=true (Pinpoint's default is to
    overwrite); `version`, when given, must name the latest version."""
    channel = _channel(call)
    template = template_of(call, channel)
    data = template_request_parse(call.body, channel=channel, name=template.name)
    template_update(
        template=template,
        data=data,
        by=call.key,
        create_new_version=bool(call.params.get("CreateNewVersion", False)),
        expected_latest=_expected_version(call),
    )
    return accepted(call)


@operation(*_names("Delete"), capability=Capability.EDIT)
def delete_template(call: Call) -> dict[str, Any]:
    """Delete the template with all its versions (single versions cannot be deleted)."""
    template = template_of(call, _channel(call))
    if call.params.get("Version"):
        raise Invalid(
            "single versions cannot be deleted; leave out version to delete the whole template", field="Version"
        )
    template_delete(template=template, by=call.key, ip=call.ip)
    return accepted(call, "Deleted")


@operation("ListTemplates", capability=Capability.VIEW)
def list_templates(call: Call) -> dict[str, Any]:
    """Templates of the Pinpoint types, name-prefix and type filters as Pinpoint's, most recently changed first."""
    channel = ""
    if call.params.get("TemplateType"):
        channel = _channel(call)
    rows = templates_search(tenant=call.tenant, channel=channel, q=call.params.get("Prefix", "")[:128])
    rows = rows.filter(channel__in=PINPOINT_TYPES)
    return page(
        rows,
        params=call.params,
        render=lambda t: template_summary_to_pinpoint(t, application_id=call.application_id),
        token_param="NextToken",
    )


@operation("ListTemplateVersions", capability=Capability.VIEW)
def list_template_versions(call: Call) -> dict[str, Any]:
    """Every version of the template, newest first."""
    template = template_of(call, _channel(call))
    versions = template.versions.all()
    answer = page(
        versions, params=call.params, render=lambda v: version_to_pinpoint(template, v), token_param="NextToken"
    )
    return {**answer, "RequestID": call.request_id}


@operation("UpdateTemplateActiveVersion", capability=Capability.EDIT)
def update_template_active_version(call: Call) -> dict[str, Any]:
    """Make a version the one sends use."""
    template = template_of(call, _channel(call))
    version = call.body.get("Version")
    if version in (None, ""):
        raise Invalid("give the Version to make active", field="Version")
    template_version_activate(template=template, number=version, by=call.key)
    return accepted(call)
