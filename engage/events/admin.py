"""Django admin for operators: event-stream destinations across tenants. Secrets are never shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from engage import clock
from engage.events.streams.models import DELIVERY_STATE_FIELDS, EventStream

# Webhook secrets and AWS keys are left out of every admin page; tenants set them in the console or API.
FIELDS = (
    "tenant",
    "name",
    "kind",
    "enabled",
    "bucket",
    "prefix",
    "stream_name",
    "url",
    "timeout_seconds",
    "region",
    "endpoint_url",
    "credentials",
    *DELIVERY_STATE_FIELDS,
    "created_at",
    "updated_at",
)


@admin.register(EventStream)
class EventStreamAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "tenant",
        "kind",
        "enabled",
        "cursor",
        "exported_count",
        "last_success_at",
        "failures",
        "last_error_at",
    ]
    list_filter = ["tenant", "kind", "enabled"]
    search_fields = ["name", "tenant__name", "tenant__public_id", "bucket", "stream_name", "url"]
    list_select_related = ["tenant"]
    fields = FIELDS
    readonly_fields = [f for f in FIELDS if f != "enabled"]
    actions = ["retry_now"]

    @admin.display(description="AWS credentials")
    def credentials(self, stream: EventStream) -> str:
        if not stream.is_aws:
            return "—"
        return "access key (stored encrypted)" if stream.uses_access_key else "default credential chain"

    @admin.action(description="Retry now (clear the backoff)")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[EventStream]) -> None:
        count = queryset.update(next_attempt_at=None)
        self.message_user(request, f"{count} destination(s) will be tried at the next tick.")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: EventStream, form: Any, change: bool) -> None:
        obj.updated_at = clock.now()
        super().save_model(request, obj, form, change)
