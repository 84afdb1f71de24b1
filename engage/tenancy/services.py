"""Writes to tenants, memberships and API keys. Every change that matters is audited."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from engage import clock
from engage.accounts.models import User
from engage.errors import Conflict, Invalid, NotPermitted
from engage.tenancy.audit import Actor, audit
from engage.tenancy.models import ApiKey, MemberRemoval, Membership, Role, Tenant
from engage.tenancy.netaddr import normalize_cidrs

TENANT_SETTINGS_FIELDS = (
    "name",
    "timezone",
    "quiet_time_start",
    "quiet_time_end",
    "campaign_daily_cap",
    "campaign_total_cap",
    "messages_per_second",
    "campaign_max_duration",
    "campaign_hook_url",
    "journey_daily_cap",
    "journey_timeframe_cap",
    "journey_timeframe_days",
)
_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _full_clean(obj: Any, *, exclude: list[str] | None = None) -> None:
    """Run model validation and turn the first error into an Invalid naming its field."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise Invalid(" ".join(messages), field=None if field == "__all__" else field) from None


@transaction.atomic
def tenant_create(*, name: str, timezone: str = "UTC", by: Actor, ip: str | None = None) -> Tenant:
    """Create a tenant with empty defaults (no quiet time, no caps, no rate limit)."""
    tenant = Tenant(name=name.strip(), timezone=timezone)
    _full_clean(tenant)
    tenant.save()
    audit(tenant=tenant, actor=by, action="tenant.create", target=tenant, data={"name": tenant.name}, ip=ip)
    return tenant


@transaction.atomic
def tenant_update_settings(*, tenant: Tenant, by: Actor, ip: str | None = None, **changes: Any) -> Tenant:
    """Change a tenant's name, time zone or project defaults; applies to new campaigns and journeys."""
    unknown = set(changes) - set(TENANT_SETTINGS_FIELDS)
    if unknown:
        raise Invalid(f"unknown setting {sorted(unknown)[0]!r}", field=sorted(unknown)[0])
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    before = {f: _jsonable(getattr(tenant, f)) for f in changes}
    for field, value in changes.items():
        setattr(tenant, field, value)
    _full_clean(tenant)
    tenant.save(update_fields=list(changes))
    diff = {
        f: [before[f], _jsonable(getattr(tenant, f))] for f in changes if before[f] != _jsonable(getattr(tenant, f))
    }
    if diff:
        audit(tenant=tenant, actor=by, action="tenant.settings", target=tenant, data={"changes": diff}, ip=ip)
    return tenant


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _can_touch_owner(by_role: str | None, *roles: str) -> bool:
    return Role.OWNER not in roles or by_role in (Role.OWNER, None)


@transaction.atomic
def member_invite(
    *, tenant: Tenant, email: str, role: str, by: Actor, by_role: str | None = None, ip: str | None = None
) -> tuple[Membership, bool]:
    """Add a person to a tenant, creating their login if needed, and email them. Returns (membership, new_user)."""
    from engage.tenancy.tasks import send_member_invitation

    email = User.objects.normalize_email(email.strip()).lower()
    if role not in Role.values:
        raise Invalid(f"role must be one of {', '.join(Role.values)}", field="role")
    if not _can_touch_owner(by_role, role):
        raise NotPermitted("only an owner can make someone an owner", field="role")
    try:
        User._meta.get_field("email").run_validators(email)
    except ValidationError:
        raise Invalid(f"{email!r} is not a valid email address", field="email") from None
    user = User.objects.filter(email=email).first()
    new_user = user is None
    if user is None:
        user = User.objects.create_user(email=email)  # unusable password: they set one from the email, or use SSO
    if Membership.objects.filter(tenant=tenant, user=user).exists():
        raise Conflict(f"{email} is already a member of {tenant.name}", field="email")
    membership = Membership.objects.create(tenant=tenant, user=user, role=role)
    MemberRemoval.objects.filter(tenant=tenant, email=email).delete()  # invited again: single sign-on lets them in
    audit(tenant=tenant, actor=by, action="member.add", target=membership, data={"email": email, "role": role}, ip=ip)
    transaction.on_commit(lambda: send_member_invitation.delay(tenant.pk, membership.pk, new_user))
    return membership, new_user


