"""A banner on every console page of a tenant while one of its channel configs is paused."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from channels.models import ChannelConfig


def paused_channels(request: HttpRequest) -> dict[str, Any]:
    """The tenant's paused configs (one indexed query, only on tenant pages)."""
    access = getattr(request, "access", None)
    tenant = getattr(access, "tenant", None)
    if tenant is None:
        return {}
    paused = list(
        ChannelConfig.objects.filter(tenant=tenant, paused_at__isnull=False).only("name", "paused_reason", "tenant")
    )
    return {"paused_channels": paused} if paused else {}
