"""The fan-out planner: a run's segment read in keyset pages (one SQL query per chunk), each member assigned to
the holdout or a treatment by a stable hash of (campaign, endpoint), screened for local time, quiet time and the
frequency caps (reserved atomically, shared with journeys), and planned as Delivery rows in bulk (unique keys: a
re-plan inserts nothing new). One send task per chunk and treatment is enqueued when the chunk commits."""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from campaigns.message import MC, TC, campaign_message
from campaigns.models import Campaign, CampaignRun
from campaigns.schedule import campaign_zone, quiet_until, quiet_window, zone
from campaigns.services.fallbacks import treatment_hops, users_without_primary_plan
from campaigns.services.hook import hook_filter
from campaigns.services.plan_lease import plan_mark
from campaigns.services.plan_sql import chunk_plan_sql, plan_sql_supported
from channels.models import Delivery, Dispatch, Reason, Source, Status
from channels.services.caps import Cap, CapRequest, caps_dump, caps_reserve
from channels.services.dispatch import Recipient, deliveries_enqueue, dispatch_create
from channels.services.fallback import ENDPOINT_TYPES
from engage import clock
from engage.redis import redis_client
from segments.compiler.query import audience_guard_for, segment_members
from segments.definition import parse_definition
from segments.models import Endpoint
from templates.models import Channel

CHUNK_SIZE = 1000


@dataclass
class Member:
    pk: int
    endpoint_id: str
    user_id: str
    timezone: str


@dataclass
class Want:
    member: Member
    treatment: str
    key: str
    status: str
    reason: str
    until: datetime | None

    @property
    def sendable(self) -> bool:
        return self.status != Status.SKIPPED


@dataclass
class Planned:
    recipients: dict[str, list[Recipient]] = field(default_factory=lambda: defaultdict(list))
    held_until: dict[datetime, list[str]] = field(default_factory=lambda: defaultdict(list))
    held_out: int = 0


