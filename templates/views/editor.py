"""The editor of each channel: create a template, save a new version or update the latest, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from engage.errors import DomainError
from engage.tenancy.models import Capability
from segments.views import query_text
from templates.codec import template_request_parse
from templates.content import TemplateInvalid
from templates.forms.binding import EditorForm, form_to_body
from templates.forms.specs import VOICES
from templates.models import Channel, MessageTemplate, TemplateVersion
from templates.selectors import template_attribute_groups, template_version_get
from templates.services.templates import (
    template_create,
    template_delete,
    template_update,
    template_version_activate,
)
from templates.views import TemplateMixin, version_body
from templates.views.preview import SAMPLE_TEXT

CHANNEL_HELP: dict[str, str] = {
    Channel.EMAIL: "Subject, HTML body, plain-text alternative and headers.",
    Channel.SMS: "Up to 1,600 characters, with encoding and parts counted as you type.",
    Channel.PUSH: "Title, body and action, with overrides per push service and raw JSON.",
    Channel.VOICE: "A script in plain text or SSML, read in the language and voice you pick.",
    Channel.INAPP: "Banners, modals, full-screen and carousel messages your app displays.",
    Channel.ALIMTALK: "Kakao-approved text with #{placeholders} filled from each recipient.",
    Channel.CUSTOM: "A JSON payload for a webhook or any custom channel.",
}


def _initial_body(channel: str) -> dict[str, Any]:
    body: dict[str, Any] = {"MissingVariablePolicy": "DEFAULT"}
    if channel == Channel.INAPP:
        body.update(Layout="MIDDLE_BANNER", Content=[{}])
    return body


class EditorMixin(TemplateMixin):
    def editor(
        self,
        *,
        channel: str,
        body: dict[str, Any],
        template: MessageTemplate | None = None,
        version: TemplateVersion | None = None,
        errors: dict[str, list[str]] | None = None,
        name: str = "",
        status: int = 200,
    ) -> HttpResponse:
        can_edit = self.can(Capability.EDIT)
        latest = template.latest_version if template else None
        context = {
            "channel": channel,
            "channel_label": Channel(channel).label,
            "form": EditorForm(channel, body, errors),
            "template": template,
            "version": version,
            "viewing_old": bool(version and latest and version.pk != latest.pk),
            "name": name or (template.name if template else ""),
            "name_errors": (errors or {}).get("TemplateName", []),
            "attribute_groups": template_attribute_groups(tenant=self.tenant) if can_edit else [],
            "sample_text": SAMPLE_TEXT,
            "can_edit": can_edit,
            "voices": VOICES,
        }
        return render(self.request, "msgtemplates/editor.html", context, status=status)


class TemplateCreateView(EditorMixin):
    read_capability = Capability.EDIT

    def _channel(self, request: HttpRequest) -> str:
        channel = query_text(request, "channel")
        return channel if channel in Channel.values else ""

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        channel = self._channel(request)
        if not channel:
            messages.info(request, "Choose the channel of the new template.")
            return redirect("templates:list", tenant_id)
        return self.editor(channel=channel, body=_initial_body(channel))

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        channel = self._channel(request)
        if not channel:
            return redirect("templates:list", tenant_id)
        body = form_to_body(channel, request.POST)
        name = request.POST.get("TemplateName", "").strip()
        try:
            data = template_request_parse({**body, "TemplateName": name, "TemplateType": channel})
            template = template_create(tenant=self.tenant, data=data, by=self.actor)
        except TemplateInvalid as exc:
            return self.editor(channel=channel, body=body, errors=exc.errors, name=name, status=400)
        except DomainError as exc:
            return self.editor(
                channel=channel, body=body, errors={exc.field or "": [exc.message]}, name=name, status=400
            )
        messages.success(request, f"Template “{template.name}” created. Version 1 is the active version.")
        return redirect("templates:edit", tenant_id, template.pk)


class TemplateEditView(EditorMixin):
    """GET shows the latest version (or ?version=N); POST saves as a new version or updates the latest."""

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        template = self.template(pk)
        try:
            version = template_version_get(template=template, number=query_text(request, "version") or "latest")
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("templates:edit", tenant_id, template.pk)
        return self.editor(
            channel=template.channel, body=version_body(template, version), template=template, version=version
        )

    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        template = self.template(pk)
        body = form_to_body(template.channel, request.POST)
        update_latest = request.POST.get("save") == "latest"
        expected = request.POST.get("latest", "") if update_latest else ""
        try:
            data = template_request_parse(body, channel=template.channel, name=template.name)
            version = template_update(
                template=template,
                data=data,
                by=self.actor,
                create_new_version=not update_latest,
                expected_latest=int(expected) if expected.isdigit() else None,
            )
            if request.POST.get("activate") and template.active_version_id != version.pk:
                template_version_activate(template=template, number=version.number, by=self.actor)
        except TemplateInvalid as exc:
            return self.editor(channel=template.channel, body=body, template=template, errors=exc.errors, status=400)
        except DomainError as exc:
            return self.editor(
                channel=template.channel,
                body=body,
                template=template,
                errors={exc.field or "": [exc.message]},
                status=400,
            )
        template.refresh_from_db()
        messages.success(request, self._saved_message(template, version, update_latest))
        return redirect("templates:edit", tenant_id, template.pk)

    def _saved_message(self, template: MessageTemplate, version: TemplateVersion, update_latest: bool) -> str:
        what = f"Version {version.number} updated." if update_latest else f"Saved as version {version.number}."
        if template.active_version_id == version.pk:
            return f"{what} It is the active version."
        active = template.active_version.number if template.active_version else "none"
        return f"{what} Version {active} stays active until you activate this one."


class TemplateDeleteView(TemplateMixin):
    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        return redirect("templates:edit", tenant_id, self.template(pk).pk)

    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        template = self.template(pk)
        try:
            template_delete(template=template, by=self.actor, ip=self.ip)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("templates:edit", tenant_id, template.pk)
        messages.success(request, f"Template “{template.name}” and all its versions were deleted.")
        return redirect("templates:list", tenant_id)
