"""Console pages under Settings → Event streams (owners and admins)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from engage import clock
from engage.errors import DomainError
from engage.events.streams.forms import EventStreamForm
from engage.events.streams.models import EventStream
from engage.events.streams.selectors import stream_lag, streams_for_tenant
from engage.events.streams.services import stream_create, stream_delete, stream_test, stream_update
from engage.tenancy.models import Capability
from engage.tenancy.web import TenantView, form_error


class StreamView(TenantView):
    read_capability = Capability.MANAGE
    write_capability = Capability.MANAGE

    def stream(self, pk: int) -> EventStream:
        return get_object_or_404(streams_for_tenant(tenant=self.tenant), pk=pk)


class StreamListView(StreamView):
    """Each destination with its lag, last success and last error (the table refreshes itself)."""

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        now = clock.now()
        rows = [(s, stream_lag(stream=s, now=now)) for s in streams_for_tenant(tenant=self.tenant)]
        context = {"rows": rows, "kinds": EventStream.Kind.choices, "tab": "streams"}
        return render(request, "events/streams.html", context)


class StreamCreateView(StreamView):
    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        kind = request.GET.get("kind", "")
        if kind not in EventStream.Kind.values:
            return render(request, "events/stream_kind.html", {"kinds": EventStream.Kind.choices, "tab": "streams"})
        return self._render(EventStreamForm(kind=kind, creating=True))

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        kind = request.POST.get("kind", "")
        if kind not in EventStream.Kind.values:
            messages.error(request, "Choose the kind of destination first.")
            return redirect("event_streams:create", tenant_id)
        form = EventStreamForm(request.POST, kind=kind, creating=True)
        if form.is_valid():
            try:
                stream = stream_create(
                    tenant=self.tenant,
                    by=self.actor,
                    ip=self.ip,
                    kind=kind,
                    from_beginning=form.cleaned_data.get("from_beginning", False),
                    **form.changes(),
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, f"{stream.name} created. Events are exported to it within seconds.")
                return redirect("event_streams:list", tenant_id)
        return self._render(form, status=400)

    def _render(self, form: EventStreamForm, status: int = 200) -> HttpResponse:
        context = {"form": form, "kind": form.kind, "kind_label": EventStream.Kind(form.kind).label, "tab": "streams"}
        return render(self.request, "events/stream_form.html", context, status=status)


class StreamEditView(StreamView):
    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        stream = self.stream(pk)
        initial = {
            "name": stream.name,
            "s3_url": stream.s3_url,
            "stream_name": stream.stream_name,
            "region": stream.region,
            "endpoint_url": stream.endpoint_url,
            "url": stream.url,
            "timeout_seconds": stream.timeout_seconds,
        }
        return self._render(stream, EventStreamForm(initial=initial, kind=stream.kind, creating=False))

    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        stream = self.stream(pk)
        form = EventStreamForm(request.POST, kind=stream.kind, creating=False)
        if form.is_valid():
            try:
                stream = stream_update(stream=stream, by=self.actor, ip=self.ip, **form.changes())
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, f"{stream.name} saved.")
                return redirect("event_streams:list", tenant_id)
        return self._render(stream, form, status=400)

    def _render(self, stream: EventStream, form: EventStreamForm, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "stream": stream,
            "kind": stream.kind,
            "kind_label": stream.get_kind_display(),
            "tab": "streams",
        }
        return render(self.request, "events/stream_form.html", context, status=status)


class StreamToggleView(StreamView):
    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        stream = self.stream(pk)
        stream = stream_update(stream=stream, by=self.actor, ip=self.ip, enabled=not stream.enabled)
        if stream.enabled:
            messages.success(request, f"{stream.name} enabled: it picks up where it stopped, nothing is skipped.")
        else:
            messages.success(request, f"{stream.name} disabled: events wait for it until you enable it again.")
        return redirect("event_streams:list", tenant_id)


class StreamDeleteView(StreamView):
    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        stream = self.stream(pk)
        stream_delete(stream=stream, by=self.actor, ip=self.ip)
        messages.success(request, f"{stream.name} deleted. Records already delivered stay where they are.")
        return redirect("event_streams:list", tenant_id)


class StreamTestView(StreamView):
    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        stream = self.stream(pk)
        result = stream_test(stream=stream)
        if result.ok:
            messages.success(request, f"Test record sent to {stream.name}: {result.message}.")
        else:
            messages.error(request, f"{stream.name} did not take the test record: {result.message}")
        return redirect("event_streams:list", tenant_id)
