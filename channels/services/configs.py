"""Creating, changing, checking and deleting a tenant's channel configs (secrets never leave this layer)."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from channels.models import ChannelConfig, Delivery, Dispatch, Provider
from channels.models.config import PROVIDERS_FOR_CHANNEL
from channels.models.ledger import PENDING_STATUSES
from channels.services.config_fields import secrets_check, secrets_merge, settings_clean
from channels.services.identities import from_address_verified
from channels.transports import CheckResult, TransportError, transport_class
from channels.transports.common import config_secrets
from engage import clock
from engage.errors import Conflict, Invalid
from engage.tenancy.audit import Actor, audit
from engage.tenancy.models import Tenant

log = logging.getLogger(__name__)
MAX_RATE = 1_000_000


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid("give the config a name", field="name")
    if len(value.strip()) > 100:
        raise Invalid("the name is longer than 100 characters", field="name")
    return value.strip()


def _rate(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RATE:
        raise Invalid(
            f"messages_per_second is a whole number from 0 (no limit) to {MAX_RATE}", field="messages_per_second"
        )
    return value


def _pair(channel: Any, provider: Any) -> None:
    if channel not in PROVIDERS_FOR_CHANNEL:
        raise Invalid(f"channel is one of {', '.join(PROVIDERS_FOR_CHANNEL)}", field="channel")
    allowed = PROVIDERS_FOR_CHANNEL[channel]
    if provider not in allowed:
        raise Invalid(f"the {channel} channel sends through {', '.join(allowed)}", field="provider")


def _from_verified(config: ChannelConfig) -> None:
    """An enabled SES config must send From an address SES has verified for it (address or domain)."""
    address = str(config.setting("from_address", ""))
    if config.provider != Provider.SES or not config.enabled:
        return
    if config.pk is None or not from_address_verified(config=config, address=address):
        raise Invalid(
            f"{address} is not verified in SES for this config: save the config disabled, add the address or its "
            "domain on its Identities page, verify it, then enable the config",
            field="settings.from_address",
        )


def _make_default(config: ChannelConfig) -> None:
    others = ChannelConfig.objects.for_tenant(config.tenant).filter(channel=config.channel, is_default=True)
    others.exclude(pk=config.pk).update(is_default=False, updated_at=clock.now())


def _audit_data(config: ChannelConfig, **extra: Any) -> dict[str, Any]:
    # Settings are not secret (sender, region, URL); secrets are named, never shown.
    return {
        "channel": config.channel,
        "provider": config.provider,
        "secrets_set": sorted(config_secrets(config)),
    } | extra


def _save(config: ChannelConfig) -> None:
    try:
        with transaction.atomic():
            config.save()
    except IntegrityError:
        raise Invalid(f"a config named {config.name!r} already exists", field="name") from None


@transaction.atomic
def config_create(
    *,
    tenant: Tenant,
    by: Actor,
    name: str,
    channel: str,
    provider: str,
    settings: dict[str, Any] | None = None,
    secrets: dict[str, Any] | None = None,
    enabled: bool = True,
    is_default: bool | None = None,
    messages_per_second: int = 0,
    ip: str | None = None,
) -> ChannelConfig:
    """Add a config; the channel's first becomes its default unless `is_default` says otherwise."""
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()  # one config writer per tenant at a time
    _pair(channel, provider)
    clean = settings_clean(provider=provider, data=settings or {})
    stored = secrets_merge(provider=provider, stored={}, given=secrets or {})
    secrets_check(provider=provider, secrets=stored, settings=clean)
    now = clock.now()
    config = ChannelConfig(
        tenant=tenant,
        name=_name(name),
        channel=channel,
        provider=provider,
        enabled=bool(enabled),
        messages_per_second=_rate(messages_per_second),
        settings=clean,
        secrets=json.dumps(stored) if stored else "",
        created_at=now,
        updated_at=now,
    )
    _from_verified(config)
    defaults = ChannelConfig.objects.for_tenant(tenant).filter(channel=channel, is_default=True)
    config.is_default = not defaults.exists() if is_default is None else bool(is_default)
    if config.is_default:
        _make_default(config)
    _save(config)
    data = _audit_data(config, settings=clean, enabled=config.enabled, is_default=config.is_default)
    audit(tenant=tenant, actor=by, action="channel_config.create", target=config, ip=ip, data=data)
    return config


