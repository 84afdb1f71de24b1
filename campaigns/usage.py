"""Segments and templates used by active campaigns or journeys cannot be deleted (the usage checks they ask for)."""

from __future__ import annotations

from typing import Any

from campaigns.models import Campaign


def _active(tenant_id: int) -> Any:
    return Campaign.objects.filter(tenant_id=tenant_id, status__in=[*Campaign.ACTIVE, Campaign.Status.PAUSED])


def segment_uses(segment: Any) -> list[str]:
    return [
        f"campaign “{name}”"
        for name in _active(segment.tenant_id).filter(segment=segment).values_list("name", flat=True)
    ]


def template_uses(template: Any) -> list[str]:
    uses = []
    for c in _active(template.tenant_id).only("name", "template_configuration", "additional_treatments"):
        configs = [c.template_configuration, *[t.get("TemplateConfiguration") or {} for t in c.additional_treatments]]
        if any(isinstance(v, dict) and v.get("Name") == template.name for tc in configs for v in tc.values()):
            uses.append(f"campaign “{c.name}”")
    return uses


def register() -> None:
    from campaigns.journeys.usage import journey_segment_uses, journey_template_uses
    from segments.services.segments import segment_usage_register
    from templates.services.templates import template_usage_register

    segment_usage_register(segment_uses)
    template_usage_register(template_uses)
    segment_usage_register(journey_segment_uses)
    template_usage_register(journey_template_uses)
