"""Console routes of channels (under /t/<tenant_id>/channels/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from channels.views import configs as config_views
from channels.views import deliveries as delivery_views
from channels.views import guard as guard_views
from channels.views import identities as identity_views
from channels.views import messaging as messaging_views
from channels.views import outbox as outbox_views
from channels.views import suppression as suppression_views

app_name = "channels"

urlpatterns: list[URLPattern] = [
    path("", config_views.ChannelListView.as_view(), name="list"),
    path("configs/new/", config_views.ConfigCreateView.as_view(), name="create"),
    path("configs/<int:pk>/", config_views.ConfigEditView.as_view(), name="edit"),
    path("configs/<int:pk>/check/", config_views.ConfigCheckView.as_view(), name="check"),
    path("configs/<int:pk>/delete/", config_views.ConfigDeleteView.as_view(), name="delete"),
    path("configs/<int:pk>/pause/", guard_views.ConfigPauseView.as_view(), name="pause"),
    path("configs/<int:pk>/resume/", guard_views.ConfigResumeView.as_view(), name="resume"),
    path("delivery-settings/", guard_views.DeliverySettingsView.as_view(), name="delivery_settings"),
    path("configs/<int:pk>/identities/", identity_views.IdentitiesView.as_view(), name="identities"),
    path("identities/<int:pk>/refresh/", identity_views.IdentityRefreshView.as_view(), name="identity_refresh"),
    path("identities/<int:pk>/delete/", identity_views.IdentityDeleteView.as_view(), name="identity_delete"),
    path("suppression/", suppression_views.SuppressionListView.as_view(), name="suppression"),
    path("suppression/import/", suppression_views.SuppressionImportView.as_view(), name="suppression_import"),
    path("suppression/export.csv", suppression_views.SuppressionExportView.as_view(), name="suppression_export"),
    path("suppression/soft-bounces/", suppression_views.SoftBounceView.as_view(), name="suppression_bounces"),
    path("suppression/consent/", suppression_views.ConsentView.as_view(), name="suppression_consent"),
    path("suppression/<int:pk>/remove/", suppression_views.SuppressionRemoveView.as_view(), name="suppression_remove"),
    path("outbox/", outbox_views.OutboxView.as_view(), name="outbox"),
    path("deliveries/", delivery_views.DeliveriesView.as_view(), name="deliveries"),
    path("deliveries/<int:pk>/", delivery_views.DispatchView.as_view(), name="dispatch"),
    path("test/", messaging_views.TestMessagesView.as_view(), name="test_messages"),
    path(
        "templates/<int:pk>/test-send/",
        messaging_views.TemplateTestSendView.as_view(),
        name="template_test_send",
    ),
]
