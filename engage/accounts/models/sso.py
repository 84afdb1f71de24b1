"""Single sign-on per tenant: the Workspace domains operators give it and the settings its admins choose."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialApp
from django.core.validators import RegexValidator
from django.db import models
from django.http import HttpRequest

from engage.tenancy.models import Role, Tenant, TenantScopedModel

domain_validator = RegexValidator(
    r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$",
    "Enter a domain name such as acme.com (lower case, no @, no http://).",
)

# Single sign-on never makes anyone an owner on its own: owners are made by owners.
JIT_ROLES = [choice for choice in Role.choices if choice[0] != Role.OWNER]


class SsoDomain(TenantScopedModel):
    """An email domain whose people log in to this tenant; a domain belongs to one tenant only."""

    domain = models.CharField(max_length=253, unique=True, validators=[domain_validator])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        verbose_name = "SSO domain"

    def __str__(self) -> str:
        return self.domain


class SsoSettings(TenantScopedModel):
    """How a tenant's members log in: providers, just-in-time provisioning and its SAML identity provider."""

    oidc_enabled = models.BooleanField("Google Workspace (OpenID Connect)", default=False)
    saml_enabled = models.BooleanField("SAML", default=False)
    sso_required = models.BooleanField(
        "Require single sign-on",
        default=False,
        help_text="Members can no longer log in with a password; operators keep their local logins.",
    )
    default_role = models.CharField(
        "Role of new members",
        max_length=16,
        choices=JIT_ROLES,
        default=Role.VIEWER,
        help_text="People from your domains who log in for the first time become members with this role.",
    )
    # [[group, role], ...]: the strongest role of the groups someone is in wins.
    group_roles = models.JSONField(default=list, blank=True)
    saml_entity_id = models.CharField("IdP entity ID", max_length=1024, blank=True)
    saml_sso_url = models.URLField("IdP SSO URL", max_length=2048, blank=True)
    saml_x509cert = models.TextField("IdP certificate", blank=True)
    saml_metadata_url = models.URLField("IdP metadata URL", max_length=2048, blank=True)
    saml_allow_idp_initiated = models.BooleanField(
        "Allow IdP-initiated login",
        default=False,
        help_text="Accept logins started from the IdP's app launcher. Off, every login starts at Engage.",
    )
    saml_attr_email = models.CharField("Email attribute", max_length=255, default="email")
    saml_attr_first_name = models.CharField("First name attribute", max_length=255, blank=True, default="first_name")
    saml_attr_last_name = models.CharField("Last name attribute", max_length=255, blank=True, default="last_name")
    saml_attr_groups = models.CharField("Groups attribute", max_length=255, blank=True, default="groups")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SSO settings"
        verbose_name_plural = "SSO settings"
        constraints = [models.UniqueConstraint(fields=["tenant"], name="sso_settings_one_per_tenant")]

    def __str__(self) -> str:
        return f"SSO of {self.tenant}"

    @property
    def saml_configured(self) -> bool:
        return bool(self.saml_entity_id and self.saml_sso_url and self.saml_x509cert)


class TenantSamlApp(SocialApp):
    """A tenant's SAML IdP as allauth sees it: built in memory from SsoSettings, never saved."""

    sso: SsoSettings
    tenant: Tenant

    class Meta:
        proxy = True

    def get_provider(self, request: HttpRequest) -> Any:
        from engage.accounts.sso.saml import TenantSAMLProvider

        return TenantSAMLProvider(request=request, app=self)
