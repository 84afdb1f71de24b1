"""The lifecycle buttons of the builder: publish, pause, resume, stop, test, duplicate, delete. Each calls one
service; a refusal comes back as a message on the builder page."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from campaigns.journeys.representation import journey_json
from campaigns.journeys.services import lifecycle
from campaigns.journeys.services.writes import journey_create, journey_delete
from campaigns.journeys.views.common import JourneyMixin
from campaigns.models import Journey
from engage.errors import DomainError, Invalid
from segments.models import Segment

ACTIONS: dict[str, tuple[Callable[..., Journey], str]] = {
    "publish": (lifecycle.journey_publish, "published"),
    "pause": (lifecycle.journey_pause, "paused"),
    "resume": (lifecycle.journey_resume, "resumed"),
    "stop": (lifecycle.journey_stop, "stopped"),
}
# Fields of the JourneyResponse a copy does not take over (the service sets them).
NOT_COPIED = ("Id", "ApplicationId", "State", "CreationDate", "LastModifiedDate", "tags", "Name")


def _say(exc: DomainError) -> str:
    return exc.message[:1].upper() + exc.message[1:].rstrip(".") + "."


class JourneyActionView(JourneyMixin):
    """POST publish | pause | resume | stop | duplicate."""

    def post(self, request: HttpRequest, tenant_id: str, pk: int, action: str) -> HttpResponse:
        journey = self.journey(pk)
        if action == "duplicate":
            return self._duplicate(journey)
        if action not in ACTIONS:
            raise Http404("no such action")
        service, done = ACTIONS[action]
        try:
            service(journey=journey, by=self.actor, ip=self.ip)
        except DomainError as exc:
            messages.error(request, _say(exc))
        else:
            messages.success(request, f"“{journey.name}” {done}.")
        return redirect("journeys:builder", tenant_id, pk)

    def get(self, request: HttpRequest, tenant_id: str, pk: int, action: str) -> HttpResponse:
        self.journey(pk)
        return redirect("journeys:builder", tenant_id, pk)

    def _duplicate(self, journey: Journey) -> HttpResponse:
        body = {k: v for k, v in journey_json(journey).items() if k not in NOT_COPIED}
        name = f"Copy of {journey.name}"[:150]
        try:
            copy = journey_create(tenant=self.tenant, body={"Name": name, **body}, by=self.actor, ip=self.ip)
        except DomainError as exc:
            messages.error(self.request, _say(exc))
            return redirect("journeys:builder", self.tenant.public_id, journey.pk)
        messages.success(self.request, f"Duplicated as the draft “{copy.name}”.")
        return redirect("journeys:builder", self.tenant.public_id, copy.pk)


class JourneyDeleteView(JourneyMixin):
    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        journey = self.journey(pk)
        try:
            journey_delete(journey=journey, by=self.actor, ip=self.ip)
        except DomainError as exc:
            messages.error(request, _say(exc))
            return redirect("journeys:builder", tenant_id, pk)
        messages.success(request, f"Journey “{journey.name}” deleted.")
        return redirect("journeys:list", tenant_id)

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        self.journey(pk)
        return redirect("journeys:builder", tenant_id, pk)


class TestForm(forms.Form):
    segment = forms.CharField()
    wait = forms.ChoiceField(choices=Journey.TestWait.choices)
    wait_seconds = forms.IntegerField(required=False, min_value=0, max_value=31_536_000)


class JourneyTestView(JourneyMixin):
    """POST a test segment and a wait handling: a "Test-" copy runs at once; its builder opens."""

    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        journey = self.journey(pk)
        form = TestForm(request.POST)
        try:
            if not form.is_valid():
                field, errors = next(iter(form.errors.items()))
                raise Invalid(f"{field.replace('_', ' ')}: {' '.join(str(e) for e in errors)}", field=field)
            segment = Segment.objects.for_tenant(self.tenant).filter(public_id=form.cleaned_data["segment"]).first()
            if segment is None:
                raise Invalid("choose a test segment of this tenant", field="segment")
            copy = lifecycle.journey_test_start(
                journey=journey,
                segment=segment,
                wait=form.cleaned_data["wait"],
                wait_seconds=form.cleaned_data["wait_seconds"],
                by=self.actor,
                ip=self.ip,
            )
        except DomainError as exc:
            messages.error(request, "Test not started: " + _say(exc))
            return redirect("journeys:builder", tenant_id, pk)
        messages.success(request, f"Test journey “{copy.name}” started for the segment “{segment.name}”.")
        return redirect("journeys:builder", tenant_id, copy.pk)
