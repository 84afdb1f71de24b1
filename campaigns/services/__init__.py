"""Writes to campaigns: editing (writes), the lifecycle, the fan-out planner and the scheduler tick."""

from __future__ import annotations

from campaigns.services.lifecycle import campaign_launch, campaign_pause, campaign_resume, campaign_stop
from campaigns.services.writes import campaign_create, campaign_delete, campaign_duplicate, campaign_update

__all__ = [
    "campaign_create",
    "campaign_delete",
    "campaign_duplicate",
    "campaign_launch",
    "campaign_pause",
    "campaign_resume",
    "campaign_stop",
    "campaign_update",
]
