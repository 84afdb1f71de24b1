"""The one base every tenant-scoped console view inherits: tenant from the URL, membership, role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponseBase
from django.views import View

from engage import clock
from engage.errors import DomainError, NotFound
from engage.tenancy.models import Capability, Membership, Tenant
from engage.tenancy.netaddr import client_ip
from engage.tenancy.selectors import Access, tenant_access_for_user

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TenantView(LoginRequiredMixin, View):
    """Resolves `tenant_id` once; a non-member gets 404, a member without the capability 403."""

    read_capability: str = Capability.VIEW
    write_capability: str = Capability.EDIT
    tenant: Tenant
    access: Access

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            self.access = tenant_access_for_user(user=request.user, tenant_id=kwargs["tenant_id"])  # type: ignore[arg-type]
        except NotFound:
            raise Http404("no such tenant") from None
        self.tenant = self.access.tenant
        request.access = self.access  # type: ignore[attr-defined]
        needed = self.read_capability if request.method in SAFE_METHODS else self.write_capability
        if not self.access.can(needed):
            raise PermissionDenied(f"Your role ({self.access.role}) cannot do this in {self.tenant.name}.")
        self._remember_tenant()
        return super().dispatch(request, *args, **kwargs)

    def _remember_tenant(self) -> None:
        # Write when the user moves to another tenant (the landing page follows them) and otherwise
        # at most every five minutes: last-used is a hint, not worth a write per request.
        membership = self.access.membership
        if membership is None:
            return
        key = f"tenant-in-use:{membership.user_id}"
        if cache.get(key) != membership.pk:
            Membership.objects.filter(pk=membership.pk).update(last_used_at=clock.now())
            cache.set(key, membership.pk, 300)

    @property
    def actor(self) -> Any:
        return self.access.actor

    @property
    def ip(self) -> str:
        return client_ip(self.request)

    def can(self, capability: str) -> bool:
        return self.access.can(capability)


def form_error(form: BaseForm, exc: DomainError) -> None:
    """Show a service's refusal on the form field it names (or on the form as a whole)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
