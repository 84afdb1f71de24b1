"""Launching, pausing, resuming and stopping campaigns (each audited)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from campaigns.models import Campaign, CampaignRun
from campaigns.request import event_check
from campaigns.schedule import campaign_start_wall, occurrence
from campaigns.schedule_groups import groups_first_due
from campaigns.services.runs import OPEN, run_start, runs_hold, runs_stop
from campaigns.services.triggers import event_campaigns_check, triggers_bump
from engage import clock
from engage.errors import Conflict, Invalid
from engage.tenancy.audit import Actor, audit
from templates.models import Channel


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update(of=("self",)).select_related("tenant").get(pk=campaign.pk)


def _launchable(campaign: Campaign) -> None:
    if campaign.segment_id is None:
        raise Invalid("choose the segment to send to", field="SegmentId")
    if not campaign.channel:
        raise Invalid("give the message (or a template) to send", field="MessageConfiguration")
    if not campaign.start_immediate and campaign.start_time is None:
        raise Invalid("give the schedule's start time (IMMEDIATE or a time)", field="Schedule.StartTime")
    if campaign.frequency == Campaign.Frequency.IN_APP_EVENT:
        # The app shows the message when the event happens on the device: the run stores it for the segment once.
        if campaign.channel != Channel.INAPP:
            raise Invalid("an IN_APP_EVENT campaign sends an in-app message", field="MessageConfiguration")
        if not campaign.event_filter:
            raise Invalid("an IN_APP_EVENT campaign needs an event filter", field="Schedule.EventFilter")
    if campaign.frequency == Campaign.Frequency.EVENT:
        if not campaign.event_filter:
            raise Invalid("an EVENT campaign needs an event filter", field="Schedule.EventFilter")
        event_check(campaign=campaign)
        event_campaigns_check(tenant=campaign.tenant, campaign=campaign)


@transaction.atomic
def campaign_launch(*, campaign: Campaign, by: Actor, ip: str | None = None) -> Campaign:
    """Move a draft to scheduled; an immediate (or already due) campaign starts its first run after commit."""
    campaign = _locked(campaign)
    if not campaign.can_launch:
        raise Conflict(f"campaign {campaign.pk} is {campaign.status}, not a draft")
    _launchable(campaign)
    now = clock.now()
    triggers_bump(tenant_id=campaign.tenant_id)
    if campaign.frequency == Campaign.Frequency.EVENT:
        # Armed: the trigger index picks it up on the next event; its runs are made by the events (one per day).
        campaign.next_run_at = None
    elif campaign.start_immediate:
        campaign.next_run_at = now
    else:
        wall = campaign_start_wall(campaign)
        assert wall is not None  # _launchable checked the start time
        campaign.next_run_at = occurrence(campaign, wall)[1]
    campaign.schedule_next = {} if campaign.next_run_at is None else groups_first_due(campaign, now=now)
    if campaign.schedule_next:  # treatments with schedules of their own: the earliest group is due first
        campaign.next_run_at = min(datetime.fromisoformat(v) for v in campaign.schedule_next.values() if v)
    campaign.status, campaign.launched_at, campaign.is_paused = Campaign.Status.SCHEDULED, now, False
    fields = ["next_run_at", "schedule_next", "status", "launched_at", "is_paused", "updated_at"]
    campaign.save(update_fields=fields)
    audit(tenant=campaign.tenant, actor=by, action="campaign.launch", target=campaign, ip=ip)
    if campaign.frequency != Campaign.Frequency.EVENT:
        run_start(campaign=campaign, now=now)
    return campaign


@transaction.atomic
def campaign_pause(*, campaign: Campaign, by: Actor, ip: str | None = None) -> Campaign:
    """Hold an active campaign: planning stops after its current chunk and unsent messages wait."""
    campaign = _locked(campaign)
    if campaign.status not in Campaign.ACTIVE:
        raise Conflict(f"campaign {campaign.pk} is {campaign.status}; only scheduled or running campaigns pause")
    campaign.status, campaign.is_paused = Campaign.Status.PAUSED, True
    campaign.save(update_fields=["status", "is_paused", "updated_at"])
    triggers_bump(tenant_id=campaign.tenant_id)
    held = runs_hold(campaign=campaign, now=clock.now())
    audit(tenant=campaign.tenant, actor=by, action="campaign.pause", target=campaign, data={"held": held}, ip=ip)
    return campaign


@transaction.atomic
def campaign_resume(*, campaign: Campaign, by: Actor, ip: str | None = None) -> Campaign:
    """Carry on where the pause left off; a run missed while paused starts once."""
    from campaigns.tasks import plan_enqueue

    campaign = _locked(campaign)
    if campaign.status != Campaign.Status.PAUSED:
        raise Conflict(f"campaign {campaign.pk} is {campaign.status}, not paused")
    runs = list(CampaignRun.objects.filter(campaign=campaign, status__in=OPEN))
    if campaign.frequency == Campaign.Frequency.EVENT:
        event_campaigns_check(tenant=campaign.tenant, campaign=campaign)
        campaign.status = Campaign.Status.SCHEDULED
    elif runs:
        campaign.status = Campaign.Status.EXECUTING
    elif campaign.runs.exists():
        campaign.status = Campaign.Status.PENDING_NEXT_RUN if campaign.next_run_at else Campaign.Status.COMPLETED
    else:
        campaign.status = Campaign.Status.SCHEDULED
    campaign.is_paused = False
    campaign.save(update_fields=["status", "is_paused", "updated_at"])
    triggers_bump(tenant_id=campaign.tenant_id)
    for run in runs:
        if run.status == CampaignRun.Status.PLANNING:
            transaction.on_commit(lambda r=run: plan_enqueue(r.tenant_id, r.pk))  # type: ignore[misc]
    audit(tenant=campaign.tenant, actor=by, action="campaign.resume", target=campaign, ip=ip)
    return campaign


@transaction.atomic
def campaign_stop(*, campaign: Campaign, by: Actor, ip: str | None = None) -> Campaign:
    """End a campaign for good: no more runs, and what is not sent yet expires."""
    campaign = _locked(campaign)
    if campaign.status not in (*Campaign.ACTIVE, Campaign.Status.PAUSED):
        raise Conflict(f"campaign {campaign.pk} is {campaign.status}; there is nothing to stop")
    expired = runs_stop(campaign=campaign, now=clock.now())
    campaign.status, campaign.next_run_at, campaign.schedule_next = Campaign.Status.COMPLETED, None, {}
    campaign.save(update_fields=["status", "next_run_at", "schedule_next", "updated_at"])
    triggers_bump(tenant_id=campaign.tenant_id)
    audit(tenant=campaign.tenant, actor=by, action="campaign.stop", target=campaign, data={"expired": expired}, ip=ip)
    return campaign
