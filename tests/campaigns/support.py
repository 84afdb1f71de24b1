"""Helpers for campaign tests: endpoints, a segment, campaign bodies and the API's URLs."""

from __future__ import annotations

from typing import Any

from engage.tenancy.models import Tenant
from segments.models import Segment
from segments.services.endpoints import endpoints_upsert
from segments.services.segments import segment_create


def url(tenant: Tenant, path: str = "") -> str:
    return f"/api/v1/tenants/{tenant.public_id}/campaigns/{path}"


def endpoints(tenant: Tenant, count: int, *, channel: str = "GCM", prefix: str = "ep", **extra: Any) -> list[str]:
    """`count` endpoints with user ids u0.. in the segment `segment_all` selects (Attributes.Team = blue)."""
    items = []
    for i in range(count):
        address = f"user{i}@example.com" if channel == "EMAIL" else f"token-{prefix}-{i}"
        body = {
            "ChannelType": channel,
            "Address": address,
            "Attributes": {"Team": ["blue"]},
            "User": {"UserId": f"u{i}"},
        }
        items.append((f"{prefix}{i}", {**body, **extra}))
    for start in range(0, len(items), 500):
        results = endpoints_upsert(tenant=tenant, items=items[start : start + 500], trusted=True)
        assert all(r.ok for r in results)
    return [endpoint_id for endpoint_id, _ in items]


def segment_all(tenant: Tenant, name: str = "Blue team") -> Segment:
    dims = {"Attributes": {"Team": {"AttributeType": "INCLUSIVE", "Values": ["blue"]}}}
    return segment_create(tenant=tenant, body={"Name": name, "Dimensions": dims}, by="tests")


def push_body(segment: Segment, **extra: Any) -> dict[str, Any]:
    """The Must-show push campaign: DefaultMessage with a personalized title, sent immediately."""
    return {
        "Name": "Welcome push",
        "SegmentId": segment.public_id,
        "MessageConfiguration": {
            "DefaultMessage": {
                "Title": "Hello {{User.UserId}}",
                "Body": "Your offer is waiting",
                "Action": "OPEN_APP",
                "ImageIconUrl": "https://example.com/icon.png",
                "ImageUrl": "https://example.com/banner.png",
            }
        },
        "Schedule": {"StartTime": "IMMEDIATE", "Frequency": "ONCE"},
        **extra,
    }
