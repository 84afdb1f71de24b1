"""Reads for tenancy: who may act in which tenant, and API key verification."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import F, QuerySet

from engage import clock
from engage.accounts.models import User
from engage.errors import NotFound, NotPermitted
from engage.tenancy.models import ApiKey, Membership, Tenant
from engage.tenancy.netaddr import in_networks

PUBLIC_ID_RE = re.compile(r"^[0-9a-f]{32}$")
_LAST_USED_EVERY = 60  # seconds; last-used is a hint, not worth a write per request


@dataclass(frozen=True)
class Access:
    """What the caller may do in one tenant."""

    tenant: Tenant
    role: str
    capabilities: frozenset[str]
    actor: User | ApiKey
    membership: Membership | None = None

    def can(self, capability: str) -> bool:
        return capability in self.capabilities


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    """The user's memberships, most recently used tenant first."""
    return (
        Membership.objects.filter(user=user)
        .select_related("tenant")
        .order_by(F("last_used_at").desc(nulls_last=True), "tenant__name")
    )


def tenant_access_for_user(*, user: User, tenant_id: str) -> Access:
    """The user's access to a tenant, or NotFound for a non-member (never revealing existence)."""
    if not PUBLIC_ID_RE.match(tenant_id or ""):
        raise NotFound("no such tenant")
    membership = Membership.objects.select_related("tenant").filter(user=user, tenant__public_id=tenant_id).first()
    if membership is None:
        raise NotFound("no such tenant")
    return Access(
        tenant=membership.tenant,
        role=membership.role,
        capabilities=membership.capabilities,
        actor=user,
        membership=membership,
    )


def tenant_access_for_key(*, key: ApiKey, tenant_id: str) -> Access:
    """An API key's access to a tenant: only its own, and operator keys to none."""
    if key.tenant is None or key.tenant.public_id != tenant_id:
        raise NotFound("no such tenant")
    return Access(tenant=key.tenant, role=key.role, capabilities=key.capabilities, actor=key)


class KeyRefused(Exception):
    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


def apikey_authenticate(*, key_id: str, secret: str | None, ip: str) -> ApiKey:
    """Check a key id (and secret when given) and the caller's address; KeyRefused otherwise.

    SigV4 callers pass secret=None and verify the signature with `key.secret` themselves.
    """
    key = ApiKey.objects.select_related("tenant").filter(key_id=key_id).first()
    if key is None or key.revoked_at is not None:
        raise KeyRefused("unknown or revoked API key", status=401)
    if secret is not None and not hmac.compare_digest(key.secret.encode(), secret.encode()):
        raise KeyRefused("unknown or revoked API key", status=401)
    if key.allowed_cidrs and not in_networks(ip, key.allowed_cidrs):
        raise KeyRefused(f"this API key is not allowed from {ip}", status=403)
    if cache.add(f"apikey-used:{key.pk}", 1, _LAST_USED_EVERY):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=clock.now())
    return key


def require(access: Access, capability: str) -> None:
    """Raise NotPermitted unless the access grants `capability`."""
    if not access.can(capability):
        raise NotPermitted(f"your role ({access.role}) cannot do this")
