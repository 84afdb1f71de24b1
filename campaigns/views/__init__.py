"""The campaign console: list, create wizard, detail page, lifecycle buttons and live panels."""

from __future__ import annotations

from campaigns.views.detail import (
    CampaignActionView,
    CampaignDeleteView,
    CampaignDetailView,
    CampaignExportView,
    CampaignProgressView,
)
from campaigns.views.listing import CampaignListView
from campaigns.views.preview import EligibleView, MessagePreviewView
from campaigns.views.testsend import CampaignTestSendView
from campaigns.views.wizard import CampaignNewView, CampaignSetupView

__all__ = [
    "CampaignActionView",
    "CampaignDeleteView",
    "CampaignDetailView",
    "CampaignExportView",
    "CampaignListView",
    "CampaignNewView",
    "CampaignProgressView",
    "CampaignSetupView",
    "CampaignTestSendView",
    "EligibleView",
    "MessagePreviewView",
]
