"""The create wizard: details → segment → message → A/B & holdout → schedule → review & launch. Each step saves
its slice of a WriteCampaignRequest through the same services as the API, so errors name the same fields."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from campaigns import forms as f
from campaigns.forms_schedule import ScheduleForm
from campaigns.metrics_selectors import campaign_eligible
from campaigns.models import Campaign
from campaigns.schedule import campaign_zone
from campaigns.services import campaign_create, campaign_update
from campaigns.views.common import (
    CHANNEL_LABELS,
    STEP_NAMES,
    CampaignMixin,
    show_error,
    steps_context,
    template_options,
)
from campaigns.views.initial import step_initial
from campaigns.views.preview import treatment_previews
from engage.errors import DomainError
from segments.segment_selectors import segment_choices


class WizardMixin(CampaignMixin):
    def make_form(self, step: str, campaign: Campaign | None, data: Any = None) -> f.StepForm:
        initial = step_initial(step, campaign) if campaign else {}
        if step == "details":
            return f.DetailsForm(data, initial=initial)
        if step == "segment":
            segments = [(pid, name) for pid, name, _ in segment_choices(tenant=self.tenant)]
            return f.SegmentForm(data, initial=initial, segments=segments)
        templates = template_options(self.tenant)
        if step == "message":
            return f.MessageForm(data, initial=initial, templates=templates)
        if step == "treatments":
            assert campaign is not None
            return f.TreatmentsForm(
                data,
                initial=initial,
                channel=campaign.channel or "EMAIL",
                templates=templates,
                tz=campaign_zone(campaign),
            )
        return ScheduleForm(data, initial=initial)

    def show(self, step: str, campaign: Campaign | None, form: f.StepForm | None, status: int = 200) -> HttpResponse:
        context: dict[str, Any] = {
            "campaign": campaign,
            "form": form,
            "section": "campaigns",
            "channel_label": CHANNEL_LABELS.get(campaign.channel, "") if campaign else "",
            **steps_context(campaign, step),
        }
        if step == "message":
            context["templates"] = template_options(self.tenant)
        if step == "review" and campaign is not None:
            context.update(review_context(campaign))
        return render(self.request, "campaigns/wizard.html", context, status=status)


def review_context(campaign: Campaign) -> dict[str, Any]:
    eligible = campaign_eligible(tenant=campaign.tenant, segment=campaign.segment) if campaign.segment else {}
    problems = []
    if not campaign.segment_id:
        problems.append(("segment", "Choose the segment to send to."))
    if not campaign.channel:
        problems.append(("message", "Write the message or choose a template."))
    if not campaign.start_immediate and not campaign.start_time:
        problems.append(("schedule", "Choose when the campaign starts."))
    return {
        "eligible": eligible.get(campaign.channel, 0),
        "previews": treatment_previews(campaign) if campaign.channel else [],
        "problems": problems,
    }


class CampaignNewView(WizardMixin):
    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        return self.show("details", None, self.make_form("details", None))

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        form = self.make_form("details", None, request.POST)
        if form.is_valid():
            try:
                campaign = campaign_create(tenant=self.tenant, by=self.actor, body=form.body())
            except DomainError as exc:
                show_error(form, exc)
            else:
                return redirect("campaigns:setup_segment", tenant_id, campaign.pk)
        return self.show("details", None, form, status=400)


class CampaignSetupView(WizardMixin):
    def get(self, request: HttpRequest, tenant_id: str, pk: int, step: str) -> HttpResponse:
        campaign = self._editable(pk, step)
        if not isinstance(campaign, Campaign):
            return campaign
        form = None if step == "review" else self.make_form(step, campaign)
        return self.show(step, campaign, form)

    def post(self, request: HttpRequest, tenant_id: str, pk: int, step: str) -> HttpResponse:
        campaign = self._editable(pk, step)
        if not isinstance(campaign, Campaign) or step == "review":
            return redirect("campaigns:detail", tenant_id, pk)
        form = self.make_form(step, campaign, request.POST)
        if form.is_valid():
            body = form.body()
            if step == "message" and campaign.channel and body and form.cleaned_data["channel"] != campaign.channel:
                body["AdditionalTreatments"] = []  # other treatments were written for the old channel
            try:
                campaign = campaign_update(campaign=campaign, by=self.actor, body=body)
            except DomainError as exc:
                show_error(form, exc)
            else:
                if request.POST.get("exit"):
                    messages.success(request, f"“{campaign.name}” saved.")
                    return redirect("campaigns:detail", tenant_id, pk)
                return redirect(f"campaigns:setup_{STEP_NAMES[STEP_NAMES.index(step) + 1]}", tenant_id, pk)
        return self.show(step, campaign, form, status=400)

    def _editable(self, pk: int, step: str) -> Campaign | HttpResponse:
        if step not in STEP_NAMES:
            raise Http404("no such step")
        campaign = self.campaign(pk)
        if not campaign.can_edit:
            messages.info(
                self.request, f"“{campaign.name}” is {campaign.get_status_display().lower()}; pause it to edit it."
            )
            return redirect("campaigns:detail", self.tenant.public_id, pk)
        return campaign
