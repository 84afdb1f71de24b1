"""Test messages: the Test messaging page (any channel, a template or content written there) and the template
editor's "Send a test" panel. Both send through the transactional service with source TEST."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse

from channels.messaging_forms import TemplateTestForm, TestMessageForm, form_field_for
from channels.services.direct_content import TEMPLATE_KEYS
from channels.services.testsend import MAX_TEST_RECIPIENTS, messages_send_test, template_send_test
from engage.errors import DomainError
from engage.tenancy.models import Capability
from engage.tenancy.web import TenantView
from templates.models import Channel, MessageTemplate
from templates.selectors import template_for_tenant, templates_search


def result_rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per recipient of a MessageResponse, addresses first."""
    rows = [{"recipient": a, "kind": "address", **r} for a, r in (answer.get("Result") or {}).items()]
    for endpoint_id, r in (answer.get("EndpointResult") or {}).items():
        rows.append({"recipient": endpoint_id, "kind": "endpoint", **r})
    return rows


def _refusal(form: Any, exc: DomainError) -> None:
    name = form_field_for(exc.field)
    form.add_error(name if name in form.fields else None, exc.message)


class TestMessagesView(TenantView):
    """GET shows the form (the channel and template pickers re-render it); POST sends and shows the results."""

    read_capability = Capability.EDIT

    def _form(self, data: QueryDict | None) -> TestMessageForm:
        source = data if data is not None else self.request.GET
        channel = source.get("channel") or Channel.EMAIL
        channel = channel if channel in TEMPLATE_KEYS else Channel.EMAIL
        templates = list(templates_search(tenant=self.tenant, channel=channel, sort="name")[:500])
        chosen = next((t for t in templates if str(t.pk) == source.get("template")), None)
        versions: list[tuple[str, str]] = [("", "The active version")]
        if chosen is not None:
            active = chosen.active_version_id
            for number, pk in chosen.versions.order_by("-number").values_list("number", "pk"):
                versions.append((str(number), f"Version {number}{' (active)' if pk == active else ''}"))
        initial = {k: v for k, v in self.request.GET.items() if k != "csrfmiddlewaretoken"}
        form = TestMessageForm(data, initial=initial, templates=templates, versions=versions)
        # Changing these re-renders the form for the new choice (htmx GET with every value so far).
        rerender = {
            "hx-get": reverse("channels:test_messages", args=[self.tenant.public_id]),
            "hx-include": "closest form",
            "hx-target": "#test-form",
            "hx-select": "#test-form",
            "hx-swap": "outerHTML",
        }
        for name in ("channel", "to_kind", "mode", "template"):
            form.fields[name].widget.attrs.update(rerender)
        return form

    def _page(self, form: TestMessageForm, answer: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "channel": form.channel_value,
            "answer": answer,
            "rows": result_rows(answer) if answer else [],
            "limit": MAX_TEST_RECIPIENTS,
            "channel_label": Channel(form.channel_value).label,
        }
        return render(self.request, "channels/test_messages.html", context, status=status)

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        return self._page(self._form(None))

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            try:
                answer = messages_send_test(tenant=self.tenant, request=form.message_request(), by=self.actor)
            except DomainError as exc:
                _refusal(form, exc)
            else:
                return self._page(form, answer)
        return self._page(form, status=400)


class TemplateTestSendView(TenantView):
    """POST from the template editor: send the version on screen to ≤ 15 recipients; answers an HTML fragment."""

    read_capability = Capability.EDIT

    def template(self, pk: int) -> MessageTemplate:
        template = template_for_tenant(tenant=self.tenant, pk=pk)
        if template is None:
            raise Http404("no such template")
        return template

    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        template = self.template(pk)
        form = TemplateTestForm(request.POST, template=template)
        answer = None
        if form.is_valid():
            addresses, endpoint_ids = form.recipient_lists()
            try:
                answer = template_send_test(
                    template=template,
                    by=self.actor,
                    addresses=addresses,
                    endpoint_ids=endpoint_ids,
                    version=form.cleaned_data.get("version") or None,
                    channel_type=form.cleaned_data.get("push_type") or "",
                )
            except DomainError as exc:
                _refusal(form, exc)
        context = {"form": form, "answer": answer, "rows": result_rows(answer) if answer else [], "template": template}
        # A fragment for the editor's panel (htmx swaps only 2xx answers, so errors come back as 200 too).
        return render(request, "channels/_template_test_result.html", context)
