"""The deliverability guard: rolling 24-hour bounce and complaint rates per email channel config, from the
ledger (messages sent) and the provider feedback (`_email.hardbounce`, `_email.complaint` events of those
messages). Past the warning level the config shows a warning; past the pause level sending through it pauses
until an admin resumes it (audited) — so a complaint storm stops itself within a beat tick."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction

from channels.models import ChannelConfig, Delivery, DeliverySettings, Dispatch, Status
from channels.services.delivery_settings import delivery_settings_for
from engage.errors import Conflict
from engage.events.models import Event
from engage.tenancy.audit import Actor, audit
from templates.models import Channel

WINDOW = timedelta(hours=24)
BOUNCES = ("_email.hardbounce",)
COMPLAINTS = ("_email.complaint",)


@dataclass(frozen=True)
class Rates:
    sent: int
    bounces: int
    complaints: int

    @property
    def bounce_pct(self) -> Decimal:
        return _pct(self.bounces, self.sent)

    @property
    def complaint_pct(self) -> Decimal:
        return _pct(self.complaints, self.sent)


def _pct(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01")) if whole else Decimal(0)


def config_rates(*, config: ChannelConfig, now: datetime) -> Rates:
    """Messages the config sent in the last 24 hours, and the hard bounces and complaints reported for them."""
    since = now - WINDOW
    dispatches = Dispatch.objects.filter(config=config, created_at__gte=since - timedelta(days=7))
    sent = Delivery.objects.filter(dispatch__in=dispatches, sent_at__gte=since)
    feedback = Event.objects.filter(tenant_id=config.tenant_id, arrival__gte=since, delivery_id__in=sent.values("id"))
    return Rates(
        sent=sent.count(),
        bounces=feedback.filter(event_type__in=BOUNCES).count(),
        complaints=feedback.filter(event_type__in=COMPLAINTS).count(),
    )


def _level(rates: Rates, policy: DeliverySettings) -> str:
    if rates.sent >= policy.min_volume and (
        rates.bounce_pct >= policy.bounce_pause_pct or rates.complaint_pct >= policy.complaint_pause_pct
    ):
        return "pause"
    if rates.bounce_pct >= policy.bounce_warn_pct or rates.complaint_pct >= policy.complaint_warn_pct:
        return "warn"
    return "ok"


@transaction.atomic
def config_guard(*, config: ChannelConfig, now: datetime) -> str:
    """Recompute a config's rates, store them, and pause it when they pass the pause level. Returns the level."""
    config = ChannelConfig.objects.select_for_update().get(pk=config.pk)
    policy = delivery_settings_for(tenant=config.tenant)
    rates = config_rates(config=config, now=now)
    level = _level(rates, policy) if policy.guard_enabled else "ok"
    config.guard = {
        "sent": rates.sent,
        "bounces": rates.bounces,
        "complaints": rates.complaints,
        "bounce_pct": str(rates.bounce_pct),
        "complaint_pct": str(rates.complaint_pct),
        "level": level,
        "at": now.isoformat(),
    }
    fields = ["guard"]
    if level == "pause" and config.paused_at is None:
        config.paused_at = now
        config.paused_reason = (
            f"paused by the deliverability guard: {rates.bounce_pct}% hard bounces and {rates.complaint_pct}% "
            f"complaints of {rates.sent} messages in 24 hours (limits {policy.bounce_pause_pct}% and "
            f"{policy.complaint_pause_pct}%)"
        )
        fields += ["paused_at", "paused_reason"]
        audit(
            tenant=config.tenant,
            actor="deliverability guard",
            action="channel_config.pause",
            target=config,
            data={"reason": config.paused_reason, **config.guard},
        )
    config.save(update_fields=fields)
    return level


def guard_tick(*, now: datetime) -> int:
    """Check every email config that sent in the last day (beat runs this every minute). Returns how many."""
    ids = (
        Dispatch.objects.filter(created_at__gte=now - WINDOW - timedelta(days=7), channel=Channel.EMAIL)
        .exclude(config=None)
        .values_list("config_id", flat=True)
        .distinct()
    )
    checked = 0
    for config in ChannelConfig.objects.filter(pk__in=list(ids)).select_related("tenant"):
        config_guard(config=config, now=now)
        checked += 1
    return checked


@transaction.atomic
def config_resume(*, config: ChannelConfig, by: Actor, ip: str | None = None) -> ChannelConfig:
    """Resume sending through a paused config (audited) and queue its waiting messages again."""
    from channels.tasks import chunk_enqueue

    config = ChannelConfig.objects.select_for_update().get(pk=config.pk)
    if config.paused_at is None:
        raise Conflict(f"“{config.name}” is not paused", field="paused_at")
    reason = config.paused_reason
    config.paused_at, config.paused_reason = None, ""
    config.save(update_fields=["paused_at", "paused_reason"])
    audit(tenant=config.tenant, actor=by, action="channel_config.resume", target=config, ip=ip, data={"was": reason})
    waiting = (
        Delivery.objects.filter(dispatch__config=config, status=Status.QUEUED)
        .values_list("tenant_id", "dispatch_id", "chunk")
        .distinct()
        .order_by()
    )
    for tenant_id, dispatch_id, chunk in waiting:
        transaction.on_commit(lambda t=tenant_id, d=dispatch_id, c=chunk: chunk_enqueue(t, d, c))  # type: ignore[misc]
    return config


def config_pause(*, config: ChannelConfig, by: Actor, reason: str, now: datetime, ip: str | None = None) -> None:
    """Pause sending through a config by hand (audited); resume with config_resume."""
    with transaction.atomic():
        config = ChannelConfig.objects.select_for_update().get(pk=config.pk)
        if config.paused_at is not None:
            return
        config.paused_at, config.paused_reason = now, reason or "paused by an admin"
        config.save(update_fields=["paused_at", "paused_reason"])
        audit(
            tenant=config.tenant,
            actor=by,
            action="channel_config.pause",
            target=config,
            ip=ip,
            data={"reason": config.paused_reason},
        )
