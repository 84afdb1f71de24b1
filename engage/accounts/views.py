"""Single sign-on pages: the tenant admin's settings (with a test login) and the public "log in with SSO" form."""

from __future__ import annotations

from typing import Any

import requests
from allauth.socialaccount.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from engage.accounts.adapter import is_same_site_path
from engage.accounts.forms import SsoSettingsForm, SsoStartForm
from engage.accounts.selectors import saml_apps, sso_domains_for, sso_settings_for, tenant_for_domain
from engage.accounts.services import SSO_SETTINGS_FIELDS, sso_settings_update
from engage.accounts.sso import testlogin
from engage.accounts.sso.adapter import oidc_app_configured
from engage.accounts.sso.identity import OIDC, SAML
from engage.accounts.sso.idp import certificate_summary
from engage.accounts.sso.refusals import refusal_page
from engage.accounts.sso.saml import service_provider, sp_metadata
from engage.errors import DomainError
from engage.tenancy.models import Capability
from engage.tenancy.web import TenantView, form_error


class SsoSettingsView(TenantView):
    """How the tenant's members log in: providers, new members' role, the SAML IdP and what to tell it."""

    read_capability = Capability.MANAGE
    write_capability = Capability.MANAGE

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        sso = sso_settings_for(tenant=self.tenant)
        report = testlogin.test_report_pop(request, tenant=self.tenant)
        return self._render(SsoSettingsForm.for_settings(sso), report=report)

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        form = SsoSettingsForm.for_settings(sso_settings_for(tenant=self.tenant), data=request.POST)
        if form.is_valid():
            changes = {f: form.cleaned_data[f] for f in SSO_SETTINGS_FIELDS}
            try:
                sso_settings_update(tenant=self.tenant, by=self.actor, ip=self.ip, **changes)
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, "Single sign-on settings saved.")
                return redirect("sso:settings", tenant_id)
        return self._render(form, status=400)

    def _render(self, form: SsoSettingsForm, *, status: int = 200, report: Any = None) -> HttpResponse:
        sso = sso_settings_for(tenant=self.tenant)
        context = {
            "form": form,
            "tab": "sso",
            "sso": sso,
            "domains": sso_domains_for(tenant=self.tenant),
            "sp": service_provider(self.tenant),
            "certificate": certificate_summary(sso.saml_x509cert),
            "oidc_available": oidc_app_configured(),
            "oidc_callback": settings.PUBLIC_URL
            + reverse("openid_connect_callback", kwargs={"provider_id": settings.SSO_OIDC_PROVIDER_ID}),
            "report": report,
        }
        return render(self.request, "accounts/sso_settings.html", context, status=status)


class SsoTestView(TenantView):
    """POST kind=oidc|saml: a real login round trip that reports what the IdP sent and logs nobody in."""

    read_capability = Capability.MANAGE
    write_capability = Capability.MANAGE

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        kind = request.POST.get("kind")
        try:
            provider = self._provider(kind)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("sso:settings", tenant_id)
        try:
            return testlogin.test_login_start(request, tenant=self.tenant, kind=str(kind), provider=provider)
        except requests.RequestException:
            messages.error(request, "The identity provider could not be reached. Check its address and try again.")
            return redirect("sso:settings", tenant_id)

    def _provider(self, kind: str | None) -> Any:
        if not sso_domains_for(tenant=self.tenant):
            raise DomainError("Your team has no login domains yet: ask your Engage operator to add yours.")
        if kind == SAML:
            apps = saml_apps(public_id=self.tenant.public_id)
            if not apps:
                raise DomainError("Save your IdP's entity ID, SSO URL and certificate before testing SAML.")
            return apps[0].get_provider(self.request)
        if kind == OIDC and oidc_app_configured():
            return get_adapter().get_provider(self.request, settings.SSO_OIDC_PROVIDER_ID)
        raise DomainError("Google Workspace login is not set up on this Engage server; ask your operator.")

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponseRedirect:
        return redirect("sso:settings", tenant_id)


class SsoMetadataView(TenantView):
    """The SAML service provider metadata of this tenant, as a file for the IdP's admin console."""

    read_capability = Capability.MANAGE
    write_capability = Capability.MANAGE

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        response = HttpResponse(sp_metadata(self.tenant), content_type="application/samlmetadata+xml")
        response["Content-Disposition"] = f'attachment; filename="engage-sp-{tenant_id}.xml"'
        return response


class SsoStartView(View):
    """Log in with single sign-on: the work email's domain says which team, and so which IdP."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(SsoStartForm(initial={"next": request.GET.get("next", "")}))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SsoStartForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        email = form.cleaned_data["email"].lower()
        domain = email.rpartition("@")[2]
        next_url = form.cleaned_data["next"] if is_same_site_path(form.cleaned_data["next"]) else None
        tenant = tenant_for_domain(domain=domain)
        sso = sso_settings_for(tenant=tenant) if tenant is not None else None
        try:
            if sso is not None and sso.saml_enabled and sso.saml_configured:
                provider = saml_apps(public_id=sso.tenant.public_id)[0].get_provider(request)
                return provider.redirect(request, "login", next_url=next_url)  # type: ignore[no-any-return]
            if sso is not None and sso.oidc_enabled and oidc_app_configured():
                provider = get_adapter().get_provider(request, settings.SSO_OIDC_PROVIDER_ID)
                hints = {**provider.get_auth_params(), "login_hint": email, "hd": domain}
                return provider.redirect(request, "login", next_url=next_url, auth_params=hints)  # type: ignore[no-any-return]
        except requests.RequestException:
            return refusal_page(request, "provider_unreachable", status=502)
        message = (
            f"No team in Engage logs in with {domain} accounts through single sign-on. Log in with your password, "
            "or ask your admin."
        )
        form.add_error("email", message)
        return self._render(form, status=400)

    def _render(self, form: SsoStartForm, status: int = 200) -> HttpResponse:
        return render(self.request, "account/sso_start.html", {"form": form}, status=status)
