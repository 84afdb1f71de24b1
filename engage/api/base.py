"""The one base every tenant-scoped API view inherits: tenant from the URL, access checked, queryset scoped."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import permissions, serializers, viewsets
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request

from engage.tenancy.models import ApiKey, Capability, Tenant
from engage.tenancy.netaddr import client_ip
from engage.tenancy.selectors import Access, require, tenant_access_for_key, tenant_access_for_user


def resolve_access(request: Request, tenant_id: str) -> Access:
    """The caller's access to the tenant named in the URL (NotFound for strangers)."""
    if isinstance(request.auth, ApiKey):
        return tenant_access_for_key(key=request.auth, tenant_id=tenant_id)
    return tenant_access_for_user(user=request.user, tenant_id=tenant_id)  # type: ignore[arg-type]


class Metadata(SimpleMetadata):
    """OPTIONS answers that never fail: what a view cannot describe (hand-shaped JSON) is left out."""

    def determine_actions(self, request: Request, view: Any) -> dict[str, Any]:
        try:
            return dict(super().determine_actions(request, view))
        except AssertionError:  # DRF's own config checks: no serializer_class, or no lookup kwarg (a singleton)
            return {}

    def get_serializer_info(self, serializer: serializers.BaseSerializer) -> dict[str, Any]:
        if not hasattr(serializer, "fields"):
            return {}
        return dict(super().get_serializer_info(serializer))


class TenantViewSet(viewsets.GenericViewSet):
    """Resolves `tenant_id` once, checks the caller's capability for the action, scopes every query."""

    permission_classes = [permissions.IsAuthenticated]
    metadata_class = Metadata
    read_capability: str = Capability.VIEW
    write_capability: str = Capability.EDIT
    action_capabilities: dict[str, str] = {}
    tenant: Tenant
    access: Access

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.access = resolve_access(request, kwargs["tenant_id"])
        self.tenant = self.access.tenant
        require(self.access, self.required_capability(request))

    def required_capability(self, request: Request) -> str:
        if self.action in self.action_capabilities:
            return self.action_capabilities[self.action]
        return self.read_capability if request.method in permissions.SAFE_METHODS else self.write_capability

    def get_queryset(self) -> QuerySet[Any]:
        queryset: Any = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        return queryset.for_tenant(self.tenant)

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if hasattr(self, "tenant"):
            context["tenant"] = self.tenant
        return context

    @property
    def actor(self) -> Any:
        return self.access.actor

    @property
    def ip(self) -> str:
        return client_ip(self.request._request)


class TenantPKField(serializers.PrimaryKeyRelatedField):
    """A related id that resolves only inside the request's tenant: a foreign id is a validation error."""

    def get_queryset(self) -> QuerySet[Any]:
        queryset: Any = super().get_queryset()
        tenant = self.context.get("tenant")
        if tenant is None:
            return queryset.none()
        return queryset.for_tenant(tenant)
