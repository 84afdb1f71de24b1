"""The suppression page under Channels: the list (search, filter, add, remove), CSV import and export, the
soft-bounce rule and the consent policy of each channel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from channels.suppression_forms import (
    CHANNEL_CHOICES,
    ConsentForm,
    DeliverabilityForm,
    SuppressionAddForm,
    SuppressionImportForm,
)
from engage.errors import DomainError
from engage.tenancy.models import Capability
from engage.tenancy.web import TenantView, form_error
from segments.models import SuppressedAddress
from segments.selectors import (
    consent_policies,
    count_capped,
    deliverability_policy_get,
    suppression_counts,
    suppressions_filter,
    suppressions_keyset,
)
from segments.services.policies import consent_policy_update, deliverability_policy_update
from segments.services.suppression import suppression_add, suppression_remove
from segments.services.suppression_io import ImportReport, suppression_export, suppression_import

PAGE_SIZE = 50
CHANNEL_FILTERS = [("ANY", "Every channel (rows without one)"), *CHANNEL_CHOICES[1:]]


def _cursor(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


class SuppressionView(TenantView):
    """The page and its forms; every POST goes to its own route and renders this page again on errors."""

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        request.nav_active = "channels:list"  # type: ignore[attr-defined]

    def filters(self) -> dict[str, str]:
        get = self.request.GET
        reason = get.get("reason", "")
        channel = get.get("channel", "")
        return {
            "q": get.get("q", "").strip()[:1024],
            "reason": reason if reason in SuppressedAddress.Reason.values else "",
            "channel": channel if channel in dict(CHANNEL_FILTERS) else "",
        }

    def page(self, status: int = 200, **forms: Any) -> HttpResponse:
        """The page, with the forms given (bound, showing their errors) and fresh ones for the others."""
        context = {
            **self._listing(),
            "add_form": forms.get("add_form") or SuppressionAddForm(),
            "import_form": forms.get("import_form") or SuppressionImportForm(),
            "report": forms.get("report"),
            "bounce_form": forms.get("bounce_form") or self._bounce_form(),
            "consent_form": forms.get("consent_form") or ConsentForm(policies=consent_policies(tenant=self.tenant)),
            "can_edit": self.can(Capability.EDIT),
            "can_manage": self.can(Capability.MANAGE),
            "can_export": self.can(Capability.EXPORT),
        }
        return render(self.request, "channels/suppression.html", context, status=status)

    def _listing(self) -> dict[str, Any]:
        filters = self.filters()
        queryset = suppressions_filter(tenant=self.tenant, **{k: v or None for k, v in filters.items()})
        total, more = count_capped(queryset)
        counts = suppression_counts(tenant=self.tenant)
        after, before = _cursor(self.request, "after"), _cursor(self.request, "before")
        return {
            "filters": filters,
            "filtered": any(filters.values()),
            "page": suppressions_keyset(queryset, after=after, before=before, size=PAGE_SIZE),
            "total": total,
            "more": more,
            "reasons": [(value, label, counts.get(value, 0)) for value, label in SuppressedAddress.Reason.choices],
            "channels": CHANNEL_FILTERS,
        }

    def _bounce_form(self) -> DeliverabilityForm:
        policy = deliverability_policy_get(tenant=self.tenant)
        return DeliverabilityForm(
            initial={
                "soft_bounce_threshold": policy.soft_bounce_threshold,
                "soft_bounce_window_days": policy.soft_bounce_window_days,
            }
        )


class SuppressionListView(SuppressionView):
    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        return self.page()

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        form = SuppressionAddForm(request.POST)
        if form.is_valid():
            try:
                row, created = suppression_add(
                    tenant=self.tenant, source="manual", by=self.actor, ip=self.ip, **form.cleaned_data
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                where = f" for {row.get_channel_display()}" if row.channel else ""
                if created:
                    messages.success(request, f"{row.address} is suppressed{where}: nothing will be sent to it.")
                else:
                    messages.info(request, f"{row.address} was already on the list{where}; it is unchanged.")
                return redirect("channels:suppression", tenant_id)
        return self.page(status=400, add_form=form)


class SuppressionRemoveView(SuppressionView):
    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        row = get_object_or_404(SuppressedAddress.objects.for_tenant(self.tenant), pk=pk)
        suppression_remove(tenant=self.tenant, suppression=row, by=self.actor, ip=self.ip)
        messages.success(request, f"{row.address} is off the list: messages to it go out again.")
        return redirect("channels:suppression", tenant_id)


class SuppressionImportView(SuppressionView):
    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        return redirect("channels:suppression", tenant_id)

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        form = SuppressionImportForm(request.POST, request.FILES)
        report: ImportReport | None = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = suppression_import(
                    tenant=self.tenant, data=upload.read(), filename=upload.name, by=self.actor, ip=self.ip
                )
            except DomainError as exc:
                form_error(form, exc)
        if report is None:
            return self.page(status=400, import_form=form)
        return self.page(report=report)


class SuppressionExportView(SuppressionView):
    read_capability = Capability.EXPORT

    def get(self, request: HttpRequest, tenant_id: str) -> StreamingHttpResponse:
        filters = self.filters()
        chunks = suppression_export(
            tenant=self.tenant, by=self.actor, ip=self.ip, **{k: v or None for k, v in filters.items()}
        )
        response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="suppressions-{self.tenant.public_id}.csv"'
        return response


class SoftBounceView(SuppressionView):
    write_capability = Capability.MANAGE

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        return redirect("channels:suppression", tenant_id)

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        form = DeliverabilityForm(request.POST)
        if form.is_valid():
            try:
                policy = deliverability_policy_update(
                    tenant=self.tenant, by=self.actor, ip=self.ip, **form.cleaned_data
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, f"Saved: {policy} suppress an address.")
                return redirect("channels:suppression", tenant_id)
        return self.page(status=400, bounce_form=form)


class ConsentView(SuppressionView):
    write_capability = Capability.MANAGE

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        return redirect("channels:suppression", tenant_id)

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        form = ConsentForm(request.POST, policies=consent_policies(tenant=self.tenant))
        if form.is_valid():
            changed = form.changes()
            for channel, require, applies in changed:
                consent_policy_update(
                    tenant=self.tenant,
                    channel=channel,
                    require_opt_in=require,
                    applies_to=applies,
                    by=self.actor,
                    ip=self.ip,
                )
            names = ", ".join(channel for channel, _, _ in changed)
            messages.success(request, f"Consent policy saved for {names}." if changed else "Nothing changed.")
            return redirect("channels:suppression", tenant_id)
        return self.page(status=400, consent_form=form)
