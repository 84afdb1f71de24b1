"""Site-wide views: landing after login, health probes and error pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from engage.redis import redis_client
from engage.tenancy.selectors import memberships_for_user


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    """Send the user to their tenant's campaign screen: the last one used, the only one, or a picker."""
    memberships = list(memberships_for_user(user=request.user))  # type: ignore[arg-type]
    chosen = next((m for m in memberships if m.last_used_at), None) or (
        memberships[0] if len(memberships) == 1 else None
    )
    if chosen is not None and "pick" not in request.GET:
        return HttpResponseRedirect(reverse("campaigns:list", args=[chosen.tenant.public_id]))
    return render(request, "tenancy/picker.html", {"memberships": memberships})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database and Redis both answer."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not ready"; say which
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        redis_client().ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {exc.__class__.__name__}"
    ready = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/pinpoint/")) or "application/json" in request.headers.get("Accept", "")


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": message, "code": title.lower().replace(" ", "_")}, status=status)
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 400, "Bad request", "The request could not be understood. Check the address and try again.")


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "Your role does not allow this action."
    return _error(request, 403, "Not allowed", message)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted without a valid CSRF token: usually a page left open past its session."""
    return _error(
        request,
        403,
        "Page expired",
        "This page was open too long or you logged in or out elsewhere. Go back, reload the page and try again.",
    )


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 404, "Not found", "There is nothing here, or you do not have access to it.")


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "Internal error; it has been logged.", "code": "server_error"}, status=500)
    return render(
        request,
        "error.html",
        {
            "status": 500,
            "title": "Something went wrong",
            "message": "The error has been logged. Try again in a moment.",
        },
        status=500,
    )
