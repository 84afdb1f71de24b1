from __future__ import annotations

from django.contrib import admin

from campaigns.models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "status", "created_at"]
    list_filter = ["status", "tenant"]
    search_fields = ["name", "tenant__name", "tenant__public_id"]
    list_select_related = ["tenant"]
    readonly_fields = ["created_at", "updated_at"]
