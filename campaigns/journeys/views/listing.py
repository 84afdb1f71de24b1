"""The journeys list: name, state, entry type, participants in the journey, dates; filter by state; create."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from campaigns.journeys.services.writes import journey_create
from campaigns.journeys.views.common import ENTRY_LABELS, entry_type
from campaigns.models import Journey, Participant
from engage.errors import DomainError
from engage.tenancy.models import Capability
from engage.tenancy.web import TenantView, form_error


class JourneyNameForm(forms.Form):
    name = forms.CharField(label="Name", max_length=150, help_text="Up to 150 characters; you can change it later.")


class JourneyListView(TenantView):
    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        return self._render(JourneyNameForm())

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        form = JourneyNameForm(request.POST)
        if form.is_valid():
            try:
                journey = journey_create(
                    tenant=self.tenant, body={"Name": form.cleaned_data["name"]}, by=self.actor, ip=self.ip
                )
            except DomainError as exc:
                form_error(form, exc if exc.field != "Name" else DomainError(exc.message, field="name"))
            else:
                return redirect("journeys:builder", tenant_id, journey.pk)
        return self._render(form, status=400, open_form=True)

    def _render(self, form: JourneyNameForm, status: int = 200, open_form: bool = False) -> HttpResponse:
        state = self.request.GET.get("state", "")
        journeys = Journey.objects.for_tenant(self.tenant)
        if state in Journey.State.values:
            journeys = journeys.filter(state=state)
        page = Paginator(journeys.order_by("-created_at", "-id"), 50).get_page(self.request.GET.get("page"))
        inside = dict(
            Participant.objects.filter(journey__in=[j.pk for j in page.object_list], state=Participant.State.WAITING)
            .values("journey")
            .annotate(n=Count("id"))
            .values_list("journey", "n")
        )
        rows = [self._row(j, inside.get(j.pk, 0)) for j in page.object_list]
        context = {
            "form": form,
            "page": page,
            "rows": rows,
            "states": Journey.State.choices,
            "state_filter": state,
            "any_journeys": bool(rows) or Journey.objects.for_tenant(self.tenant).exists(),
            "open_form": open_form,
            "can_edit": self.can(Capability.EDIT),
        }
        return render(self.request, "journeys/list.html", context, status=status)

    @staticmethod
    def _row(journey: Journey, inside: int) -> dict[str, Any]:
        kind = entry_type(journey.definition or {})
        return {"j": journey, "entry": ENTRY_LABELS[kind], "entry_kind": kind, "inside": inside}
