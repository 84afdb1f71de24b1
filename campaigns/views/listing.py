"""The campaign screen: where every user lands after logging in."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from campaigns.forms import DetailsForm
from campaigns.metrics_selectors import campaigns_overview
from campaigns.models import Campaign
from campaigns.selectors import campaigns_list
from campaigns.services import campaign_create
from campaigns.views.charts import sparkline
from campaigns.views.common import CHANNEL_LABELS, show_error
from engage.errors import DomainError
from engage.tenancy.models import Capability
from engage.tenancy.web import TenantView


class CampaignListView(TenantView):
    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        return self._render(DetailsForm())

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        form = DetailsForm(request.POST)
        if form.is_valid():
            try:
                campaign = campaign_create(tenant=self.tenant, by=self.actor, body=form.body())
            except DomainError as exc:
                show_error(form, exc)
            else:
                if request.POST.get("continue"):
                    return redirect("campaigns:setup_segment", tenant_id, campaign.pk)
                messages.success(request, f"Draft “{campaign.name}” saved.")
                return redirect("campaigns:list", tenant_id)
        return self._render(form, status=400, open_form=True)

    def _render(self, form: DetailsForm, status: int = 200, open_form: bool = False) -> HttpResponse:
        status_filter = self.request.GET.get("status", "")
        search = self.request.GET.get("q", "").strip()[:255]
        campaigns = campaigns_list(
            tenant=self.tenant, status=status_filter or None, search=search or None
        ).select_related("segment")
        page = Paginator(campaigns, 50).get_page(self.request.GET.get("page"))
        overview = campaigns_overview(tenant=self.tenant, campaign_ids=[c.pk for c in page.object_list])
        rows = [
            {
                "c": c,
                "m": overview[c.pk],
                "spark": sparkline(overview[c.pk].daily),
                "channel": CHANNEL_LABELS.get(c.channel, ""),
            }
            for c in page.object_list
        ]
        any_campaigns = bool(rows) or Campaign.objects.for_tenant(self.tenant).exists()
        context = {
            "form": form,
            "page": page,
            "rows": rows,
            "statuses": Campaign.Status.choices,
            "status_filter": status_filter,
            "search": search,
            "any_campaigns": any_campaigns,
            "open_form": open_form,
            "can_edit": self.can(Capability.EDIT),
        }
        return render(self.request, "campaigns/list.html", context, status=status)
