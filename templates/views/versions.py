"""Version history: every version with its pointers, a diff between any two, activate and restore."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from engage.errors import DomainError
from engage.tenancy.models import Capability
from segments.views import query_text
from templates.diff import version_diff
from templates.services.templates import template_version_activate, template_version_restore
from templates.views import TemplateMixin


class VersionsView(TemplateMixin):
    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        template = self.template(pk)
        versions = list(template.versions.select_related("created_by"))
        by_number = {v.number: v for v in versions}
        newest = versions[0].number if versions else 0
        a = query_text(request, "a")
        b = query_text(request, "b")
        old = by_number.get(int(a)) if a.isdigit() else by_number.get(versions[1].number if len(versions) > 1 else 0)
        new = by_number.get(int(b)) if b.isdigit() else by_number.get(newest)
        mode = "unified" if query_text(request, "mode") == "unified" else "split"
        diff = version_diff(old=old, new=new) if old and new and old.pk != new.pk else None
        return render(
            request,
            "msgtemplates/versions.html",
            {
                "template": template,
                "versions": versions,
                "old": old,
                "new": new,
                "mode": mode,
                "diff": diff,
                "changed": sum(1 for d in diff if d.changed) if diff else 0,
                "unchanged": [d.label for d in diff if not d.changed] if diff else [],
                "can_edit": self.can(Capability.EDIT),
            },
        )


class ActivateView(TemplateMixin):
    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        return redirect("templates:versions", tenant_id, self.template(pk).pk)

    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        template = self.template(pk)
        try:
            template = template_version_activate(template=template, number=request.POST.get("version"), by=self.actor)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            number = template.active_version.number if template.active_version else "?"
            messages.success(request, f"Version {number} is now the active version of “{template.name}”.")
        target = "templates:edit" if request.POST.get("next") == "edit" else "templates:versions"
        return redirect(target, tenant_id, template.pk)


class RestoreView(TemplateMixin):
    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        return redirect("templates:versions", tenant_id, self.template(pk).pk)

    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        template = self.template(pk)
        try:
            version = template_version_restore(template=template, number=request.POST.get("version"), by=self.actor)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("templates:versions", tenant_id, template.pk)
        messages.success(
            request,
            f"Version {request.POST.get('version')} restored as version {version.number} "
            "(the latest). Activate it when it should be sent.",
        )
        return redirect("templates:edit", tenant_id, template.pk)
