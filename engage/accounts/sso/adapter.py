"""allauth's social-login hooks: tenants' SAML apps, the domain and membership checks, provisioning and errors."""

from __future__ import annotations

import logging
from typing import Any

import requests
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter, get_adapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthError, AuthProcess
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from engage.accounts.selectors import Admission, saml_apps, sso_admission
from engage.accounts.services import sso_provision, sso_refusal_record
from engage.accounts.sso import testlogin
from engage.accounts.sso.identity import OIDC, SAML, SsoIdentity, oidc_identity, saml_identity
from engage.accounts.sso.refusals import refusal_page
from engage.accounts.sso.saml import TEST_KEY, error_detail
from engage.tenancy.models import Tenant
from engage.tenancy.netaddr import client_ip

logger = logging.getLogger(__name__)


def oidc_app_configured() -> bool:
    """Whether this server has its OpenID Connect app (Google) set up (SSO_OIDC_CLIENT_ID)."""
    return bool(get_adapter().list_apps(None, provider=settings.SSO_OIDC_PROVIDER_ID))


def _identity(sociallogin: SocialLogin) -> tuple[SsoIdentity, Tenant | None]:
    provider = sociallogin.provider
    if provider.id != "saml":
        return oidc_identity(sociallogin.account.extra_data or {}), None
    sso = provider.app.sso
    identity = saml_identity(
        name_id=sociallogin.account.uid,
        attributes=dict(sociallogin.account.extra_data or {}),
        mapping=provider.app.settings["attribute_mapping"],
        groups=sso.saml_attr_groups,
    )
    return identity, provider.app.tenant


def _refuse(request: HttpRequest, admission: Admission, identity: SsoIdentity) -> ImmediateHttpResponse:
    sso_refusal_record(admission=admission, identity=identity, ip=client_ip(request))
    tenant = admission.tenant.name if admission.tenant else ""
    domain = identity.hosted_domain or identity.email_domain
    code = admission.refusal or "provider_error"
    return ImmediateHttpResponse(refusal_page(request, code, email=identity.email, domain=domain, tenant=tenant))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request: HttpRequest | None, provider: str | None = None, client_id: str | None = None) -> Any:
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        if provider != "saml" and not (provider or "").startswith("saml-"):
            return apps
        # SAML apps exist only as tenants' settings (never as SocialApp rows, which would skip Engage's checks).
        apps = [app for app in apps if app.provider != "saml"]
        if provider == "saml":
            return apps + saml_apps(public_id=client_id)
        return apps + [app for app in saml_apps(provider_id=provider) if client_id in (None, app.client_id)]

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        identity, tenant = _identity(sociallogin)
        testing = (sociallogin.state.get("data") or {}).get(TEST_KEY)
        existing = sociallogin.user if sociallogin.is_existing else None
        admission = sso_admission(identity=identity, tenant=tenant, user=existing, testing=testing)
        if testing:
            raise ImmediateHttpResponse(
                testlogin.test_login_report(request, tenant_id=testing, identity=identity, admission=admission)
            )
        if sociallogin.state.get("process", AuthProcess.LOGIN) != AuthProcess.LOGIN:
            raise ImmediateHttpResponse(refusal_page(request, "not_login"))
        if not admission.admitted or admission.tenant is None:
            raise _refuse(request, admission, identity)
        membership = sso_provision(admission=admission, identity=identity, ip=client_ip(request))
        if not sociallogin.is_existing:
            sociallogin.connect(request, membership.user)
        # allauth has kept a safe ?next= in the state; without one, the campaign screen of this tenant.
        if not sociallogin.state.get("next"):
            sociallogin.state["next"] = reverse("campaigns:list", args=[admission.tenant.public_id])

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        kind = SAML if provider.id == "saml" else OIDC
        extra = extra_context or {}
        if kind == SAML:
            reason = str(extra.get("saml_last_error_reason") or "")
            code, detail = (
                ("saml_invalid", error_detail(reason)) if extra.get("saml_errors") else ("saml_unsolicited", "")
            )
        elif isinstance(exception, requests.RequestException):
            code, detail, reason = "provider_unreachable", "", str(exception)
        elif exception is not None:
            code, detail, reason = "provider_error", "its answer could not be verified", repr(exception)
        else:
            answer = ": ".join(filter(None, [request.GET.get("error"), request.GET.get("error_description")]))
            code, reason = "provider_error", answer or str(error)
            detail = f"it answered “{answer[:200]}”" if answer else "it gave no answer"
        logger.warning("single sign-on refused (%s %s): %s", provider.id, code, reason)
        tenant_id = testlogin.pending_test(request, kind=kind)
        if tenant_id and (kind == OIDC or provider.app.client_id == tenant_id):
            raise ImmediateHttpResponse(
                testlogin.test_login_failed(request, tenant_id=tenant_id, kind=kind, code=code, detail=detail)
            )
        if error == AuthError.CANCELLED:
            return  # allauth shows its "login cancelled" page
        raise ImmediateHttpResponse(refusal_page(request, code, status=401, detail=detail))

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # People arrive through pre_social_login's provisioning, never through allauth's sign-up form.
        return False
