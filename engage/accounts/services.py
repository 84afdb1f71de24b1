"""Writes for single sign-on: operators' domains, tenant admins' settings, and provisioning at login."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from engage import clock
from engage.accounts.models import SsoDomain, SsoSettings, User
from engage.accounts.models.sso import JIT_ROLES, domain_validator
from engage.accounts.selectors import Admission, sso_domains_for, sso_settings_for
from engage.accounts.sso.identity import SsoIdentity
from engage.accounts.sso.idp import certificate_summary, idp_metadata_import, normalize_certificate
from engage.errors import Conflict, Invalid, NotFound
from engage.tenancy.audit import Actor, audit
from engage.tenancy.models import Membership, Tenant

SSO_SETTINGS_FIELDS = (
    "oidc_enabled",
    "saml_enabled",
    "sso_required",
    "default_role",
    "group_roles",
    "saml_entity_id",
    "saml_sso_url",
    "saml_x509cert",
    "saml_metadata_url",
    "saml_allow_idp_initiated",
    "saml_attr_email",
    "saml_attr_first_name",
    "saml_attr_last_name",
    "saml_attr_groups",
)
_JIT_ROLE_VALUES = [value for value, _ in JIT_ROLES]


def _normalize_domain(domain: str) -> str:
    value = domain.strip().lower().removeprefix("@")
    try:
        domain_validator(value)
    except ValidationError as exc:
        raise Invalid(exc.messages[0], field="domain") from None
    return value


@transaction.atomic
def sso_domain_add(*, tenant: Tenant, domain: str, by: Actor, ip: str | None = None) -> SsoDomain:
    """Give a tenant an email domain (operators only): its people may then log in to it through SSO."""
    value = _normalize_domain(domain)
    owner = SsoDomain.objects.filter(domain=value).select_related("tenant").first()
    if owner is not None:
        where = "this tenant" if owner.tenant_id == tenant.pk else f"another tenant ({owner.tenant.public_id})"
        raise Conflict(f"{value} already belongs to {where}", field="domain")
    try:
        with transaction.atomic():
            row = SsoDomain.objects.create(tenant=tenant, domain=value)
    except IntegrityError:
        raise Conflict(f"{value} already belongs to another tenant", field="domain") from None
    audit(tenant=tenant, actor=by, action="sso.domain.add", target=row, data={"domain": value}, ip=ip)
    return row


@transaction.atomic
def sso_domain_remove(*, tenant: Tenant, domain: str, by: Actor, ip: str | None = None) -> None:
    """Take a domain from a tenant: its people can no longer log in to it through SSO."""
    row = SsoDomain.objects.filter(tenant=tenant, domain=domain.strip().lower()).first()
    if row is None:
        raise NotFound(f"{domain} is not a domain of {tenant.name}", field="domain")
    audit(tenant=tenant, actor=by, action="sso.domain.remove", target=row, data={"domain": row.domain}, ip=ip)
    row.delete()


def _clean_group_roles(value: Any) -> list[list[str]]:
    if not isinstance(value, list) or len(value) > 200:
        raise Invalid("give at most 200 group = role lines", field="group_roles")
    out = []
    for pair in value:
        group, role = (str(pair[0]).strip(), str(pair[1]).strip()) if len(pair) == 2 else ("", "")
        if not group or len(group) > 255:
            raise Invalid("each line needs a group name (up to 255 characters), then = and a role", field="group_roles")
        if role not in _JIT_ROLE_VALUES:
            raise Invalid(f"{role!r} is not a role; use one of {', '.join(_JIT_ROLE_VALUES)}", field="group_roles")
        out.append([group, role])
    return out


def _clean_saml(sso: SsoSettings, before_url: str) -> None:
    if sso.saml_metadata_url and (sso.saml_metadata_url != before_url or not sso.saml_configured):
        for field, value in idp_metadata_import(sso.saml_metadata_url).items():
            setattr(sso, field, value)
    if sso.saml_x509cert:
        sso.saml_x509cert = normalize_certificate(sso.saml_x509cert)
    parts = [sso.saml_entity_id, sso.saml_sso_url, sso.saml_x509cert]
    if any(parts) and not all(parts):
        missing = ["saml_entity_id", "saml_sso_url", "saml_x509cert"][[bool(p) for p in parts].index(False)]
        raise Invalid("give the IdP's entity ID, SSO URL and certificate together (or a metadata URL)", field=missing)


def _check_enabling(sso: SsoSettings, *, by: Actor) -> None:
    from engage.accounts.sso.adapter import oidc_app_configured

    domains = sso_domains_for(tenant=sso.tenant)
    if (sso.oidc_enabled or sso.saml_enabled) and not domains:
        raise Invalid("your team has no login domains yet: ask your Engage operator to add yours", field="oidc_enabled")
    if sso.oidc_enabled and not oidc_app_configured():
        raise Invalid(
            "Google Workspace login is not set up on this Engage server; ask your operator", field="oidc_enabled"
        )
    if sso.saml_enabled and not sso.saml_configured:
        raise Invalid(
            "enter your IdP's entity ID, SSO URL and certificate before turning SAML on", field="saml_enabled"
        )
    if sso.sso_required and not (sso.oidc_enabled or sso.saml_enabled):
        raise Invalid("turn on Google Workspace or SAML login before requiring single sign-on", field="sso_required")
    own = by.email.rpartition("@")[2] if isinstance(by, User) else None
    if sso.sso_required and isinstance(by, User) and not by.is_staff and own not in domains:
        raise Invalid(
            f"requiring SSO would lock you out: {own} is not one of your team's domains", field="sso_required"
        )


def _audit_value(field: str, value: Any) -> Any:
    if field == "saml_x509cert":
        summary = certificate_summary(value) if value else None
        return summary.sha256 if summary else ""
    return value


@transaction.atomic
def sso_settings_update(*, tenant: Tenant, by: Actor, ip: str | None = None, **changes: Any) -> SsoSettings:
    """Change how a tenant's members log in; the IdP details are checked (and fetched from a metadata URL)."""
    unknown = set(changes) - set(SSO_SETTINGS_FIELDS)
    if unknown:
        raise Invalid(f"unknown setting {sorted(unknown)[0]!r}", field=sorted(unknown)[0])
    sso = sso_settings_for(tenant=tenant)
    if sso.pk:
        sso = SsoSettings.objects.select_for_update().select_related("tenant").get(pk=sso.pk)
    before = {f: _audit_value(f, getattr(sso, f)) for f in SSO_SETTINGS_FIELDS}
    before_url = sso.saml_metadata_url
    for field, value in changes.items():
        setattr(sso, field, value.strip() if isinstance(value, str) else value)
    if sso.default_role not in _JIT_ROLE_VALUES:
        raise Invalid(f"new members can be {', '.join(_JIT_ROLE_VALUES)}", field="default_role")
    sso.group_roles = _clean_group_roles(sso.group_roles)
    _clean_saml(sso, before_url)
    _check_enabling(sso, by=by)
    try:
        sso.full_clean(exclude=["tenant"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise Invalid(" ".join(messages), field=None if field == "__all__" else field) from None
    sso.save()
    after = {f: _audit_value(f, getattr(sso, f)) for f in SSO_SETTINGS_FIELDS}
    diff = {f: [before[f], after[f]] for f in SSO_SETTINGS_FIELDS if before[f] != after[f]}
    if diff:
        audit(tenant=tenant, actor=by, action="sso.settings", target=tenant, data={"changes": diff}, ip=ip)
    return sso


def _person(identity: SsoIdentity, user: User | None) -> User:
    if user is None:
        # No usable password: this person logs in through their IdP.
        return User.objects.create_user(
            email=identity.email, first_name=identity.first_name, last_name=identity.last_name
        )
    if not (user.first_name or user.last_name) and (identity.first_name or identity.last_name):
        user.first_name, user.last_name = identity.first_name, identity.last_name
        user.save(update_fields=["first_name", "last_name"])
    return user


@transaction.atomic
def sso_provision(*, admission: Admission, identity: SsoIdentity, ip: str | None = None) -> Membership:
    """Let an admitted person in: their login and membership on first use, their groups' role afterwards."""
    tenant, via = admission.tenant, f"sso:{identity.kind}"
    assert tenant is not None and admission.admitted and admission.role is not None
    user = _person(identity, admission.user)
    membership = admission.membership
    if membership is None:
        membership = Membership.objects.create(tenant=tenant, user=user, role=admission.role)
        data = {"email": user.email, "role": admission.role, "via": via, "groups": list(identity.groups)}
        audit(tenant=tenant, actor=user, action="member.add", target=membership, data=data, ip=ip)
    elif membership.role != admission.role:
        data = {"email": user.email, "from": membership.role, "to": admission.role, "via": via}
        membership.role = admission.role
        membership.save(update_fields=["role"])
        audit(tenant=tenant, actor=user, action="member.role", target=membership, data=data, ip=ip)
    # The landing page follows the tenant someone last used: this one.
    Membership.objects.filter(pk=membership.pk).update(last_used_at=clock.now())
    return membership


def sso_refusal_record(*, admission: Admission, identity: SsoIdentity, ip: str | None = None) -> None:
    """Note in the tenant's audit log that its IdP vouched for someone Engage did not let in."""
    if admission.tenant is None:
        return
    data = {"code": admission.refusal, "via": f"sso:{identity.kind}", "email": identity.email}
    audit(tenant=admission.tenant, actor=identity.email or "unknown", action="sso.refused", data=data, ip=ip)
