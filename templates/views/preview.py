"""The editor's live preview (HTMX): the draft or a saved version rendered for a real endpoint of the tenant or
for sample JSON, with precise errors; and the endpoint picker's suggestions."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from engage.errors import DomainError
from engage.tenancy.models import Capability, Tenant
from segments.codec import endpoint_to_pinpoint
from segments.selectors import endpoint_for_tenant, endpoints_search
from segments.views import query_text
from templates.codec import template_request_parse
from templates.content import CHANNELS, TemplateInvalid
from templates.content.push import SERVICE_LABELS, SERVICES
from templates.forms.binding import form_to_body
from templates.models import Channel
from templates.selectors import template_version_get
from templates.services.rendering import RenderFailed, RenderingSkipped, content_render
from templates.services.sms import sms_encoding_measure
from templates.views import TemplateMixin

SAMPLE_LIMIT = 20_000
# A preview belongs to no campaign or journey; these stand in for {{Pinpoint.CampaignId}} / {{Pinpoint.JourneyId}}.
SAMPLE_CAMPAIGN_ID = "preview-campaign"
SAMPLE_JOURNEY_ID = "preview-journey"
SAMPLE_ENDPOINT: dict[str, Any] = {
    "Id": "sample-endpoint",
    "ChannelType": "EMAIL",
    "Address": "jane@example.com",
    "EndpointStatus": "ACTIVE",
    "OptOut": "NONE",
    "Attributes": {"Plan": ["Pro"]},
    "Demographic": {"Locale": "en_US", "Platform": "iOS", "Timezone": "America/New_York"},
    "Location": {"City": "Boston", "Country": "US"},
    "Metrics": {"Points": 120},
    "User": {"UserId": "jane", "UserAttributes": {"FirstName": ["Jane"], "LastName": ["Doe"]}},
}
SAMPLE_TEXT = json.dumps(SAMPLE_ENDPOINT, indent=2)


def _recipient(tenant: Tenant, params: QueryDict) -> tuple[dict[str, Any] | None, str, str]:
    """(endpoint JSON, a label for it, an error to show instead) from the preview controls."""
    if params.get("preview_source") == "endpoint":
        endpoint_id = params.get("preview_endpoint", "").strip()[:256]
        if not endpoint_id:
            return None, "", "Type an endpoint id to preview the message for that endpoint."
        endpoint = endpoint_for_tenant(tenant=tenant, endpoint_id=endpoint_id)
        if endpoint is None:
            return None, "", f"No endpoint “{endpoint_id}” in {tenant.name}. Pick one from the suggestions."
        return endpoint_to_pinpoint(endpoint, application_id=tenant.public_id), endpoint_id, ""
    text = params.get("preview_context", "")
    if not text.strip():
        return SAMPLE_ENDPOINT, "sample JSON", ""
    if len(text) > SAMPLE_LIMIT:
        return None, "", f"The sample JSON is longer than {SAMPLE_LIMIT:,} characters."
    try:
        sample = json.loads(text)
    except ValueError as exc:
        return None, "", f"The sample JSON is not valid: {exc}."
    except RecursionError:
        return None, "", "The sample JSON nests too deeply."
    if not isinstance(sample, dict):
        return None, "", 'The sample JSON must be an object shaped like an endpoint ({"User": {…}, …}).'
    return sample, "sample JSON", ""


def preview_context(
    *,
    tenant: Tenant,
    channel: str,
    content: dict[str, Any],
    defaults: dict[str, str],
    policy: str,
    params: QueryDict,
) -> dict[str, Any]:
    """What _preview.html shows: the rendered parts, or why there are none."""
    context: dict[str, Any] = {"channel": channel, "content": content}
    if channel == Channel.PUSH:
        context["services"] = [(s, SERVICE_LABELS[s]) for s in SERVICES]
    if channel == Channel.SMS:
        context["source_sms"] = sms_encoding_measure(body=content.get("Body", ""))
    endpoint_json, label, problem = _recipient(tenant, params)
    context["recipient"] = label if CHANNELS[channel].variables else ""
    if endpoint_json is None:
        context["recipient_error"] = problem
        return context
    try:
        rendered = content_render(
            channel=channel,
            content=content,
            default_substitutions=defaults,
            policy=policy,
            endpoint_json=endpoint_json,
            application_id=tenant.public_id,
            campaign_id=SAMPLE_CAMPAIGN_ID,
            journey_id=SAMPLE_JOURNEY_ID,
        )
    except RenderingSkipped as exc:
        context["skipped"] = exc.variables
    except RenderFailed as exc:
        where = f" (line {exc.line}, column {exc.column})" if exc.line is not None else ""
        context["problems"] = [(exc.path, f"{exc.detail}{where}")]
    else:
        context.update(rendered=rendered, parts=rendered.parts)
    return context


class DraftPreviewView(TemplateMixin):
    """POST: the editor's unsaved fields, rendered (syntax and limit errors listed with line and column)."""

    def post(self, request: HttpRequest, tenant_id: str, pk: int | None = None) -> HttpResponse:
        template = self.template(pk) if pk is not None else None
        channel = template.channel if template else request.POST.get("TemplateType", "")
        if channel not in Channel.values:
            return HttpResponse("Unknown channel.", status=400)
        body = form_to_body(channel, request.POST)
        try:
            data = template_request_parse(body, channel=channel, name=template.name if template else "preview")
        except TemplateInvalid as exc:
            problems = [(path, message) for path, messages in exc.errors.items() for message in messages]
            context: dict[str, Any] = {"channel": channel, "problems": problems, "content": {}}
            if channel == Channel.SMS and isinstance(body.get("Body"), str):
                context["source_sms"] = sms_encoding_measure(body=body["Body"])
            return render(request, "msgtemplates/_preview.html", context)
        policy = data.policy or (template.missing_variable_policy if template else "DEFAULT")
        context = preview_context(
            tenant=self.tenant,
            channel=channel,
            content=data.content,
            defaults=data.default_substitutions,
            policy=policy,
            params=request.POST,
        )
        return render(request, "msgtemplates/_preview.html", context)


class SavedPreviewView(DraftPreviewView):
    """GET: a saved version rendered (what a viewer sees next to the read-only editor); POST: the draft."""

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        template = self.template(pk)
        try:
            version = template_version_get(template=template, number=query_text(request, "version") or "latest")
        except DomainError:
            raise Http404("no such version") from None
        context = preview_context(
            tenant=self.tenant,
            channel=template.channel,
            content=version.content,
            defaults=version.default_substitutions,
            policy=template.missing_variable_policy,
            params=request.GET,
        )
        return render(request, "msgtemplates/_preview.html", context)


class EndpointOptionsView(TemplateMixin):
    """The endpoint picker's suggestions: endpoints whose id, address or user id starts with what was typed."""

    read_capability = Capability.VIEW

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        q = query_text(request, "preview_endpoint")
        found = endpoints_search(tenant=self.tenant, q=q).order_by("endpoint_id")[:10] if q else []
        return render(request, "msgtemplates/_endpoint_options.html", {"endpoints": found})
