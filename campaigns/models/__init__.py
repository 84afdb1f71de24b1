"""Campaigns and their runs."""

from __future__ import annotations

from campaigns.models.campaign import Campaign
from campaigns.models.journey import ActivityCount, Journey, JourneyVersion, Participant
from campaigns.models.run import CampaignRun

__all__ = ["ActivityCount", "Campaign", "CampaignRun", "Journey", "JourneyVersion", "Participant"]
