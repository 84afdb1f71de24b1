"""Reads for single sign-on: whose domain is whose, each tenant's settings, and who may come in."""

from __future__ import annotations

from dataclasses import dataclass

from engage.accounts.models import SsoDomain, SsoSettings, TenantSamlApp, User
from engage.accounts.sso.identity import OIDC, SsoIdentity
from engage.tenancy.models import MemberRemoval, Membership, Role, Tenant

# Strongest first: a person in several mapped groups gets the strongest of their roles.
ROLE_STRENGTH = [Role.ADMIN, Role.MARKETER, Role.ANALYST, Role.VIEWER]


def sso_settings_for(*, tenant: Tenant) -> SsoSettings:
    """The tenant's SSO settings (defaults, unsaved, when an admin never saved them)."""
    found = SsoSettings.objects.filter(tenant=tenant).select_related("tenant").first()
    return found if found is not None else SsoSettings(tenant=tenant)


def sso_domains_for(*, tenant: Tenant) -> list[str]:
    return list(SsoDomain.objects.filter(tenant=tenant).values_list("domain", flat=True))


def tenant_for_domain(*, domain: str) -> Tenant | None:
    """The tenant an email domain belongs to, if an operator gave it to one."""
    found = SsoDomain.objects.filter(domain=domain.strip().lower()).select_related("tenant").first()
    return found.tenant if found is not None else None


def saml_apps(*, public_id: str | None = None, provider_id: str | None = None) -> list[TenantSamlApp]:
    """allauth apps of the tenants whose SAML IdP is configured, narrowed to one tenant (by id or provider id)."""
    from engage.accounts.sso.saml import tenant_app

    if provider_id is not None:
        public_id = provider_id.removeprefix("saml-") if provider_id.startswith("saml-") else None
    if not public_id:
        return []
    sso = SsoSettings.objects.filter(tenant__public_id=public_id).select_related("tenant").first()
    return [tenant_app(sso)] if sso is not None and sso.saml_configured else []


def sso_required_tenants(*, user: User) -> list[Tenant]:
    """The tenants of `user` that require single sign-on (operators are never held to it)."""
    if user.is_staff:
        return []
    tenant_ids = Membership.objects.filter(user=user).values("tenant_id")
    rows = SsoSettings.objects.filter(tenant_id__in=tenant_ids, sso_required=True).select_related("tenant")
    return [row.tenant for row in rows]


def role_for_groups(*, sso: SsoSettings, groups: tuple[str, ...]) -> str | None:
    """The strongest role the tenant maps any of these groups to (None: no group is mapped)."""
    wanted = {g.strip().lower() for g in groups}
    roles = {role for group, role in sso.group_roles if group.strip().lower() in wanted}
    return next((role for role in ROLE_STRENGTH if role in roles), None)


@dataclass(frozen=True)
class Admission:
    """The verdict on a single sign-on login: a refusal code, or the tenant, person and role it leads to."""

    tenant: Tenant | None
    refusal: str | None = None
    user: User | None = None
    membership: Membership | None = None
    role: str | None = None

    @property
    def admitted(self) -> bool:
        return self.refusal is None


def _refuse(code: str, tenant: Tenant | None = None) -> Admission:
    return Admission(tenant=tenant, refusal=code)


def sso_admission(
    *, identity: SsoIdentity, tenant: Tenant | None, user: User | None, testing: str | None = None
) -> Admission:
    """Decide whether an IdP-vouched identity may enter a tenant, and as whom (reads only; provisioning writes).

    `testing` names the tenant whose admin runs a test login: its providers count as on.
    """
    if identity.kind == OIDC:
        if not identity.hosted_domain:
            return _refuse("no_workspace")
        tenant = tenant_for_domain(domain=identity.hosted_domain)
    if tenant is None:
        return _refuse("unknown_domain")
    if not identity.email:
        return _refuse("no_email", tenant)
    if not identity.email_verified:
        return _refuse("unverified", tenant)
    if identity.email_domain not in sso_domains_for(tenant=tenant):
        return _refuse("domain", tenant)
    sso = sso_settings_for(tenant=tenant)
    enabled = sso.oidc_enabled if identity.kind == OIDC else sso.saml_enabled
    if not enabled and testing != tenant.public_id:
        return _refuse(f"{identity.kind}_disabled", tenant)
    return _person_admission(identity=identity, tenant=tenant, sso=sso, user=user)


def _person_admission(*, identity: SsoIdentity, tenant: Tenant, sso: SsoSettings, user: User | None) -> Admission:
    if user is not None and user.email.lower() != identity.email:
        return _refuse("email_changed", tenant)
    user = user or User.objects.filter(email__iexact=identity.email).first()
    if user is not None and (user.is_staff or user.is_superuser):
        return _refuse("operator", tenant)
    if user is not None and not user.is_active:
        return _refuse("inactive", tenant)
    membership = Membership.objects.filter(tenant=tenant, user=user).first() if user is not None else None
    if membership is None and MemberRemoval.objects.filter(tenant=tenant, email=identity.email).exists():
        return _refuse("removed", tenant)
    mapped = role_for_groups(sso=sso, groups=identity.groups)
    if membership is not None:
        role = mapped if mapped and membership.role != Role.OWNER else membership.role
    else:
        role = mapped or sso.default_role
    return Admission(tenant=tenant, user=user, membership=membership, role=role)
