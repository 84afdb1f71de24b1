"""Console pages of message templates: the library, the editors with live preview, and version history."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from engage.tenancy.web import TenantView
from templates.codec import content_to_pinpoint
from templates.models import MessageTemplate, TemplateVersion
from templates.selectors import template_for_tenant


class TemplateMixin(TenantView):
    """Resolves `pk` inside the view's tenant: another tenant's template id is simply not found."""

    def template(self, pk: int) -> MessageTemplate:
        template = template_for_tenant(tenant=self.tenant, pk=pk)
        if template is None:
            raise Http404("no such template")
        return template


def version_body(template: MessageTemplate, version: TemplateVersion | None) -> dict[str, Any]:
    """What the editor shows for a version: its content in request shape plus the template's settings."""
    body: dict[str, Any] = {"tags": template.tags, "MissingVariablePolicy": template.missing_variable_policy}
    if version is not None:
        body.update(content_to_pinpoint(template.channel, version.content))
        body["DefaultSubstitutions"] = version.default_substitutions
        body["TemplateDescription"] = version.description
    return body
