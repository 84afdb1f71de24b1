"""Live panels of the wizard (HTMX): the eligible count of a segment and the message rendered for an endpoint,
through the templates' own preview (so a campaign looks exactly like the template editor shows it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from campaigns.forms import content_body
from campaigns.message import MC, TC, campaign_message
from campaigns.metrics_selectors import campaign_eligible
from campaigns.models import Campaign
from campaigns.views.common import CHANNEL_LABELS, CampaignMixin
from engage.errors import DomainError
from engage.tenancy.models import Capability, Tenant
from segments.segment_selectors import segment_for_tenant
from templates.views.preview import preview_context


def message_preview(
    *, tenant: Tenant, channel: str, mc: dict[str, Any], tc: dict[str, Any], params: QueryDict
) -> dict[str, Any]:
    """The preview panel's context for one treatment's message (or the field-level reason there is none)."""
    try:
        snapshot = campaign_message(tenant=tenant, channel=channel, message_configuration=mc, template_configuration=tc)
    except DomainError as exc:
        return {"channel": channel, "content": {}, "problems": [(exc.field or MC, exc.message)]}
    return preview_context(
        tenant=tenant,
        channel=channel,
        content=snapshot["content"],
        defaults=snapshot["default_substitutions"],
        policy=snapshot["policy"],
        params=params,
    )


def treatment_previews(campaign: Campaign, params: QueryDict | None = None) -> list[dict[str, Any]]:
    """Each treatment's message rendered for the sample endpoint (the review step)."""
    params = params or QueryDict()
    found = [
        ("0", campaign.treatment_name or "Default", campaign.message_configuration, campaign.template_configuration)
    ]
    for t in campaign.additional_treatments:
        found.append((t["Id"], t.get("TreatmentName") or f"Treatment {t['Id']}", t.get(MC) or {}, t.get(TC) or {}))
    return [
        {
            "id": tid,
            "name": name,
            **message_preview(tenant=campaign.tenant, channel=campaign.channel, mc=mc, tc=tc, params=params),
        }
        for tid, name, mc, tc in found
    ]


class EligibleView(CampaignMixin):
    """GET ?segment=<public id>: how many endpoints the campaign would message now, per channel."""

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        campaign = self.campaign(pk)
        segment = segment_for_tenant(tenant=self.tenant, public_id=request.GET.get("segment", "")[:64])
        context: dict[str, Any] = {"campaign": campaign, "segment": segment}
        if segment is not None:
            try:
                counts = campaign_eligible(tenant=self.tenant, segment=segment)
            except DomainError as exc:
                context["error"] = exc.message
            else:
                context["all"] = counts.pop("ALL", 0)
                context["eligible"] = counts.get(campaign.channel, 0) if campaign.channel else context["all"]
                context["counts"] = [(CHANNEL_LABELS.get(k, k), n, k == campaign.channel) for k, n in counts.items()]
        return render(request, "campaigns/_eligible.html", context)


class MessagePreviewView(CampaignMixin):
    """POST the message step's fields: the message rendered for the chosen endpoint (or sample JSON)."""

    write_capability = Capability.VIEW  # it reads: rendering a draft changes nothing

    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        self.campaign(pk)
        channel = request.POST.get("channel", "")
        if channel not in CHANNEL_LABELS:
            return render(request, "campaigns/_preview.html", {"choose_channel": True})
        body = content_body(request.POST.dict(), channel, source=request.POST.get("source", "inline"))
        params = request.POST.copy()
        params["preview_source"] = "endpoint" if params.get("preview_endpoint", "").strip() else "sample"
        context = message_preview(tenant=self.tenant, channel=channel, mc=body[MC], tc=body[TC], params=params)
        return render(request, "campaigns/_preview.html", {"preview": context})
