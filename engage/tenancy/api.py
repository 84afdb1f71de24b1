"""REST API for tenants, members, API keys and the audit log."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from engage.api.base import TenantViewSet
from engage.tenancy.models import TENANT_KEY_ROLES, ApiKey, AuditLog, Capability, Membership, Role, Tenant
from engage.tenancy.netaddr import client_ip
from engage.tenancy.selectors import memberships_for_user
from engage.tenancy.services import (
    TENANT_SETTINGS_FIELDS,
    apikey_create,
    apikey_revoke,
    member_change_role,
    member_invite,
    member_remove,
    tenant_create,
    tenant_update_settings,
)


class TenantSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)

    class Meta:
        model = Tenant
        fields = ["id", "name", *[f for f in TENANT_SETTINGS_FIELDS if f != "name"], "created_at"]
        read_only_fields = ["id", "created_at"]


class TenantCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    timezone = serializers.CharField(max_length=64, default="UTC")
    owner_email = serializers.EmailField(required=False, help_text="Invite this person as the tenant's owner.")


def _is_operator(request: Request) -> bool:
    if isinstance(request.auth, ApiKey):
        return request.auth.role == ApiKey.Role.OPERATOR
    return bool(getattr(request.user, "is_staff", False))


class TenantCollectionView(APIView):
    """List the tenants you can reach; operators (operator keys, staff users) also create them."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=TenantSerializer(many=True))
    def get(self, request: Request) -> Response:
        if isinstance(request.auth, ApiKey):
            tenants = Tenant.objects.all() if request.auth.role == ApiKey.Role.OPERATOR else [request.auth.tenant]
        else:
            tenants = [m.tenant for m in memberships_for_user(user=request.user)]  # type: ignore[arg-type]
        return Response(TenantSerializer(tenants, many=True).data)

    @extend_schema(request=TenantCreateSerializer, responses={201: TenantSerializer})
    @transaction.atomic  # a tenant whose owner cannot be invited is not created either
    def post(self, request: Request) -> Response:
        if not _is_operator(request):
            raise PermissionDenied("only operators create tenants")
        data = TenantCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor: Any = request.auth if isinstance(request.auth, ApiKey) else request.user
        ip = client_ip(request._request)
        tenant = tenant_create(
            name=data.validated_data["name"], timezone=data.validated_data["timezone"], by=actor, ip=ip
        )
        if data.validated_data.get("owner_email"):
            member_invite(tenant=tenant, email=data.validated_data["owner_email"], role=Role.OWNER, by=actor, ip=ip)
        return Response(TenantSerializer(tenant).data, status=status.HTTP_201_CREATED)


class TenantDetailViewSet(TenantViewSet, mixins.RetrieveModelMixin, mixins.UpdateModelMixin):
    """The tenant itself: its name, time zone and project defaults."""

    queryset = Tenant.objects.all()
    serializer_class = TenantSerializer
    write_capability = Capability.MANAGE

    def get_queryset(self) -> Any:
        return Tenant.objects.filter(pk=self.tenant.pk)

    def get_object(self) -> Tenant:
        return self.tenant

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = tenant_update_settings(
            tenant=self.tenant, by=self.actor, ip=self.ip, **serializer.validated_data
        )


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "name", "role", "created_at", "last_used_at"]
        read_only_fields = ["id", "name", "created_at", "last_used_at"]


class MembershipRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """People in the tenant. Admins invite, change roles and remove; owners manage owners."""

    queryset = Membership.objects.select_related("user")
    serializer_class = MembershipSerializer
    write_capability = Capability.MANAGE

    @property
    def _by_role(self) -> str:
        # A key acts with its own role (at most admin), so an admin's key cannot manage owners either.
        return self.access.role

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MembershipSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership, _ = member_invite(
            tenant=self.tenant,
            email=data.validated_data["user"]["email"],
            role=data.validated_data.get("role", Role.VIEWER),  # omitted: the model's default
            by=self.actor,
            by_role=self._by_role,
            ip=self.ip,
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MembershipRoleSerializer, responses=MembershipSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MembershipRoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = member_change_role(
            membership=self.get_object(),
            role=data.validated_data["role"],
            by=self.actor,
            by_role=self._by_role,
            ip=self.ip,
        )
        return Response(MembershipSerializer(membership).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member_remove(membership=self.get_object(), by=self.actor, by_role=self._by_role, ip=self.ip)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiKeySerializer(serializers.ModelSerializer):
    created_by = serializers.EmailField(source="created_by.email", read_only=True, default=None)
    allowed_cidrs = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=50)
    role = serializers.ChoiceField(choices=TENANT_KEY_ROLES, default=ApiKey.Role.MARKETER)

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "key_id",
            "role",
            "allowed_cidrs",
            "created_by",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = ["id", "key_id", "created_by", "created_at", "last_used_at", "revoked_at"]


class ApiKeyCreatedSerializer(ApiKeySerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "secret"]


class ApiKeyViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The tenant's API keys. Secrets are shown only in the response that creates them."""

    queryset = ApiKey.objects.select_related("created_by")
    serializer_class = ApiKeySerializer
    read_capability = Capability.MANAGE
    write_capability = Capability.MANAGE

    @extend_schema(request=ApiKeySerializer, responses={201: ApiKeyCreatedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ApiKeySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key, secret = apikey_create(tenant=self.tenant, by=self.actor, ip=self.ip, **data.validated_data)
        key.secret = secret
        return Response(ApiKeyCreatedSerializer(key).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Revoke the key (it stays listed, marked revoked)."""
        apikey_revoke(key=self.get_object(), by=self.actor, ip=self.ip)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuditLogSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")

    class Meta:
        model = AuditLog
        fields = ["id", "created_at", "actor", "action", "target_type", "target_id", "target_repr", "data", "ip"]


class AuditLogViewSet(TenantViewSet, mixins.ListModelMixin):
    """Who did what in the tenant; filter with ?action= (prefix) and ?actor=."""

    queryset = AuditLog.objects.all()
    serializer_class = AuditLogSerializer
    read_capability = Capability.MANAGE

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()
        if action := self.request.query_params.get("action"):
            queryset = queryset.filter(action__startswith=action)
        if actor := self.request.query_params.get("actor"):
            queryset = queryset.filter(actor_label__icontains=actor)
        return queryset