@transaction.atomic
def config_update(
    *,
    config: ChannelConfig,
    by: Actor,
    ip: str | None = None,
    name: str | None = None,
    channel: str | None = None,
    provider: str | None = None,
    enabled: bool | None = None,
    is_default: bool | None = None,
    messages_per_second: int | None = None,
    settings: dict[str, Any] | None = None,
    secrets: dict[str, Any] | None = None,
) -> ChannelConfig:
    """Change a config. Settings merge key by key (null removes one); a blank secret keeps the stored one."""
    Tenant.objects.select_for_update().filter(pk=config.tenant_id).first()
    config = ChannelConfig.objects.select_for_update().get(pk=config.pk)
    if channel is not None and channel != config.channel:
        raise Invalid("the channel of a config cannot change; create another config", field="channel")
    if provider is not None and provider != config.provider:
        raise Invalid("the provider of a config cannot change; create another config", field="provider")
    before = {"settings": dict(config.settings), "secrets": config_secrets(config)}
    changed = _set_fields(config, name=name, messages_per_second=messages_per_second, enabled=enabled)
    if settings is not None:
        merged = {k: v for k, v in {**config.settings, **settings}.items() if v is not None}
        config.settings = settings_clean(provider=config.provider, data=merged)
    stored = secrets_merge(provider=config.provider, stored=before["secrets"], given=secrets or {})
    secrets_check(provider=config.provider, secrets=stored, settings=config.settings)
    config.secrets = json.dumps(stored) if stored else ""
    changed += _changed_keys(before, config.settings, stored)
    if is_default is not None and bool(is_default) != config.is_default:
        config.is_default, changed = bool(is_default), [*changed, "is_default"]
        if config.is_default:
            _make_default(config)
    if {"enabled", "settings.from_address"} & set(changed):
        _from_verified(config)
    config.updated_at = clock.now()
    _save(config)
    if changed:
        audit(
            tenant=config.tenant,
            actor=by,
            action="channel_config.update",
            target=config,
            ip=ip,
            data=_audit_data(config, changed=sorted(changed)),
        )
    return config


def _set_fields(config: ChannelConfig, *, name: Any, messages_per_second: Any, enabled: Any) -> list[str]:
    """Apply the plain fields that are given and differ; their names."""
    changed = []
    if name is not None and _name(name) != config.name:
        config.name = _name(name)
        changed.append("name")
    if messages_per_second is not None and _rate(messages_per_second) != config.messages_per_second:
        config.messages_per_second = messages_per_second
        changed.append("messages_per_second")
    if enabled is not None and bool(enabled) != config.enabled:
        config.enabled = bool(enabled)
        changed.append("enabled")
    return changed


def _changed_keys(before: dict[str, Any], settings: dict[str, Any], secrets: dict[str, str]) -> list[str]:
    old_settings, old_secrets = before["settings"], before["secrets"]
    keys = [f"settings.{k}" for k in {*old_settings, *settings} if old_settings.get(k) != settings.get(k)]
    return keys + [f"secrets.{k}" for k in {*old_secrets, *secrets} if old_secrets.get(k) != secrets.get(k)]


@transaction.atomic
def config_delete(*, config: ChannelConfig, by: Actor, ip: str | None = None) -> None:
    """Delete a config no pending message needs; past dispatches keep their provider name, not the config."""
    config = ChannelConfig.objects.select_for_update().get(pk=config.pk)
    pending = Delivery.objects.filter(dispatch__config=config, status__in=PENDING_STATUSES).count()
    if pending:
        raise Conflict(
            f"{pending} message{'s' if pending != 1 else ''} still wait to be sent through {config.name}: "
            "delete it once they are sent or expired, or disable it instead"
        )
    Dispatch.objects.filter(config=config).update(config=None)
    audit(
        tenant=config.tenant, actor=by, action="channel_config.delete", target=config, ip=ip, data=_audit_data(config)
    )
    try:
        with transaction.atomic():
            config.delete()
    except ProtectedError:
        raise Conflict(f"a send through {config.name} started just now: try again once it is done") from None


def config_check(*, config: ChannelConfig, by: Actor = None, ip: str | None = None) -> CheckResult:
    """Ask the provider for its account values (quota, max send rate, sandbox) and keep its answer."""
    transport = transport_class(config.provider)(config)
    try:
        result = transport.check()
    except TransportError as exc:
        result = CheckResult(ok=False, error=exc.message)
    except Invalid as exc:
        result = CheckResult(ok=False, error=exc.message)
    except Exception as exc:
        log.exception("channel config %s: the connection check failed unexpectedly", config.pk)
        result = CheckResult(ok=False, error=f"unexpected error: {exc}")
    finally:
        transport.close()
    values = json.loads(json.dumps(result.values, default=str))
    config.last_check_at = clock.now()
    config.last_check = {"ok": result.ok, "values": values, "error": result.error}
    fields = ["last_check_at", "last_check"]
    rate = values.get("max_send_rate") if result.ok else None
    if isinstance(rate, int | float) and not isinstance(rate, bool) and rate > 0:
        config.provider_max_rate, fields = float(rate), [*fields, "provider_max_rate"]
    ChannelConfig.objects.filter(pk=config.pk).update(**{f: getattr(config, f) for f in fields})
    data = {"ok": result.ok, "error": result.error[:500]}
    audit(tenant=config.tenant, actor=by, action="channel_config.check", target=config, ip=ip, data=data)
    return result
