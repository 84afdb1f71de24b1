from __future__ import annotations

from django.urls import path

from campaigns import views
from campaigns.views.common import STEP_NAMES

app_name = "campaigns"

urlpatterns = [
    path("", views.CampaignListView.as_view(), name="list"),
    path("new/", views.CampaignNewView.as_view(), name="new"),
    path("<int:pk>/", views.CampaignDetailView.as_view(), name="detail"),
    path("<int:pk>/live/", views.CampaignProgressView.as_view(), name="live"),
    path("<int:pk>/metrics.csv", views.CampaignExportView.as_view(), name="export"),
    *[
        path(f"<int:pk>/setup/{step}/", views.CampaignSetupView.as_view(), {"step": step}, name=f"setup_{step}")
        for step in STEP_NAMES
    ],
    path("<int:pk>/eligible/", views.EligibleView.as_view(), name="eligible"),
    path("<int:pk>/preview/", views.MessagePreviewView.as_view(), name="preview"),
    *[
        path(f"<int:pk>/{action}/", views.CampaignActionView.as_view(), {"action": action}, name=action)
        for action in ("launch", "pause", "resume", "stop", "duplicate")
    ],
    path("<int:pk>/delete/", views.CampaignDeleteView.as_view(), name="delete"),
    path("<int:pk>/test-send/", views.CampaignTestSendView.as_view(), name="test_send"),
]
