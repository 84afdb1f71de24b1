"""Django admin for operators: cross-tenant by design, staff only; secrets are never shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from engage.tenancy.models import ApiKey, AuditLog, Membership, Tenant


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at", "last_used_at"]


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "public_id", "timezone", "created_at"]
    search_fields = ["name", "public_id"]
    readonly_fields = ["public_id", "created_at"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "tenant", "role", "created_at", "last_used_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__email", "tenant__name", "tenant__public_id"]
    list_select_related = ["user", "tenant"]
    autocomplete_fields = ["user", "tenant"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["key_id", "name", "tenant", "role", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["key_id", "name", "tenant__name", "tenant__public_id"]
    list_select_related = ["tenant"]
    # The secret is excluded everywhere; keys are issued with the CLI, the console or the API.
    fields = [
        "key_id",
        "name",
        "tenant",
        "role",
        "allowed_cidrs",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["key_id", "tenant", "role", "created_by", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "tenant", "actor_label", "action", "target_repr", "ip"]
    list_filter = ["action", "tenant"]
    search_fields = ["actor_label", "action", "target_repr", "target_id", "tenant__name", "tenant__public_id"]
    list_select_related = ["tenant"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
