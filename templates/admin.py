"""Django admin for operators: message templates and their versions across tenants, read-only.

Changes go through the console or the API, which check the content and write the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from templates.models import MessageTemplate, TemplateVersion

TEMPLATE_FIELDS = (
    "tenant",
    "name",
    "channel",
    "tags",
    "missing_variable_policy",
    "active_version",
    "latest_version",
    "last_version_number",
    "created_by",
    "created_at",
    "updated_at",
)
VERSION_FIELDS = (
    "tenant",
    "template",
    "number",
    "content",
    "default_substitutions",
    "description",
    "created_by",
    "created_by_label",
    "created_at",
    "updated_at",
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class VersionInline(admin.TabularInline):
    model = TemplateVersion
    fk_name = "template"
    extra = 0
    fields = readonly_fields = ("number", "description", "created_by_label", "created_at", "updated_at")
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "channel",
        "tenant",
        "active_number",
        "latest_number",
        "missing_variable_policy",
        "updated_at",
    ]
    list_filter = ["channel", "missing_variable_policy", "tenant"]
    search_fields = ["name", "tenant__name", "tenant__public_id"]
    list_select_related = ["tenant", "active_version", "latest_version"]
    fields = TEMPLATE_FIELDS
    readonly_fields = TEMPLATE_FIELDS
    inlines = [VersionInline]

    @admin.display(description="Active")
    def active_number(self, obj: MessageTemplate) -> str:
        return f"v{obj.active_version.number}" if obj.active_version else "—"

    @admin.display(description="Latest")
    def latest_number(self, obj: MessageTemplate) -> str:
        return f"v{obj.latest_version.number}" if obj.latest_version else "—"


@admin.register(TemplateVersion)
class TemplateVersionAdmin(ReadOnlyAdmin):
    list_display = ["template", "number", "tenant", "description", "created_by_label", "created_at"]
    list_filter = ["template__channel", "tenant"]
    search_fields = ["template__name", "description", "tenant__name", "tenant__public_id"]
    list_select_related = ["template", "tenant"]
    fields = VERSION_FIELDS
    readonly_fields = VERSION_FIELDS
