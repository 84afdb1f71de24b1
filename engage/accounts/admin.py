from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from engage.accounts.models import SsoDomain, SsoSettings, User
from engage.accounts.services import sso_domain_add, sso_domain_remove
from engage.tenancy.models import MemberRemoval
from engage.tenancy.netaddr import client_ip


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class SsoDomainForm(forms.ModelForm):
    class Meta:
        model = SsoDomain
        fields = ["tenant", "domain"]

    def clean_domain(self) -> str:
        return str(self.cleaned_data.get("domain") or "").strip().lower().removeprefix("@")


@admin.register(SsoDomain)
class SsoDomainAdmin(admin.ModelAdmin):
    """Operators give tenants their login domains here (or with `manage.py sso domain add`)."""

    form = SsoDomainForm
    list_display = ["domain", "tenant", "created_at"]
    search_fields = ["domain", "tenant__name", "tenant__public_id"]
    list_select_related = ["tenant"]
    autocomplete_fields = ["tenant"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["tenant", "domain", "created_at"] if obj is not None else ["created_at"]

    def save_model(self, request: HttpRequest, obj: SsoDomain, form: Any, change: bool) -> None:
        if not change:
            saved = sso_domain_add(tenant=obj.tenant, domain=obj.domain, by=request.user, ip=client_ip(request))  # type: ignore[arg-type]
            obj.pk, obj.created_at = saved.pk, saved.created_at

    def delete_model(self, request: HttpRequest, obj: SsoDomain) -> None:
        sso_domain_remove(tenant=obj.tenant, domain=obj.domain, by=request.user, ip=client_ip(request))  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset.select_related("tenant"):
            self.delete_model(request, obj)


@admin.register(SsoSettings)
class SsoSettingsAdmin(admin.ModelAdmin):
    """Read-only for operators: tenant admins change these in the console, where they are checked and audited."""

    list_display = ["tenant", "oidc_enabled", "saml_enabled", "sso_required", "default_role", "updated_at"]
    list_filter = ["oidc_enabled", "saml_enabled", "sso_required"]
    search_fields = ["tenant__name", "tenant__public_id", "saml_entity_id"]
    list_select_related = ["tenant"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MemberRemoval)
class MemberRemovalAdmin(admin.ModelAdmin):
    """People removed from a tenant, whom single sign-on keeps out until they are invited again."""

    list_display = ["email", "tenant", "removed_at"]
    search_fields = ["email", "tenant__name", "tenant__public_id"]
    list_select_related = ["tenant"]
    readonly_fields = ["tenant", "email", "removed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
