"""Fallback channels of a campaign (push → email → SMS): the treatment's dispatch is the first hop and each entry of
`Campaign.fallbacks` (its own message or template, on another channel) is a further dispatch, linked with the
channels layer's `dispatch_fallback_set`, which moves a recipient on when a hop cannot reach them."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from campaigns.message import MC, TC
from campaigns.models import Campaign, CampaignRun
from channels.models import Dispatch
from channels.services.fallback import ENDPOINT_TYPES, Hop, deliveries_fall_back, dispatch_fallback_set
from segments.models import Endpoint

CHUNK = 1000


def treatment_hops(
    *,
    campaign: Campaign,
    run: CampaignRun,
    treatment_id: str,
    mc: dict[str, Any],
    tc: dict[str, Any],
    expires_at: datetime | None,
) -> list[Dispatch]:
    """The treatment's dispatch followed by one per fallback channel, each linked to the next."""
    from campaigns.services.plan import treatment_dispatch

    hops = [
        treatment_dispatch(campaign=campaign, run=run, treatment_id=treatment_id, mc=mc, tc=tc, expires_at=expires_at)
    ]
    for fallback in campaign.fallbacks or []:
        hop = treatment_dispatch(
            campaign=campaign,
            run=run,
            treatment_id=treatment_id,
            mc=fallback.get(MC) or {},
            tc=fallback.get(TC) or {},
            expires_at=expires_at,
            channel=fallback["Channel"],
        )
        dispatch_fallback_set(dispatch=hops[-1], to=hop)
        hops.append(hop)
    return hops


def users_without_primary_plan(*, campaign: Campaign, run: CampaignRun, dispatches: dict[str, Dispatch]) -> int:
    """Segment members (of any channel) whose user has no usable endpoint on the campaign's own channel go straight
    to the next hop: one row per user there, keyed per run and user, so a re-plan moves nobody twice."""
    from campaigns.services.plan import campaign_members, treatment_for

    if not campaign.fallbacks:
        return 0
    reachable = (
        Endpoint.objects.filter(
            tenant_id=campaign.tenant_id,
            channel_type__in=sorted(ENDPOINT_TYPES.get(campaign.channel, ())),
            endpoint_status="ACTIVE",
            opt_out="NONE",
        )
        .exclude(address="")
        .exclude(user_id="")
        .values("user_id")
    )
    users = (
        campaign_members(campaign, any_channel=True)
        .exclude(user_id="")
        .exclude(user_id__in=reachable)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
    planned = 0
    by_treatment: dict[str, list[Hop]] = defaultdict(list)
    for user_id in users.iterator(chunk_size=CHUNK):
        treatment = treatment_for(campaign, f"user:{user_id}")
        if treatment is not None and treatment in dispatches:  # a run of one schedule group: its treatments only
            by_treatment[treatment].append(Hop(f"c{campaign.pk}:r{run.pk}:u:{user_id}", None, user_id))
    for treatment, hops in by_treatment.items():
        for start in range(0, len(hops), CHUNK):
            planned += deliveries_fall_back(dispatch=dispatches[treatment], hops=hops[start : start + CHUNK])
    return planned
