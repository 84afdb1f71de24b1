"""Django admin for operators (cross-tenant): the suppression lists, soft bounces and the tenants' policies.

Removing a suppression or changing a policy goes through the services, so the tenant's audit log shows it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from segments.models import BounceRecord, ConsentPolicy, DeliverabilityPolicy, SuppressedAddress
from segments.services.policies import consent_policy_update, deliverability_policy_update
from segments.services.suppression import suppression_remove


@admin.register(SuppressedAddress)
class SuppressedAddressAdmin(admin.ModelAdmin):
    list_display = ("address", "tenant", "channel", "reason", "source", "created_by", "created_at")
    list_filter = ("reason", "channel")
    search_fields = ("address", "tenant__name", "tenant__public_id")
    list_select_related = ("tenant",)
    readonly_fields = ("tenant", "address", "channel", "reason", "source", "note", "created_by", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # operators add through the tenant's console or API, where the address is normalised

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: SuppressedAddress) -> None:
        suppression_remove(tenant=obj.tenant, suppression=obj, by=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SuppressedAddress]) -> None:
        for row in queryset.select_related("tenant"):
            self.delete_model(request, row)


@admin.register(BounceRecord)
class BounceRecordAdmin(admin.ModelAdmin):
    list_display = ("address", "tenant", "source", "at")
    search_fields = ("address", "tenant__public_id")
    list_select_related = ("tenant",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DeliverabilityPolicy)
class DeliverabilityPolicyAdmin(admin.ModelAdmin):
    list_display = ("tenant", "soft_bounce_threshold", "soft_bounce_window_days", "updated_at")
    search_fields = ("tenant__name", "tenant__public_id")
    fields = ("tenant", "soft_bounce_threshold", "soft_bounce_window_days")
    readonly_fields = ("tenant",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: DeliverabilityPolicy, form: Any, change: bool) -> None:
        deliverability_policy_update(
            tenant=obj.tenant,
            soft_bounce_threshold=obj.soft_bounce_threshold,
            soft_bounce_window_days=obj.soft_bounce_window_days,
            by=request.user,  # type: ignore[arg-type]
        )


@admin.register(ConsentPolicy)
class ConsentPolicyAdmin(admin.ModelAdmin):
    list_display = ("tenant", "channel", "require_opt_in", "applies_to", "updated_at")
    list_filter = ("channel", "require_opt_in", "applies_to")
    search_fields = ("tenant__name", "tenant__public_id")
    fields = ("tenant", "channel", "require_opt_in", "applies_to")
    readonly_fields = ("tenant", "channel")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ConsentPolicy, form: Any, change: bool) -> None:
        consent_policy_update(
            tenant=obj.tenant,
            channel=obj.channel,
            require_opt_in=obj.require_opt_in,
            applies_to=obj.applies_to,
            by=request.user,  # type: ignore[arg-type]
        )
