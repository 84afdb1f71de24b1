"""A tenant admin's "test login": a real round trip through the IdP that shows the verdict and logs nobody in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from engage import clock
from engage.accounts.selectors import Admission
from engage.accounts.sso.identity import KIND_LABELS, SsoIdentity
from engage.accounts.sso.refusals import refusal_text
from engage.accounts.sso.saml import TEST_KEY
from engage.tenancy.audit import audit
from engage.tenancy.models import Tenant

PENDING = "engage.sso_test"
REPORTS = "engage.sso_test_reports"


def test_login_start(request: HttpRequest, *, tenant: Tenant, kind: str, provider: Any) -> HttpResponse:
    """Send the admin to the IdP with a marker that turns the answer into a report instead of a login."""
    request.session[PENDING] = {"tenant": tenant.public_id, "kind": kind}
    return provider.redirect(request, "login", data={TEST_KEY: tenant.public_id})  # type: ignore[no-any-return]


def pending_test(request: HttpRequest, *, kind: str) -> str | None:
    """The tenant whose test login of this kind is under way in this browser, if any."""
    pending = request.session.get(PENDING) or {}
    return pending.get("tenant") if pending.get("kind") == kind else None


def _finish(request: HttpRequest, tenant_id: str, report: dict[str, Any]) -> HttpResponse:
    request.session.pop(PENDING, None)
    reports = dict(request.session.get(REPORTS) or {})
    reports[tenant_id] = report
    request.session[REPORTS] = reports
    tenant = Tenant.objects.filter(public_id=tenant_id).first()
    if tenant is not None and request.user.is_authenticated:
        data = {k: report[k] for k in ("kind", "ok", "code", "email")}
        audit(tenant=tenant, actor=request.user, action="sso.test", target=tenant, data=data)  # type: ignore[arg-type]
    return HttpResponseRedirect(reverse("sso:settings", args=[tenant_id]) + "#test-result")


def test_login_report(
    request: HttpRequest, *, tenant_id: str, identity: SsoIdentity, admission: Admission
) -> HttpResponse:
    """Keep what the IdP said and what Engage would do with it, for the settings page to show."""
    code, tenant = admission.refusal, admission.tenant
    if tenant is not None and tenant.public_id != tenant_id:
        code, tenant = "domain", Tenant.objects.filter(public_id=tenant_id).first()  # another team's domain
    params = {"email": identity.email, "domain": identity.hosted_domain or identity.email_domain}
    params["tenant"] = tenant.name if tenant else ""
    title, message = refusal_text(code, **params) if code else ("Login works", "")
    report = {
        "kind": identity.kind,
        "kind_label": KIND_LABELS[identity.kind],
        "ok": code is None,
        "code": code,
        "title": title,
        "message": message,
        "email": identity.email,
        "name": f"{identity.first_name} {identity.last_name}".strip(),
        "groups": list(identity.groups),
        "role": admission.role if code is None else None,
        "new_member": admission.membership is None,
        "claims": identity.claims,
        "at": clock.now().isoformat(),
    }
    return _finish(request, tenant_id, report)


def test_login_failed(request: HttpRequest, *, tenant_id: str, kind: str, code: str, detail: str) -> HttpResponse:
    """Report a test login the IdP or the response checks ended before Engage looked at the person."""
    title, message = refusal_text(code, detail=detail)
    report = {"kind": kind, "kind_label": KIND_LABELS[kind], "ok": False, "code": code, "title": title}
    report.update(message=message, email="", claims={}, at=clock.now().isoformat())
    return _finish(request, tenant_id, report)


def test_report_pop(request: HttpRequest, *, tenant: Tenant) -> dict[str, Any] | None:
    """The report of the last test login of this tenant in this browser (shown once)."""
    reports = dict(request.session.get(REPORTS) or {})
    report = reports.pop(tenant.public_id, None)
    if report is not None:
        request.session[REPORTS] = reports
    return report
