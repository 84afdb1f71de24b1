"""Helpers shared by the audience page tests (not a test module)."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from engage.events.models import Event
from engage.tenancy.models import Membership, Tenant
from segments.models import Endpoint
from segments.services.endpoints import endpoint_upsert
from segments.services.ingest import events_ingest


def page(tenant: Tenant, path: str = "") -> str:
    return f"/t/{tenant.public_id}/audience/{path}"


def login(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def endpoint(tenant: Tenant, endpoint_id: str, **data: Any) -> Endpoint:
    body = {"ChannelType": "EMAIL", "Address": f"{endpoint_id}@example.com", **data}
    return endpoint_upsert(tenant=tenant, endpoint_id=endpoint_id, data=body)


def event(tenant: Tenant, endpoint_id: str, event_type: str, **attributes: str) -> Event:
    batch = {
        "BatchItem": {
            endpoint_id: {
                "Endpoint": {},
                "Events": {
                    "e": {
                        "EventType": event_type,
                        "Timestamp": "2026-11-23T10:00:00Z",
                        "Attributes": attributes,
                    }
                },
            }
        }
    }
    events_ingest(tenant=tenant, batch=batch)
    return Event.objects.filter(tenant=tenant).latest("id")  # the bulk writer (COPY) does not hand ids back


def rows(html: str) -> list[str]:
    return re.findall(r'data-endpoint="([^"]+)"', html)


def event_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-event-id="(\d+)"', html)]