def _owners_left(tenant: Tenant, *, without: Membership) -> int:
    return Membership.objects.for_tenant(tenant).filter(role=Role.OWNER).exclude(pk=without.pk).count()


@transaction.atomic
def member_change_role(
    *, membership: Membership, role: str, by: Actor, by_role: str | None = None, ip: str | None = None
) -> Membership:
    """Give a member another role; owners are managed only by owners and the last one stays."""
    membership = Membership.objects.select_for_update().select_related("user", "tenant").get(pk=membership.pk)
    if role not in Role.values:
        raise Invalid(f"role must be one of {', '.join(Role.values)}", field="role")
    if not _can_touch_owner(by_role, role, membership.role):
        raise NotPermitted("only an owner can change an owner's role or make someone an owner", field="role")
    if (
        membership.role == Role.OWNER
        and role != Role.OWNER
        and _owners_left(membership.tenant, without=membership) == 0
    ):
        raise Conflict("a tenant needs at least one owner: make someone else owner first", field="role")
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit(
        tenant=membership.tenant,
        actor=by,
        action="member.role",
        target=membership,
        data={"email": membership.user.email, "from": old, "to": role},
        ip=ip,
    )
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, by: Actor, by_role: str | None = None, ip: str | None = None) -> None:
    """Take a person out of a tenant; their next request to it is refused."""
    membership = Membership.objects.select_for_update().select_related("user", "tenant").get(pk=membership.pk)
    if not _can_touch_owner(by_role, membership.role):
        raise NotPermitted("only an owner can remove an owner")
    if membership.role == Role.OWNER and _owners_left(membership.tenant, without=membership) == 0:
        raise Conflict("the last owner cannot be removed: make someone else owner first")
    audit(
        tenant=membership.tenant,
        actor=by,
        action="member.remove",
        target=membership,
        data={"email": membership.user.email, "role": membership.role},
        ip=ip,
    )
    # Remembered, so that single sign-on does not provision them again at their next login.
    MemberRemoval.objects.update_or_create(
        tenant=membership.tenant, email=membership.user.email.lower(), defaults={"removed_at": clock.now()}
    )
    membership.delete()


def _new_key_id() -> str:
    return "EK" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(18))


@transaction.atomic
def apikey_create(
    *,
    tenant: Tenant | None,
    name: str,
    role: str = ApiKey.Role.MARKETER,
    allowed_cidrs: list[str] | None = None,
    by: Actor,
    ip: str | None = None,
) -> tuple[ApiKey, str]:
    """Issue a key; the secret is returned once here and afterwards only kept encrypted."""
    if role not in ApiKey.Role.values:
        raise Invalid(f"role must be one of {', '.join(ApiKey.Role.values)}", field="role")
    if (role == ApiKey.Role.OPERATOR) != (tenant is None):
        raise Invalid("operator keys belong to no tenant; every other key belongs to one", field="role")
    try:
        cidrs = normalize_cidrs(allowed_cidrs or [])
    except ValidationError as exc:
        raise Invalid(exc.messages[0], field="allowed_cidrs") from None
    secret = secrets.token_urlsafe(30)
    key = ApiKey(
        tenant=tenant,
        name=name.strip() or "API key",
        role=role,
        allowed_cidrs=cidrs,
        created_by=by if isinstance(by, User) else None,
        secret=secret,
    )
    _full_clean(key, exclude=["key_id", "secret"])
    for _ in range(5):
        key.key_id = _new_key_id()
        try:
            with transaction.atomic():
                key.save()
            break
        except IntegrityError:
            continue
    audit(
        tenant=tenant,
        actor=by,
        action="apikey.create",
        target=key,
        data={"key_id": key.key_id, "role": role, "allowed_cidrs": cidrs},
        ip=ip,
    )
    return key, secret


@transaction.atomic
def apikey_revoke(*, key: ApiKey, by: Actor, ip: str | None = None) -> ApiKey:
    """Revoke a key at once; requests signed with it are refused from now on."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        raise Conflict(f"key {key.key_id} is already revoked")
    key.revoked_at = clock.now()
    key.save(update_fields=["revoked_at"])
    audit(tenant=key.tenant, actor=by, action="apikey.revoke", target=key, data={"key_id": key.key_id}, ip=ip)
    return key
