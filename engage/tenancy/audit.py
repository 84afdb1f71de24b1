"""Writing the audit trail."""

from __future__ import annotations

from typing import Any, Union

from django.db import models

from engage import clock
from engage.accounts.models import User
from engage.tenancy.models import ApiKey, AuditLog, Tenant

Actor = Union[User, ApiKey, str, None]


def actor_label(actor: Actor) -> str:
    if isinstance(actor, User):
        return actor.email
    if isinstance(actor, ApiKey):
        return f"api key {actor.key_id}"
    return actor or "system"


def audit(
    *,
    tenant: Tenant | None,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditLog:
    """Record that `actor` did `action` to `target` in `tenant`."""
    return AuditLog.objects.create(
        tenant=tenant,
        actor=actor if isinstance(actor, User) else None,
        actor_label=actor_label(actor)[:255],
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(getattr(target, "public_id", None) or getattr(target, "pk", "") or "")
        if target is not None
        else "",
        target_repr=str(target)[:255] if target is not None else "",
        data=data or {},
        ip=ip or None,
        created_at=clock.now(),
    )
