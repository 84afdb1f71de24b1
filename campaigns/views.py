"""The campaign screen: where every user lands after logging in."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from campaigns.forms import CampaignForm
from campaigns.models import Campaign
from campaigns.selectors import campaigns_list
from campaigns.services import campaign_create, campaign_delete
from engage.errors import DomainError
from engage.tenancy.models import Capability
from engage.tenancy.web import TenantView, form_error


class CampaignListView(TenantView):
    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        return self._render(CampaignForm())

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        form = CampaignForm(request.POST)
        if form.is_valid():
            try:
                campaign = campaign_create(tenant=self.tenant, by=self.actor, **form.cleaned_data)
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, f"Draft “{campaign.name}” saved.")
                return redirect("campaigns:list", tenant_id)
        return self._render(form, status=400, open_form=True)

    def _render(self, form: CampaignForm, status: int = 200, open_form: bool = False) -> HttpResponse:
        status_filter = self.request.GET.get("status", "")
        search = self.request.GET.get("q", "").strip()
        campaigns = campaigns_list(tenant=self.tenant, status=status_filter or None, search=search or None)
        page = Paginator(campaigns, 50).get_page(self.request.GET.get("page"))
        any_campaigns = bool(page.object_list) or Campaign.objects.for_tenant(self.tenant).exists()
        return render(
            self.request,
            "campaigns/list.html",
            {
                "form": form,
                "page": page,
                "statuses": Campaign.Status.choices,
                "status_filter": status_filter,
                "search": search,
                "any_campaigns": any_campaigns,
                "open_form": open_form,
                "can_edit": self.can(Capability.EDIT),
            },
            status=status,
        )


class CampaignDeleteView(TenantView):
    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        campaign = get_object_or_404(Campaign.objects.for_tenant(self.tenant), pk=pk)
        try:
            campaign_delete(campaign=campaign, by=self.actor, ip=self.ip)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Campaign “{campaign.name}” deleted.")
        return redirect("campaigns:list", tenant_id)

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        get_object_or_404(Campaign.objects.for_tenant(self.tenant), pk=pk)
        return redirect("campaigns:list", tenant_id)