def bucket(campaign_id: int, endpoint_id: str) -> tuple[int, int]:
    """Two stable numbers for a (campaign, endpoint): 0–9,999 for the holdout, 0–99 for the treatment."""
    digest = hashlib.sha256(f"{campaign_id}:{endpoint_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10_000, int.from_bytes(digest[4:8], "big") % 100


def treatment_for(campaign: Campaign, endpoint_id: str) -> str | None:
    """The treatment id ("0" the campaign's own message, "1".."4" the additional ones) or None (held out)."""
    holdout, share = bucket(campaign.pk, endpoint_id)
    if holdout < campaign.holdout_percent * 100:
        return None
    edge = 0
    for treatment in campaign.additional_treatments:
        edge += int(treatment["SizePercent"])
        if share < edge:
            return str(treatment["Id"])
    return "0"


def campaign_treatments(campaign: Campaign) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(treatment id, MessageConfiguration, TemplateConfiguration) of each treatment, the campaign's own first."""
    items = [("0", campaign.message_configuration, campaign.template_configuration)]
    for t in campaign.additional_treatments:
        items.append(
            (str(t["Id"]), t.get(MC) or campaign.message_configuration, t.get(TC) or campaign.template_configuration)
        )
    return items


def campaign_caps(campaign: Campaign) -> list[Cap]:
    """The campaign's frequency caps (else the tenant's): daily over every source, total over its runs. An in-app
    campaign's limits cap displays, which the app counts (GetInAppMessages), not the messages stored for it."""
    caps: list[Cap] = []
    if campaign.channel == Channel.INAPP:
        return caps
    daily = campaign.daily_cap or campaign.tenant.campaign_daily_cap
    if daily:
        caps.append(Cap(limit=daily, window=timedelta(hours=24), scope="all"))
    total = campaign.total_cap or campaign.tenant.campaign_total_cap
    if total:
        caps.append(Cap(limit=total, window=None, campaign_id=str(campaign.pk)))
    return caps


def campaign_members(campaign: Campaign, *, any_channel: bool = False) -> QuerySet[Endpoint]:
    """The campaign's segment (its pinned version), within the audience guard, endpoints of its channel only."""
    ref: dict[str, Any] = {"Id": campaign.segment.public_id if campaign.segment else ""}
    if campaign.segment_version:
        ref["Version"] = campaign.segment_version
    definition = parse_definition({"SegmentGroups": {"Groups": [{"SourceSegments": [ref]}]}})
    tenant = campaign.tenant
    members = segment_members(tenant=tenant, definition=definition, guard=audience_guard_for(tenant=tenant))
    if any_channel:
        return members
    return members.filter(channel_type__in=sorted(ENDPOINT_TYPES.get(campaign.channel, ())))


def inapp_options(campaign: Campaign) -> dict[str, Any]:
    """What the app needs to show an in-app campaign's message: priority, display caps (Limits.Session/Daily/Total)
    and InAppCampaignSchedule's EventFilter and QuietTime."""
    schedule: dict[str, Any] = {}
    if campaign.event_filter:
        schedule["EventFilter"] = campaign.event_filter
    if campaign.quiet_time_start is not None and campaign.quiet_time_end is not None:
        schedule["QuietTime"] = {
            "Start": campaign.quiet_time_start.strftime("%H:%M"),
            "End": campaign.quiet_time_end.strftime("%H:%M"),
        }
    caps = {"SessionCap": campaign.session_cap, "DailyCap": campaign.daily_cap, "TotalCap": campaign.total_cap}
    return {
        "Priority": campaign.priority or 3,
        **{k: v for k, v in caps.items() if v},
        "Schedule": schedule,
    }


def treatment_dispatch(
    *,
    campaign: Campaign,
    run: CampaignRun,
    treatment_id: str,
    mc: dict[str, Any],
    tc: dict[str, Any],
    expires_at: datetime | None,
    channel: str = "",
) -> Dispatch:
    """The dispatch of one treatment's message for a run (its content snapshotted now); `channel` for a fallback."""
    tenant = campaign.tenant
    channel = channel or campaign.channel
    message = campaign_message(tenant=tenant, channel=channel, message_configuration=mc, template_configuration=tc)
    message["messages_per_second"] = campaign.messages_per_second or tenant.messages_per_second
    if channel != campaign.channel:
        # A fallback hop reserves the campaign's caps for the endpoint it picks (channels.services.fallback).
        message["caps"] = caps_dump(campaign_caps(campaign))
    if channel == Channel.INAPP:
        message["options"] = {**message.get("options", {}), **inapp_options(campaign)}
        expires_at = campaign.end_time or expires_at
    return dispatch_create(
        tenant=tenant,
        channel=channel,
        source=Source.CAMPAIGN,
        message=message,
        expires_at=expires_at,
        campaign_id=str(campaign.pk),
        run_id=str(run.pk),
        treatment_id=treatment_id,
    )


def run_plan(*, tenant_id: int, run_id: int, chunk_size: int = CHUNK_SIZE) -> CampaignRun | None:
    """Plan a run chunk by chunk (resuming after its cursor); stops early when the campaign is paused."""
    run = CampaignRun.objects.select_related("campaign__tenant").filter(pk=run_id, tenant_id=tenant_id).first()
    if run is None or run.status != CampaignRun.Status.PLANNING:
        return run
    planner = Planner(run)
    _test_barrier()
    while True:
        status = Campaign.objects.filter(pk=run.campaign_id).values_list("status", flat=True).first()
        if status != Campaign.Status.EXECUTING:
            return run
        plan_mark(run_id=run.pk)  # the heartbeat the tick's planning lease reads
        if not planner.chunk(chunk_size):
            break
    users_without_primary_plan(campaign=run.campaign, run=run, dispatches=planner.dispatches)
    CampaignRun.objects.filter(pk=run.pk, status=CampaignRun.Status.PLANNING).update(
        status=CampaignRun.Status.SENDING, planned_at=clock.now()
    )
    run.refresh_from_db()
    return run


TEST_BARRIER = "engage:test:plan-barrier"


def _test_barrier(timeout: float = 30.0) -> None:
    """Tests only (the shared test clock is on): planners wait for each other at a barrier a test set in Redis
    (its value: how many), so that they race for the same endpoints' caps at the same instant."""
    if not settings.ENGAGE_TEST_CLOCK:
        return
    client = redis_client()
    parties = client.get(TEST_BARRIER)
    if not parties:
        return
    client.incr(f"{TEST_BARRIER}:arrived")
    deadline = time.monotonic() + timeout
    while int(client.get(f"{TEST_BARRIER}:arrived") or 0) < int(parties) and time.monotonic() < deadline:
        time.sleep(0.01)


class Planner:
    def __init__(self, run: CampaignRun) -> None:
        self.run = run
        self.campaign = campaign = run.campaign
        self.tenant = campaign.tenant
        # A run of one schedule group plans only its treatments' shares (None: every treatment).
        self.treatments = set(run.treatments) if run.treatments else None
        self.dispatches = {k: Dispatch.objects.get(pk=pk) for k, pk in self._dispatches().items()}
        self.members = campaign_members(campaign)
        self.caps = campaign_caps(self.campaign)
        self.quiet = quiet_window(campaign)
        self.zone = campaign_zone(campaign)
        self.set_based = plan_sql_supported(self)

    def _dispatches(self) -> dict[str, int]:
        """A dispatch per treatment and fallback hop, made once per run (under the run's lock: a duplicate task
        reuses them)."""
        with transaction.atomic():
            run = CampaignRun.objects.select_for_update().get(pk=self.run.pk)
            if run.dispatches:
                return {k: int(v) for k, v in run.dispatches.items()}
            made: dict[str, int] = {}
            for treatment_id, mc, tc in campaign_treatments(self.campaign):
                if self.treatments is not None and treatment_id not in self.treatments:
                    continue
                hops = treatment_hops(
                    campaign=self.campaign, run=run, treatment_id=treatment_id, mc=mc, tc=tc, expires_at=run.expires_at
                )
                # The treatment's own dispatch under its id; fallback hops as "<id>>1", "<id>>2"...
                for index, hop in enumerate(hops):
                    made[treatment_id if index == 0 else f"{treatment_id}>{index}"] = hop.pk
            run.dispatches = made
            run.save(update_fields=["dispatches"])
            return made

    def chunk(self, size: int) -> bool:
        """Plan the next chunk of members in one transaction; False when the segment is exhausted."""
        if self.set_based:
            return self._chunk_sql(size)
        with transaction.atomic():
            run = CampaignRun.objects.select_for_update().get(pk=self.run.pk)
            rows = list(
                self.members.filter(pk__gt=run.cursor)
                .order_by("pk")
                .values_list("pk", "endpoint_id", "user_id", "timezone")[:size]
            )
            if not rows or run.status != CampaignRun.Status.PLANNING:
                return False
            planned = self._plan([Member(*row) for row in rows], clock.now())
            for treatment_id, recipients in planned.recipients.items():
                recipients = hook_filter(
                    campaign=self.campaign, run=run, treatment_id=treatment_id, recipients=recipients
                )
                deliveries_enqueue(
                    dispatch=self.dispatches[treatment_id], recipients=recipients, chunk_size=len(recipients)
                )
            for until, keys in planned.held_until.items():
                Delivery.objects.filter(tenant_id=self.tenant.pk, key__in=keys).update(not_before=until)
            run.cursor = rows[-1][0]
            run.planned += sum(len(r) for r in planned.recipients.values())
            run.held_out += planned.held_out
            run.save(update_fields=["cursor", "planned", "held_out"])
            return True

    def _chunk_sql(self, size: int) -> bool:
        """The chunk as one INSERT ... SELECT (plan_sql), under the same run lock and cursor."""
        with transaction.atomic():
            run = CampaignRun.objects.select_for_update().get(pk=self.run.pk)
            if run.status != CampaignRun.Status.PLANNING:
                return False
            done = chunk_plan_sql(self, cursor=run.cursor, size=size, now=clock.now())
            if done is None:
                return False
            run.cursor = done.last_pk
            run.planned += done.planned
            run.held_out += done.held_out
            run.save(update_fields=["cursor", "planned", "held_out"])
            return True

    def _plan(self, members: list[Member], now: datetime) -> Planned:
        out = Planned()
        wanted: list[Want] = []
        for m in members:
            treatment = treatment_for(self.campaign, m.endpoint_id)
            if treatment is None:
                out.held_out += "0" in (self.treatments or {"0"})  # counted once, by the campaign's own run
                continue
            if self.treatments is not None and treatment not in self.treatments:
                continue  # another group's run sends to this endpoint, at its own time
            key = f"c{self.campaign.pk}:r{self.run.pk}:{m.endpoint_id}"
            wanted.append(Want(m, treatment, key, *self.timing_of(m.timezone, now)))
        campaign_id = str(self.campaign.pk)
        requests = [CapRequest(w.key, w.member.endpoint_id, campaign_id=campaign_id) for w in wanted if w.sendable]
        granted = caps_reserve(tenant=self.tenant, requests=requests, caps=self.caps, now=now) if self.caps else None
        for w in wanted:
            if w.sendable and granted is not None and w.key not in granted:
                w.status, w.reason, w.until = Status.SKIPPED, Reason.CAP, None
            recipient = Recipient(
                key=w.key, endpoint_id=w.member.endpoint_id, user_id=w.member.user_id, status=w.status, reason=w.reason
            )
            out.recipients[w.treatment].append(recipient)
            if w.until is not None:
                out.held_until[w.until].append(w.key)
        return out

    def timing_of(self, timezone: str, now: datetime) -> tuple[str, str, datetime | None]:
        """(status, reason, held until) of a member in this time zone, from local time and quiet time."""
        tz = zone(timezone)
        at = now
        if self.campaign.is_local_time:
            if tz is None and self.campaign.no_timezone == Campaign.NoTimezone.SKIP:
                return Status.SKIPPED, Reason.NO_TIMEZONE, None
            at = max(now, self.run.scheduled_for.replace(tzinfo=tz or self.zone))
        if self.quiet is not None:
            until = quiet_until(at, self.quiet, tz or self.zone)
            if until is not None:
                if self.campaign.quiet_time_action == Campaign.QuietTimeAction.DROP:
                    return Status.SKIPPED, Reason.QUIET_TIME, None
                return Status.HELD, Reason.QUIET_TIME, until
        if at > now:
            return Status.HELD, "", at
        return Status.QUEUED, "", None
