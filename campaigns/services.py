"""Writes to campaigns."""

from __future__ import annotations

from django.db import transaction

from campaigns.models import Campaign
from engage.errors import Conflict, Invalid
from engage.tenancy.audit import Actor, audit
from engage.tenancy.models import Tenant


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid("give the campaign a name", field="name")
    if len(name) > 255:
        raise Invalid("the name is longer than 255 characters", field="name")
    return name


@transaction.atomic
def campaign_create(*, tenant: Tenant, name: str, description: str = "", by: Actor) -> Campaign:
    """Save a new draft campaign."""
    return Campaign.objects.create(tenant=tenant, name=_clean_name(name), description=description.strip())


@transaction.atomic
def campaign_update(
    *, campaign: Campaign, by: Actor, name: str | None = None, description: str | None = None
) -> Campaign:
    """Rename or describe a campaign that has not started sending."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.can_edit:
        raise Conflict(f"campaign {campaign.pk} is {campaign.status}; only drafts and paused campaigns can be edited")
    if name is not None:
        campaign.name = _clean_name(name)
    if description is not None:
        campaign.description = description.strip()
    campaign.save(update_fields=["name", "description", "updated_at"])
    return campaign


@transaction.atomic
def campaign_delete(*, campaign: Campaign, by: Actor, ip: str | None = None) -> None:
    """Delete a campaign that is not sending right now."""
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
    campaign.delete()
