"""Template context for the console shell: the current tenant, the switcher and the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from engage.tenancy.models import Capability
from engage.tenancy.selectors import memberships_for_user

# (label, url name, capability). A section appears once its app is installed and routed.
NAVIGATION = [
    ("Campaigns", "campaigns:list", Capability.VIEW),
    ("Journeys", "journeys:list", Capability.VIEW),
    ("Segments", "segments:list", Capability.VIEW),
    ("Endpoints", "segments:endpoints", Capability.VIEW),
    ("Templates", "templates:list", Capability.VIEW),
    ("Channels", "channels:list", Capability.VIEW),
    ("Analytics", "analytics:overview", Capability.VIEW),
    ("Settings", "tenancy:settings", Capability.VIEW),
]


def console(request: HttpRequest) -> dict[str, Any]:
    access = getattr(request, "access", None)
    if access is None or not request.user.is_authenticated:
        return {}
    tenant_id = access.tenant.public_id
    nav: list[dict[str, Any]] = []
    for label, name, capability in NAVIGATION:
        if not access.can(capability):
            continue
        try:
            url = reverse(name, args=[tenant_id])
        except NoReverseMatch:
            continue
        nav.append({"label": label, "name": name, "url": url, "active": False})
    # One item is active: the one a view names (a settings page living under another section's URL), else the
    # longest URL the path starts with (Segments lives under /audience/, and must not light up Endpoints too).
    named = getattr(request, "nav_active", None)
    matches = [item for item in nav if item["name"] == named] or [
        item for item in nav if request.path.startswith(item["url"])
    ]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {
        "tenant": access.tenant,
        "access": access,
        "nav": nav,
        "switcher": list(memberships_for_user(user=request.user)),  # type: ignore[arg-type]
    }
