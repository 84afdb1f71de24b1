"""Writes to message templates: create, save (a new version, or the latest updated), activate a version,
restore an old one as new, delete with all versions. Every write is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction

from engage import clock
from engage.accounts.models import User
from engage.errors import Conflict, Invalid, NotFound
from engage.tenancy.audit import Actor, actor_label, audit
from engage.tenancy.models import Tenant
from templates.codec import TemplateInput
from templates.models import MAX_VERSIONS, MessageTemplate, MissingVariablePolicy, TemplateVersion

# Campaigns and journeys (higher layers) say who uses a template; templates never imports them.
UsageChecker = Callable[[MessageTemplate], list[str]]
_usage_checkers: list[UsageChecker] = []


def template_usage_register(checker: UsageChecker) -> UsageChecker:
    """Register a function returning descriptions of scheduled or running things that use a template."""
    if checker not in _usage_checkers:
        _usage_checkers.append(checker)
    return checker


def template_usages(*, template: MessageTemplate) -> list[str]:
    return [use for checker in _usage_checkers for use in checker(template)]


def _user(by: Actor) -> User | None:
    return by if isinstance(by, User) else None


def _new_version(template: MessageTemplate, data: TemplateInput, by: Actor) -> TemplateVersion:
    if template.last_version_number >= MAX_VERSIONS:
        raise Invalid(
            f"“{template.name}” has used all {MAX_VERSIONS:,} version numbers; update the latest version "
            "instead, or copy the template into a new one",
            field="Version",
        )
    now = clock.now()
    template.last_version_number += 1
    return TemplateVersion.objects.create(
        tenant=template.tenant,
        template=template,
        number=template.last_version_number,
        content=data.content,
        default_substitutions=data.default_substitutions,
        description=data.description,
        created_by=_user(by),
        created_by_label=actor_label(by)[:255],
        created_at=now,
        updated_at=now,
    )


@transaction.atomic
def template_create(*, tenant: Tenant, data: TemplateInput, by: Actor) -> MessageTemplate:
    """A new template whose version 1 is both the latest and the active version."""
    if MessageTemplate.objects.for_tenant(tenant).filter(channel=data.channel, name=data.name).exists():
        raise Conflict(f"a {data.channel} template named “{data.name}” already exists", field="TemplateName")
    now = clock.now()
    try:
        with transaction.atomic():
            template = MessageTemplate.objects.create(
                tenant=tenant,
                name=data.name,
                channel=data.channel,
                tags=data.tags or {},
                missing_variable_policy=data.policy or MissingVariablePolicy.DEFAULT,
                created_by=_user(by),
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        raise Conflict(f"a {data.channel} template named “{data.name}” already exists", field="TemplateName") from None
    version = _new_version(template, data, by)
    template.active_version = template.latest_version = version
    template.save()
    audit(
        tenant=tenant,
        actor=by,
        action="template.create",
        target=template,
        data={"name": template.name, "channel": template.channel},
    )
    return template


def _same(version: TemplateVersion | None, data: TemplateInput) -> bool:
    return version is not None and (
        version.content == data.content
        and version.default_substitutions == data.default_substitutions
        and version.description == data.description
    )


@transaction.atomic
def template_update(
    *,
    template: MessageTemplate,
    data: TemplateInput,
    by: Actor,
    create_new_version: bool = True,
    expected_latest: int | None = None,
) -> TemplateVersion:
    """Save as a new version (the default) or overwrite the latest one; older versions never change.

    `expected_latest` (Pinpoint's `version` on an update) refuses the write if someone saved in between.
    A save identical to the latest version creates nothing new."""
    template = (
        MessageTemplate.objects.select_for_update(of=("self",)).select_related("latest_version").get(pk=template.pk)
    )
    latest = template.latest_version
    if expected_latest is not None and (latest is None or latest.number != expected_latest):
        raise Conflict(
            f"version {expected_latest} is not the latest version of “{template.name}” "
            f"(the latest is {latest.number if latest else 'none'}); only the latest version can be updated",
            field="Version",
        )
    if data.tags is not None:
        template.tags = data.tags
    if data.policy is not None:
        template.missing_variable_policy = data.policy
    if create_new_version or latest is None:
        version = latest if _same(latest, data) else _new_version(template, data, by)
    else:
        version = latest
        version.content, version.default_substitutions = data.content, data.default_substitutions
        version.description, version.updated_at = data.description, clock.now()
        version.save(update_fields=["content", "default_substitutions", "description", "updated_at"])
    assert version is not None
    template.latest_version = version
    if template.active_version_id is None:
        template.active_version = version
    template.updated_at = clock.now()
    template.save()
    audit(
        tenant=template.tenant,
        actor=by,
        action="template.update",
        target=template,
        data={"version": version.number, "new_version": version.number != (latest.number if latest else None)},
    )
    return version


def _version(template: MessageTemplate, number: Any) -> TemplateVersion:
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        raise Invalid("give the version number, for example 3", field="Version") from None
    version = template.versions.filter(number=wanted).first()
    if version is None:
        raise NotFound(f"“{template.name}” has no version {wanted}", field="Version")
    return version


@transaction.atomic
def template_version_activate(*, template: MessageTemplate, number: Any, by: Actor) -> MessageTemplate:
    """Make a version the one campaigns and journeys send (those bound to "active at send time" follow it)."""
    template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    version = _version(template, number)
    previous = template.active_version.number if template.active_version else None
    template.active_version = version
    template.updated_at = clock.now()
    template.save(update_fields=["active_version", "updated_at"])
    audit(
        tenant=template.tenant,
        actor=by,
        action="template.activate",
        target=template,
        data={"version": version.number, "previous": previous},
    )
    return template


@transaction.atomic
def template_version_restore(*, template: MessageTemplate, number: Any, by: Actor) -> TemplateVersion:
    """Save an old version again as a new version (the old one stays as it was)."""
    old = _version(template, number)
    data = TemplateInput(
        name=template.name,
        channel=template.channel,
        content=old.content,
        default_substitutions=old.default_substitutions,
        description=old.description,
        tags=None,
        policy=None,
    )
    locked = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    version = _new_version(locked, data, by)
    locked.latest_version, locked.updated_at = version, clock.now()
    locked.save(update_fields=["latest_version", "last_version_number", "updated_at"])
    audit(
        tenant=template.tenant,
        actor=by,
        action="template.restore",
        target=template,
        data={"from_version": old.number, "version": version.number},
    )
    return version


@transaction.atomic
def template_delete(*, template: MessageTemplate, by: Actor, ip: str | None = None) -> None:
    """Delete a template and every version of it, unless something scheduled still sends it."""
    template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    uses = template_usages(template=template)
    if uses:
        raise Conflict(f"“{template.name}” is used by {', '.join(uses)}; change or stop those first")
    audit(
        tenant=template.tenant,
        actor=by,
        action="template.delete",
        target=template,
        data={"name": template.name, "channel": template.channel, "versions": template.versions.count()},
        ip=ip,
    )
    template.delete()
