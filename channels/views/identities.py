"""Console pages for the SES identities of an `ses` config: add (SES starts verifying), refresh, delete."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from channels.models import ChannelConfig, EmailIdentity, Provider
from channels.services.identities import (
    dkim_records,
    from_address_verified,
    identity_create,
    identity_delete,
    identity_refresh,
)
from channels.views.configs import ConfigView, show_error
from engage.errors import DomainError
from engage.tenancy.models import Capability


class IdentityForm(forms.Form):
    identity = forms.CharField(
        label="Email address or domain",
        max_length=320,
        widget=forms.TextInput(attrs={"placeholder": "example.com or news@example.com"}),
        help_text="A domain is verified by three DKIM CNAME records; an address by the link SES mails to it.",
    )


class IdentitiesView(ConfigView):
    """The identities of one SES config, their verification and DKIM status, and the CNAMEs to publish."""

    def ses_config(self, pk: int) -> ChannelConfig:
        config = self.config(pk)
        if config.provider != Provider.SES:
            raise Http404("only Amazon SES configs have email identities")
        return config

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        return self._render(self.ses_config(pk), IdentityForm())

    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        config = self.ses_config(pk)
        form = IdentityForm(request.POST)
        if form.is_valid():
            try:
                row = identity_create(config=config, by=self.actor, ip=self.ip, identity=form.cleaned_data["identity"])
            except DomainError as exc:
                show_error(form, exc)
            else:
                if row.kind == EmailIdentity.Kind.DOMAIN:
                    messages.success(request, f"{row.identity} added: publish the DKIM records below, then refresh.")
                else:
                    messages.success(request, f"{row.identity} added: SES mailed it a verification link (valid 24 h).")
                return redirect("channels:identities", tenant_id, config.pk)
        return self._render(config, form, status=400)

    def _render(self, config: ChannelConfig, form: IdentityForm, status: int = 200) -> HttpResponse:
        identities = [(i, dkim_records(i)) for i in EmailIdentity.objects.filter(config=config)]
        address = str(config.setting("from_address", ""))
        context = {
            "config": config,
            "form": form,
            "identities": identities,
            "from_address": address,
            "from_verified": bool(address) and from_address_verified(config=config, address=address),
            "can_manage": self.can(Capability.MANAGE),
        }
        return render(self.request, "channels/identities.html", context, status=status)


class IdentityView(ConfigView):
    def identity(self, pk: int) -> EmailIdentity:
        rows = EmailIdentity.objects.for_tenant(self.tenant).select_related("config")
        return get_object_or_404(rows, pk=pk)


class IdentityRefreshView(IdentityView):
    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        identity = self.identity(pk)
        try:
            identity = identity_refresh(identity=identity)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            state = "verified" if identity.verified else f"not verified yet ({identity.verification_status})"
            messages.success(request, f"{identity.identity} is {state}.")
        return redirect("channels:identities", tenant_id, identity.config_id)


class IdentityDeleteView(IdentityView):
    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        identity = self.identity(pk)
        try:
            identity_delete(identity=identity, by=self.actor, ip=self.ip)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{identity.identity} deleted here and in SES.")
        return redirect("channels:identities", tenant_id, identity.config_id)
