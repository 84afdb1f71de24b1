"""Creating, editing, duplicating and deleting campaigns."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from campaigns.message import MC, message_channel
from campaigns.models import Campaign
from campaigns.request import campaign_fields, event_check, messages_check
from campaigns.schedule_groups import groups_after_edit, treatment_schedules_check
from campaigns.services.triggers import triggers_bump
from engage import clock
from engage.errors import Conflict, Invalid
from engage.tenancy.audit import Actor, audit
from engage.tenancy.models import Tenant

COPIED = [
    "description", "segment", "segment_version", "channel", "message_configuration", "template_configuration",
    "treatment_name", "treatment_description", "additional_treatments", "fallbacks", "holdout_percent", "priority",
    "tags", "daily_cap", "total_cap", "messages_per_second", "maximum_duration", "session_cap", "start_immediate",
    "start_time", "end_time", "frequency", "is_local_time", "timezone", "quiet_time_start", "quiet_time_end",
    "event_filter", "no_timezone", "quiet_time_action", "hook", "custom_delivery",
]  # fmt: skip


def _body(body: dict[str, Any] | None, name: str | None, description: str | None) -> dict[str, Any]:
    merged = dict(body or {})
    if name is not None:
        merged["name"] = name
    if description is not None:
        merged["description"] = description
    return merged


def _apply(campaign: Campaign, fields: dict[str, Any]) -> None:
    for field, value in fields.items():
        setattr(campaign, field, value)
    channel = message_channel(
        message_configuration=campaign.message_configuration, template_configuration=campaign.template_configuration
    )
    for treatment in campaign.additional_treatments:
        channel = channel or message_channel(
            message_configuration=treatment.get(MC) or {},
            template_configuration=treatment.get("TemplateConfiguration") or {},
        )
    campaign.channel = channel
    messages_check(campaign=campaign)
    event_check(campaign=campaign)
    treatment_schedules_check(campaign=campaign)


@transaction.atomic
def campaign_create(
    *,
    tenant: Tenant,
    by: Actor,
    body: dict[str, Any] | None = None,
    name: str | None = None,
    description: str | None = None,
) -> Campaign:
    """Save a new draft campaign from a WriteCampaignRequest (or just a name and description)."""
    fields = campaign_fields(tenant=tenant, body=_body(body, name, description))
    if not fields.get("name"):
        raise Invalid("give the campaign a name", field="Name" if "Name" in (body or {}) else "name")
    fields.pop("is_paused", None)
    campaign = Campaign(tenant=tenant)
    _apply(campaign, fields)
    campaign.save()
    audit(tenant=tenant, actor=by, action="campaign.create", target=campaign, data={"name": campaign.name})
    return campaign


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    by: Actor,
    body: dict[str, Any] | None = None,
    name: str | None = None,
    description: str | None = None,
) -> Campaign:
    """Change a campaign that has not started sending (a draft, or a paused one)."""
    campaign = Campaign.objects.select_for_update().select_related("tenant").get(pk=campaign.pk)
    if not campaign.can_edit:
        raise Conflict(f"campaign {campaign.pk} is {campaign.status}; only drafts and paused campaigns can be edited")
    fields = campaign_fields(tenant=campaign.tenant, body=_body(body, name, description))
    fields.pop("is_paused", None)
    _apply(campaign, fields)
    groups_after_edit(campaign, now=clock.now())
    campaign.version += 1
    campaign.save()
    triggers_bump(tenant_id=campaign.tenant_id)
    audit(tenant=campaign.tenant, actor=by, action="campaign.update", target=campaign, data={"fields": sorted(fields)})
    return campaign


@transaction.atomic
def campaign_duplicate(*, campaign: Campaign, by: Actor, name: str | None = None) -> Campaign:
    """A new draft with the campaign's settings (no runs, no status)."""
    copy = Campaign(tenant=campaign.tenant, name=(name or f"Copy of {campaign.name}")[:255].strip())
    for field in COPIED:
        setattr(copy, field, getattr(campaign, field))
    copy.save()
    audit(tenant=campaign.tenant, actor=by, action="campaign.duplicate", target=copy, data={"from": campaign.pk})
    return copy


@transaction.atomic
def campaign_delete(*, campaign: Campaign, by: Actor, ip: str | None = None) -> None:
    """Delete a campaign that is not sending right now (its ledger rows stay, for the records)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == Campaign.Status.EXECUTING:
        raise Conflict(f"campaign {campaign.pk} is sending; pause it before deleting it")
    audit(
        tenant=campaign.tenant,
        actor=by,
        action="campaign.delete",
        target=campaign,
        data={"name": campaign.name, "status": campaign.status},
        ip=ip,
    )
    triggers_bump(tenant_id=campaign.tenant_id)
    campaign.delete()
