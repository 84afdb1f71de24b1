"""Each tenant's SAML identity provider, plugged into allauth's SAML provider with Engage's strict settings.

Signed assertions are required (the whole response may be signed too), SHA-1 is refused, IdP-initiated logins
are refused unless the tenant allows them, and an assertion is accepted once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from onelogin.saml2.constants import OneLogin_Saml2_Constants as Saml
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from engage import clock
from engage.accounts.models import SsoSettings, TenantSamlApp
from engage.accounts.sso.refusals import refusal_page
from engage.tenancy.models import Tenant

EMAIL_NAMEID = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
# Names the common IdPs use, tried after the tenant's own (Azure/ADFS claims, LDAP OIDs).
FALLBACK_ATTRIBUTES = {
    "email": [
        "urn:oid:0.9.2342.19200300.100.1.3",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    ],
    "first_name": ["urn:oid:2.5.4.42", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"],
    "last_name": ["urn:oid:2.5.4.4", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"],
}
SUBJECT_MAX_LENGTH = 191  # allauth's SocialAccount.uid
TEST_KEY = "sso_test"


@dataclass(frozen=True)
class ServiceProvider:
    """What a tenant admin pastes into their IdP (Google Workspace admin console, Okta, Entra ID...)."""

    entity_id: str
    acs_url: str
    metadata_url: str
    login_url: str
    name_id_format: str = EMAIL_NAMEID


def provider_id(tenant: Tenant) -> str:
    """The allauth provider id of the tenant's IdP: a person's SAML identity is unique within one tenant only."""
    return f"saml-{tenant.public_id}"


def service_provider(tenant: Tenant) -> ServiceProvider:
    base, org = settings.PUBLIC_URL, [tenant.public_id]
    return ServiceProvider(
        entity_id=base + reverse("saml_metadata", args=org),
        acs_url=base + reverse("saml_acs", args=org),
        metadata_url=base + reverse("saml_metadata", args=org),
        login_url=base + reverse("saml_login", args=org),
    )


def attribute_mapping(sso: SsoSettings) -> dict[str, list[str]]:
    own = {"email": sso.saml_attr_email, "first_name": sso.saml_attr_first_name, "last_name": sso.saml_attr_last_name}
    return {key: [name for name in [own[key], *FALLBACK_ATTRIBUTES[key]] if name] for key in own}


def _advanced(sso: SsoSettings) -> dict[str, Any]:
    return {
        "strict": True,
        "want_assertion_signed": True,
        "want_message_signed": False,  # Google signs the assertion; a signed response on top is checked too
        "reject_deprecated_algorithm": True,
        "signature_algorithm": Saml.RSA_SHA256,
        "digest_algorithm": Saml.SHA256,
        "reject_idp_initiated_sso": not sso.saml_allow_idp_initiated,
        "want_attribute_statement": False,  # the email may come as the NameID alone
        "allow_single_label_domains": True,  # IdPs on an intranet host name (or 127.0.0.1 in the tests)
        "name_id_format": EMAIL_NAMEID,
    }


def tenant_app(sso: SsoSettings) -> TenantSamlApp:
    """The allauth app of a tenant whose IdP is configured (never saved: SsoSettings is the record)."""
    tenant = sso.tenant
    app = TenantSamlApp(
        provider=SAMLProvider.id,
        provider_id=provider_id(tenant),
        client_id=tenant.public_id,
        name=f"{tenant.name} SAML"[:40],
        settings={
            "attribute_mapping": attribute_mapping(sso),
            "idp": {"entity_id": sso.saml_entity_id, "sso_url": sso.saml_sso_url, "x509cert": sso.saml_x509cert},
            "sp": {"entity_id": service_provider(tenant).entity_id},
            "advanced": _advanced(sso),
        },
    )
    app.sso, app.tenant = sso, tenant
    return app


def sp_metadata(tenant: Tenant) -> str:
    """The service provider metadata XML of a tenant (also served by allauth once the IdP is configured)."""
    sp = service_provider(tenant)
    config = {
        "strict": True,
        "sp": {
            "entityId": sp.entity_id,
            "assertionConsumerService": {"url": sp.acs_url, "binding": Saml.BINDING_HTTP_POST},
            "NameIDFormat": sp.name_id_format,
        },
        "security": {"wantAssertionsSigned": True, "allowSingleLabelDomains": True},
    }
    metadata = OneLogin_Saml2_Settings(settings=config, sp_validation_only=True).get_sp_metadata()
    return metadata.decode() if isinstance(metadata, bytes) else str(metadata)


def error_detail(reason: str) -> str:
    """python3-saml's reason for refusing a response, said for the person who has to fix it."""
    lowered = reason.lower()
    if "deprecated" in lowered:
        return "it is signed with SHA-1; Engage accepts SHA-256 signatures only."
    if "signature" in lowered or "not signed" in lowered or "signed" in lowered:
        return "its signature does not match the certificate configured for your team (or it is not signed)."
    if "expired" in lowered or "timestamp" in lowered or "notonorafter" in lowered or "not valid" in lowered:
        return "it has expired. Check that your identity provider's clock is right, then try again."
    if "subjectconfirmation" in lowered:
        return "it has expired, or it was issued for another address than this team's ACS URL."
    if "audience" in lowered:
        return "it was issued for another service, not for this Engage team."
    if "destination" in lowered or "recipient" in lowered or "received at" in lowered:
        return "it was sent to another address than this team's ACS URL."
    if "issuer" in lowered:
        return "it comes from another identity provider than the one configured for your team."
    return "it is not a valid SAML response."


