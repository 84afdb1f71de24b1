"""Django admin for operators: cross-tenant by design, staff only; secrets are never shown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from engage.tenancy.models import ApiKey, AuditLog, Membership, Tenant
from engage.tenancy.netaddr import normalize_cidrs


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


class ApiKeyAdminForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "allowed_cidrs", "revoked_at"]

    def clean_allowed_cidrs(self) -> list[str]:
        # Checked like the API does: one bad range would otherwise break every request made with the key.
        value = self.cleaned_data.get("allowed_cidrs") or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError('Enter a list of ranges, for example ["203.0.113.0/24"], or [] for anywhere.')
        return normalize_cidrs(value)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyAdminForm
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
