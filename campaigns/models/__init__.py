"""Campaigns and their runs."""

from __future__ import annotations

from campaigns.models.campaign import Campaign
from campaigns.models.journey import ActivityCount, EntryRefusal, Journey, JourneyVersion, Participant
from campaigns.models.run import CampaignRun

__all__ = ["ActivityCount", "Campaign", "CampaignRun", "EntryRefusal", "Journey", "JourneyVersion", "Participant"]
