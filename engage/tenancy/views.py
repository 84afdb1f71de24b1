"""Console pages for tenant settings, members, API keys and the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from engage.errors import DomainError
from engage.tenancy.forms import ApiKeyForm, InviteForm, RoleForm, TenantSettingsForm
from engage.tenancy.models import ApiKey, AuditLog, Capability, Membership, Role, Tenant
from engage.tenancy.services import (
    TENANT_SETTINGS_FIELDS,
    apikey_create,
    apikey_revoke,
    member_change_role,
    member_invite,
    member_remove,
    tenant_update_settings,
)
from engage.tenancy.web import TenantView, form_error


class SettingsView(TenantView):
    """General settings: name, time zone and the project defaults campaigns and journeys start from."""

    write_capability = Capability.MANAGE

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        return self._render(TenantSettingsForm(instance=self.tenant))

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        # A copy: a rejected form must not change the tenant the page header shows.
        form = TenantSettingsForm(request.POST, instance=Tenant.objects.get(pk=self.tenant.pk))
        if form.is_valid():
            changes = {f: form.cleaned_data[f] for f in TENANT_SETTINGS_FIELDS}
            try:
                tenant_update_settings(tenant=self.tenant, by=self.actor, ip=self.ip, **changes)
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, "Settings saved. They apply to campaigns and journeys created from now on.")
                return redirect("tenancy:settings", tenant_id)
        return self._render(form, status=400)

    def _render(self, form: TenantSettingsForm, status: int = 200) -> HttpResponse:
        if not self.can(Capability.MANAGE):
            for field in form.fields.values():
                field.disabled = True
        return render(self.request, "tenancy/settings.html", {"form": form, "tab": "general"}, status=status)


class MembersView(TenantView):
    write_capability = Capability.MANAGE

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        return self._render(InviteForm())

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        form = InviteForm(request.POST)
        if form.is_valid():
            try:
                membership, new_user = member_invite(
                    tenant=self.tenant,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    by=self.actor,
                    by_role=self.access.role,
                    ip=self.ip,
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                note = "They will get an email to set a password." if new_user else "They have been emailed."
                messages.success(request, f"{membership.user.email} added as {membership.get_role_display()}. {note}")
                return redirect("tenancy:members", tenant_id)
        return self._render(form, status=400)

    def _render(self, form: InviteForm, status: int = 200) -> HttpResponse:
        members = Membership.objects.for_tenant(self.tenant).select_related("user")
        return render(
            self.request,
            "tenancy/members.html",
            {"form": form, "members": members, "roles": Role.choices, "tab": "members"},
            status=status,
        )


class MemberDetailView(TenantView):
    """POST a new role, or `remove=1` to take the member out."""

    write_capability = Capability.MANAGE

    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        membership = get_object_or_404(Membership.objects.for_tenant(self.tenant).select_related("user"), pk=pk)
        try:
            if request.POST.get("remove"):
                member_remove(membership=membership, by=self.actor, by_role=self.access.role, ip=self.ip)
                messages.success(request, f"{membership.user.email} no longer has access to {self.tenant.name}.")
            else:
                form = RoleForm(request.POST)
                if not form.is_valid():
                    messages.error(request, "Choose one of the listed roles.")
                    return redirect("tenancy:members", tenant_id)
                member_change_role(
                    membership=membership,
                    role=form.cleaned_data["role"],
                    by=self.actor,
                    by_role=self.access.role,
                    ip=self.ip,
                )
                messages.success(request, f"{membership.user.email} is now {form.cleaned_data['role']}.")
        except DomainError as exc:
            messages.error(request, exc.message[:1].upper() + exc.message[1:] + ".")
        if membership.user_id == request.user.pk and request.POST.get("remove"):
            return redirect("landing")
        return redirect("tenancy:members", tenant_id)

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        get_object_or_404(Membership.objects.for_tenant(self.tenant), pk=pk)
        return redirect("tenancy:members", tenant_id)


_NEW_KEY_SESSION = "engage.new_api_key"


class ApiKeysView(TenantView):
    read_capability = Capability.MANAGE
    write_capability = Capability.MANAGE

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        return self._render(ApiKeyForm(), created=self._pop_created())

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        form = ApiKeyForm(request.POST)
        if form.is_valid():
            try:
                key, _ = apikey_create(
                    tenant=self.tenant,
                    name=form.cleaned_data["name"],
                    role=form.cleaned_data["role"],
                    allowed_cidrs=form.cleaned_cidrs(),
                    by=self.actor,
                    ip=self.ip,
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                # Post/redirect/get, so that reloading the page neither creates a second key nor shows
                # the secret again: the session holds only the key's id, for the next page view.
                request.session[_NEW_KEY_SESSION] = key.pk
                return redirect("tenancy:api_keys", tenant_id)
        return self._render(form, status=400)

    def _pop_created(self) -> tuple[ApiKey, str] | None:
        """The key created just before this page view, with its secret, shown once to its creator."""
        pk = self.request.session.pop(_NEW_KEY_SESSION, None)
        if not isinstance(pk, int):
            return None
        key = ApiKey.objects.filter(tenant=self.tenant, pk=pk, created_by=self.actor, revoked_at=None).first()
        return (key, key.secret) if key is not None else None

    def _render(self, form: ApiKeyForm, status: int = 200, created: Any = None) -> HttpResponse:
        keys = ApiKey.objects.filter(tenant=self.tenant).select_related("created_by")
        return render(
            self.request,
            "tenancy/api_keys.html",
            {"form": form, "keys": keys, "created": created, "tab": "keys"},
            status=status,
        )


class ApiKeyRevokeView(TenantView):
    read_capability = Capability.MANAGE
    write_capability = Capability.MANAGE

    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        key = get_object_or_404(ApiKey.objects.filter(tenant=self.tenant), pk=pk)
        try:
            apikey_revoke(key=key, by=self.actor, ip=self.ip)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Key {key.key_id} revoked; requests made with it are refused from now on.")
        return redirect("tenancy:api_keys", tenant_id)

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        get_object_or_404(ApiKey.objects.filter(tenant=self.tenant), pk=pk)
        return redirect("tenancy:api_keys", tenant_id)


class AuditLogView(TenantView):
    read_capability = Capability.MANAGE

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        entries = AuditLog.objects.filter(tenant=self.tenant)
        action = request.GET.get("action", "").strip()
        actor = request.GET.get("actor", "").strip()
        if action:
            entries = entries.filter(action__startswith=action)
        if actor:
            entries = entries.filter(actor_label__icontains=actor)
        page = Paginator(entries, 50).get_page(request.GET.get("page"))
        actions = (
            AuditLog.objects.filter(tenant=self.tenant).values_list("action", flat=True).distinct().order_by("action")
        )
        return render(
            request,
            "tenancy/audit.html",
            {"page": page, "action": action, "actor": actor, "actions": list(actions), "tab": "audit"},
        )


class TenantHomeView(TenantView):
    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("campaigns:list", args=[tenant_id]))
