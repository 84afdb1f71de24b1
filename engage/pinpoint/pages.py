"""Pinpoint's pagination: `page-size` (a string in the model) and an opaque `token` / `next-token`."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from engage.errors import Invalid

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


def page_size(value: Any, *, field: str = "PageSize") -> int:
    """A page size of 1–1000 (50 when not given)."""
    if value in (None, ""):
        return DEFAULT_PAGE_SIZE
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE_SIZE:
        raise Invalid(f"{field} must be a whole number from 1 to {MAX_PAGE_SIZE}", field=field)
    return int(text)


def token_encode(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def token_offset(value: Any, *, field: str = "Token") -> int:
    """Where the page the token names starts; Invalid for a token this API did not hand out."""
    if value in (None, ""):
        return 0
    text = str(value)
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        offset = data["o"]
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise Invalid(f"{field} is not a token this API returned", field=field) from None
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise Invalid(f"{field} is not a token this API returned", field=field)
    return offset


def page(
    rows: Sequence[T] | Any,
    *,
    params: dict[str, Any],
    render: Callable[[T], Any],
    token_param: str = "Token",  # noqa: S107  (a query parameter name)
) -> dict[str, Any]:
    """`{"Item": [...], "NextToken": ...}` for the page the query parameters ask for (rows may be a QuerySet)."""
    size = page_size(params.get("PageSize"))
    offset = token_offset(params.get(token_param), field=token_param)
    found = list(rows[offset : offset + size + 1])
    out: dict[str, Any] = {"Item": [render(row) for row in found[:size]]}
    if len(found) > size:
        out["NextToken"] = token_encode(offset + size)
    return out
