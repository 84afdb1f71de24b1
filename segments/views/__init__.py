"""Console pages of the audience: endpoints, users and the event stream (imports and exports live alongside)."""

from __future__ import annotations

from django.http import HttpRequest


def query_text(request: HttpRequest, name: str, *, limit: int = 256, strip: bool = True) -> str:
    """A query-string value made safe to filter on: trimmed, capped, without NUL (which PostgreSQL refuses)."""
    value = request.GET.get(name, "").replace("\x00", "")
    return (value.strip() if strip else value)[:limit]
