"""The user page (every endpoint of one user id, across channels) and the audited GDPR erasure."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from engage.errors import DomainError
from engage.tenancy.models import Capability
from engage.tenancy.web import TenantView, form_error
from segments.forms import EraseUserForm
from segments.models import Endpoint
from segments.selectors import user_attributes_merged, user_endpoints, user_recent_events
from segments.services.endpoints import user_erase


class UserMixin(TenantView):
    def endpoints(self, user_id: str) -> list[Endpoint]:
        """The user's endpoints in this tenant; a user id with none is a 404."""
        endpoints = user_endpoints(tenant=self.tenant, user_id=user_id)
        if not endpoints:
            raise Http404("no such user")
        return endpoints

    def render_user(
        self, user_id: str, endpoints: list[Endpoint], form: EraseUserForm, status: int = 200
    ) -> HttpResponse:
        events = user_recent_events(
            tenant=self.tenant, user_id=user_id, endpoint_ids=[e.endpoint_id for e in endpoints]
        )
        context = {
            "user_id": user_id,
            "endpoints": endpoints,
            "user_attributes": user_attributes_merged(endpoints),
            "events": events,
            "form": form,
            "open_erase": form.is_bound,
            "can_edit": self.can(Capability.EDIT),
            "tab": "endpoints",
        }
        return render(self.request, "segments/user.html", context, status=status)


class UserView(UserMixin):
    def get(self, request: HttpRequest, tenant_id: str, user_id: str) -> HttpResponse:
        return self.render_user(user_id, self.endpoints(user_id), EraseUserForm(user_id=user_id))


class UserEraseView(UserMixin):
    """POST the typed user id: erases every endpoint and event of the user, and audits it."""

    def post(self, request: HttpRequest, tenant_id: str, user_id: str) -> HttpResponse:
        endpoints = self.endpoints(user_id)
        form = EraseUserForm(request.POST, user_id=user_id)
        if form.is_valid():
            try:
                removed = user_erase(tenant=self.tenant, user_id=user_id, by=self.actor, ip=self.ip)
            except DomainError as exc:
                form_error(form, exc)
            else:
                count = len(removed)
                messages.success(
                    request,
                    f"User {user_id} erased: {count} endpoint{'' if count == 1 else 's'} and all their events removed. "
                    "The erasure is recorded in the audit log.",
                )
                return redirect("segments:endpoints", tenant_id)
        return self.render_user(user_id, endpoints, form, status=400)

    def get(self, request: HttpRequest, tenant_id: str, user_id: str) -> HttpResponse:
        self.endpoints(user_id)
        return redirect("segments:user", tenant_id, user_id)
