"""Shared by the campaign pages: the campaign named in the URL, the wizard's steps, errors shown on form fields."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse

from campaigns.forms import StepForm
from campaigns.models import Campaign
from engage.errors import DomainError
from engage.tenancy.models import Tenant
from engage.tenancy.web import TenantView
from templates.selectors import templates_search

STEPS = [
    ("details", "Details"),
    ("segment", "Segment"),
    ("message", "Message"),
    ("treatments", "A/B test"),
    ("schedule", "Schedule"),
    ("review", "Launch"),
]
STEP_NAMES = [name for name, _ in STEPS]
CHANNEL_LABELS = {
    "EMAIL": "Email",
    "SMS": "SMS",
    "PUSH": "Push",
    "VOICE": "Voice",
    "CUSTOM": "Custom",
    "INAPP": "In-app",
}


class CampaignMixin(TenantView):
    """Resolves `pk` inside the view's tenant; 404 for a campaign the tenant does not have."""

    def campaign(self, pk: int) -> Campaign:
        found = Campaign.objects.for_tenant(self.tenant).select_related("segment", "tenant").filter(pk=pk).first()
        if found is None:
            raise Http404("no such campaign")
        return found


def show_error(form: StepForm, exc: DomainError) -> None:
    """Put a service's refusal on the form field its request path names (or on the form as a whole)."""
    name = form.field_for(exc.field or "")
    where = "" if name or not exc.field else f" ({exc.field})"
    message = exc.message[:1].upper() + exc.message[1:] + where
    form.add_error(name if name and name != "__all__" else None, message)


def template_options(tenant: Tenant) -> list[tuple[str, str, str]]:
    """(name, channel, latest version) of the tenant's templates, for the message pickers."""
    return [
        (t.name, t.channel, str(t.latest_version.number) if t.latest_version else "")
        for t in templates_search(tenant=tenant, sort="name")
    ]


def steps_context(campaign: Campaign | None, current: str) -> dict[str, Any]:
    done = {
        "details": campaign is not None,
        "segment": bool(campaign and campaign.segment_id),
        "message": bool(campaign and campaign.channel),
        "treatments": bool(campaign and campaign.channel),
        "schedule": bool(campaign and (campaign.start_immediate or campaign.start_time)),
        "review": False,
    }
    urls = (
        {n: reverse(f"campaigns:setup_{n}", args=[campaign.tenant.public_id, campaign.pk]) for n in STEP_NAMES}
        if campaign
        else {}
    )
    index = STEP_NAMES.index(current)
    return {
        "steps": [
            {"name": n, "label": label, "number": i + 1, "done": done[n], "current": n == current, "url": urls.get(n)}
            for i, (n, label) in enumerate(STEPS)
        ],
        "step": current,
        "prev_url": urls.get(STEP_NAMES[index - 1]) if index > 0 else None,
    }
