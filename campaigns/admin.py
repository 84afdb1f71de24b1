from __future__ import annotations

import json

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from campaigns.models import Campaign, EntryRefusal, Journey, JourneyVersion, Participant


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "status", "created_at"]
    list_filter = ["status", "tenant"]
    search_fields = ["name", "tenant__name", "tenant__public_id"]
    list_select_related = ["tenant"]
    readonly_fields = ["created_at", "updated_at"]


def _pretty(value: object) -> str:
    return format_html("<pre style='white-space: pre-wrap'>{}</pre>", json.dumps(value, indent=2, sort_keys=True))


class ReadOnlyAdmin(admin.ModelAdmin):
    """Journeys and their state are written by their services (checks, versions, audit): the admin shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Journey)
class JourneyAdmin(ReadOnlyAdmin):
    """Journeys are written through their services (checks, versions, audit): the admin shows them."""

    list_display = ["name", "tenant", "state", "version", "starts_at", "created_at"]
    list_filter = ["state", "tenant"]
    search_fields = ["name", "tenant__name", "tenant__public_id"]
    list_select_related = ["tenant"]
    exclude = ["definition"]
    readonly_fields = [
        "tenant", "name", "state", "version", "definition_json", "tags", "segment", "entry_event", "test_of",
        "test_wait", "test_wait_seconds", "starts_at", "ends_at", "published_at", "paused_at", "resume_at",
        "next_entry_at", "refreshes", "created_at", "updated_at",
    ]  # fmt: skip

    @admin.display(description="definition")
    def definition_json(self, obj: Journey) -> str:
        return _pretty(obj.definition)


@admin.register(JourneyVersion)
class JourneyVersionAdmin(ReadOnlyAdmin):
    list_display = ["journey", "number", "tenant", "published_at"]
    list_filter = ["tenant"]
    search_fields = ["journey__name"]
    list_select_related = ["journey", "tenant"]
    exclude = ["definition"]
    readonly_fields = ["tenant", "journey", "number", "definition_json", "published_at"]

    @admin.display(description="definition")
    def definition_json(self, obj: JourneyVersion) -> str:
        return _pretty(obj.definition)


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ["key", "journey", "kind", "version", "activity", "state", "wake_at", "exit_reason"]
    list_filter = ["state", "kind", "exit_reason"]
    search_fields = ["key", "journey__name"]
    list_select_related = ["journey"]
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [f.name for f in Participant._meta.fields]


@admin.register(EntryRefusal)
class EntryRefusalAdmin(ReadOnlyAdmin):
    """Refused entries are the engine's record: read only."""

    list_display = ["key", "journey", "kind", "reason", "times", "first_at", "at"]
    list_filter = ["reason", "kind"]
    search_fields = ["key", "journey__name"]
    list_select_related = ["journey"]
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [f.name for f in EntryRefusal._meta.fields]