class TenantSAMLProvider(SAMLProvider):
    """allauth's SAML provider bound to one tenant: login only when enabled, each assertion used once."""

    app: TenantSamlApp

    def redirect(
        self, request: HttpRequest, process: str, next_url: str | None = None, data: Any = None, **kwargs: Any
    ) -> HttpResponse:
        testing = isinstance(data, dict) and data.get(TEST_KEY) == self.app.tenant.public_id
        if not self.app.sso.saml_enabled and not testing:
            raise ImmediateHttpResponse(refusal_page(request, "saml_disabled", tenant=self.app.tenant.name))
        return super().redirect(request, process, next_url=next_url, data=data, **kwargs)  # type: ignore[no-any-return]

    def extract_uid(self, data: Any) -> str:
        uid = super().extract_uid(data) or ""
        if not uid:
            emails = [
                v for name in attribute_mapping(self.app.sso)["email"] for v in data.get_attributes().get(name, [])
            ]
            uid = emails[0] if emails else ""
        if not uid or len(uid) > SUBJECT_MAX_LENGTH:
            raise ImmediateHttpResponse(refusal_page(self.request, "no_subject"))
        return str(uid)

    def sociallogin_from_response(self, request: HttpRequest, response: Any) -> Any:
        self._use_assertion_once(request, response)
        return super().sociallogin_from_response(request, response)

    def _use_assertion_once(self, request: HttpRequest, response: Any) -> None:
        assertion_id = response.get_last_assertion_id() or response.get_last_message_id()
        not_after = response.get_last_assertion_not_on_or_after()
        now = clock.now().timestamp()
        ttl = int(max(timedelta(days=1).total_seconds(), (not_after or now) - now + 300))
        if not cache.add(f"sso:saml-assertion:{self.app.tenant.public_id}:{assertion_id}", 1, ttl):
            raise ImmediateHttpResponse(refusal_page(request, "saml_replayed"))

    def unstash_redirect_state(self, request: HttpRequest, state_id: str) -> dict[str, Any]:
        try:
            return super().unstash_redirect_state(request, state_id)  # type: ignore[no-any-return]
        except PermissionDenied:
            # No login with this request id was started in this browser session, or it was used already.
            raise ImmediateHttpResponse(refusal_page(request, "saml_unsolicited")) from None
