"""The Outbox page: what the sandbox delivered, newest first, with new messages arriving live."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from channels.outbox import outbox_entry, outbox_filtered
from engage.tenancy.models import Capability
from engage.tenancy.web import TenantView
from templates.models import Channel

PAGE_SIZE = 50
POLL_LIMIT = 200


def _id(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


class OutboxView(TenantView):
    """GET: a page of messages (`before` = older than that id); with `after` (the live poll), only newer ones."""

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        channel = request.GET.get("channel", "")
        channel = channel if channel in Channel.values else ""
        rows = outbox_filtered(tenant=self.tenant, channel=channel).select_related("dispatch")
        after = _id(request, "after")
        if after is not None:
            newer = [outbox_entry(r) for r in rows.filter(pk__gt=after)[:POLL_LIMIT]]
            context = {"entries": newer, "channel": channel, "newest": newer[0].id if newer else after}
            return render(request, "channels/_outbox_poll.html", context)
        before = _id(request, "before")
        if before is not None:
            rows = rows.filter(pk__lt=before)
        page = [outbox_entry(r) for r in rows[: PAGE_SIZE + 1]]
        context = {
            "entries": page[:PAGE_SIZE],
            "older": page[PAGE_SIZE - 1].id if len(page) > PAGE_SIZE else None,
            "live": before is None,
            "newest": page[0].id if page else 0,
            "channel": channel,
            "can_edit": self.can(Capability.EDIT),
            "channels": [(c, Channel(c).label) for c in Channel.values if c not in (Channel.INAPP,)],
        }
        return render(request, "channels/outbox.html", context)
