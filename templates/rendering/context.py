"""The personalization context: what `{{…}}` can read for one recipient, named as Pinpoint named it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

_MAX_DEPTH = 32


def personalization_context(
    endpoint: dict[str, Any],
    *,
    application_id: str,
    campaign_id: str = "",
    journey_id: str = "",
    defaults: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    trusted: bool = False,
) -> dict[str, Any]:
    """The context for one endpoint (Pinpoint's EndpointResponse JSON): Address, ChannelType, EndpointId and Id,
    OptOut, EndpointStatus, CreationDate, EffectiveDate, RequestId, Attributes, Metrics, Demographic, Location,
    User (UserId, UserAttributes), plus Pinpoint.ApplicationId/CampaignId/JourneyId.

    `extra` is send-time data from a campaign hook, merged into Attributes (text becomes a one-item list, as
    attributes are lists of strings). `defaults` are the template's default substitutions, e.g.
    {"User.UserAttributes.FirstName": "there"}, used where the recipient has no value.

    `trusted`: the endpoint is already plain JSON (segments.codec built it from stored JSON): it is copied
    without checking every value's type — the send path builds one per message. Without `extra` or `defaults`
    only the top level is written to, so a shallow copy keeps the caller's endpoint unchanged."""
    if trusted:
        context = json_copy(endpoint) if extra or defaults or type(endpoint) is not dict else dict(endpoint)
    else:
        context = plain(endpoint)
    if not isinstance(context, dict):
        raise TypeError("the endpoint must be a JSON object (Pinpoint's EndpointResponse)")
    endpoint_id = context.get("Id", context.get("EndpointId"))
    if endpoint_id is not None:
        context.setdefault("Id", endpoint_id)
        context.setdefault("EndpointId", endpoint_id)
    context.setdefault("ApplicationId", application_id)
    pinpoint = {"ApplicationId": application_id}
    if campaign_id:
        pinpoint["CampaignId"] = campaign_id
    if journey_id:
        pinpoint["JourneyId"] = journey_id
    context["Pinpoint"] = pinpoint
    if extra:
        attributes = context.get("Attributes")
        if not isinstance(attributes, dict):
            attributes = context["Attributes"] = {}
        for name, value in extra.items():
            converted = plain(value)
            attributes[str(name)] = [converted] if isinstance(converted, str) else converted
    for key, value in (defaults or {}).items():
        _apply_default(context, str(key), plain(value))
    return context


def _is_nothing(value: Any) -> bool:
    return (
        value is None or value == "" or value == [] or (isinstance(value, list) and all(v in ("", None) for v in value))
    )


def _apply_default(context: dict[str, Any], key: str, value: Any) -> None:
    parts = variable_parts(key)
    if not parts:
        return
    node = context
    for part in parts[:-1]:
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            return
        node = child
    if not _is_nothing(node.get(parts[-1])):
        return
    is_attribute = (parts[0] == "Attributes" and len(parts) == 2) or (
        parts[:2] == ("User", "UserAttributes") and len(parts) == 3
    )
    node[parts[-1]] = [value] if is_attribute and isinstance(value, str) else value


@lru_cache(maxsize=1024)
def variable_parts(name: str) -> tuple[str, ...]:
    """The parts of a variable name as written in a template ("User.UserAttributes.[Last Name].[0]"), without a
    trailing list index (a default applies to the attribute)."""
    from templates.rendering.errors import TemplateError
    from templates.rendering.nodes import Mustache, PathExpr
    from templates.rendering.parser import parse
    from templates.rendering.runtime import is_index

    name = name.strip().removeprefix("{{").removesuffix("}}").strip()
    try:
        body = parse("{{" + name + "}}").body
    except TemplateError:
        body = []
    if len(body) == 1 and isinstance(body[0], Mustache) and isinstance(body[0].path, PathExpr) and not body[0].params:
        path = body[0].path
        parts = tuple(path.parts) if not path.data and not path.depth else ()
    else:
        parts = tuple(part for part in name.split(".") if part)
    while parts and is_index(parts[-1]):
        parts = parts[:-1]
    return parts


def json_copy(value: Any) -> Any:
    """A deep copy of data that is already plain JSON (dicts, lists and scalars only)."""
    kind = type(value)
    if kind is dict:
        return {key: json_copy(item) for key, item in value.items()}
    if kind is list:
        return [json_copy(item) for item in value]
    return value


def plain(value: Any, depth: int = 0) -> Any:
    """JSON data only (dict, list, str, int, float, bool, None): the renderer reads nothing else."""
    if value is None or isinstance(value, (str, bool, int, float)):
        if isinstance(value, str) and type(value) is not str:
            return str(value)
        return value
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, dict):
        return {str(key): plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(item, depth + 1) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() == UTC.utcoffset(None):
            return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
