"""Django admin for operators: channel configs (credentials never shown), dispatches and the ledger.

The ledger is read-only here: rows change only through the send path, which keeps events in step."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from channels.models import CapReservation, ChannelConfig, Delivery, Dispatch, EmailIdentity, SmsSpend


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ChannelConfig)
class ChannelConfigAdmin(ReadOnlyAdmin):
    list_display = ("name", "tenant", "channel", "provider", "enabled", "is_default", "messages_per_second")
    list_filter = ("channel", "provider", "enabled")
    search_fields = ("name", "tenant__name", "tenant__public_id")
    exclude = ("secrets",)


@admin.register(EmailIdentity)
class EmailIdentityAdmin(ReadOnlyAdmin):
    list_display = ("identity", "tenant", "kind", "verified", "dkim_status", "checked_at")
    search_fields = ("identity",)


@admin.register(Dispatch)
class DispatchAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "tenant",
        "source",
        "channel",
        "provider",
        "campaign_id",
        "journey_id",
        "chunks",
        "created_at",
    )
    list_filter = ("source", "channel", "provider")
    search_fields = ("campaign_id", "journey_id", "request_key", "tenant__public_id")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "tenant", "channel", "address", "endpoint_id", "status", "reason", "queued_at", "sent_at")
    list_filter = ("status", "reason", "channel")
    search_fields = ("address", "endpoint_id", "user_id", "provider_message_id", "key")
    list_select_related = ("tenant",)
    raw_id_fields = ("dispatch",)
    show_full_result_count = False


@admin.register(CapReservation)
class CapReservationAdmin(ReadOnlyAdmin):
    list_display = ("endpoint_id", "tenant", "campaign_id", "journey_id", "at")
    search_fields = ("endpoint_id", "key")
    show_full_result_count = False


@admin.register(SmsSpend)
class SmsSpendAdmin(ReadOnlyAdmin):
    list_display = ("tenant", "month", "parts", "millicents")
