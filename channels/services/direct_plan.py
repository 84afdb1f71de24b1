"""Who a direct send goes to: the request's Addresses, Endpoints or Users checked and turned into targets, each
with its channel, address and per-recipient overrides; duplicates found; the request fingerprinted."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from channels.services.direct_content import ChannelMessage
from channels.services.direct_results import PERMANENT_FAILURE, endpoint_not_found, result
from engage.errors import Invalid
from engage.tenancy.models import Tenant
from segments.codec import E164
from segments.models import ChannelType, Endpoint
from segments.selectors import endpoints_by_ids, user_endpoints
from templates.models import Channel

# An endpoint's or address's ChannelType → the channel (and so the Dispatch) it is sent on.
CHANNEL_FOR_TYPE: dict[str, str] = {
    ChannelType.EMAIL: Channel.EMAIL,
    ChannelType.SMS: Channel.SMS,
    ChannelType.VOICE: Channel.VOICE,
    ChannelType.CUSTOM: Channel.CUSTOM,
    **{t: Channel.PUSH for t in ("GCM", "APNS", "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX", "BAIDU", "ADM")},
}
ADDRESS_MAX = 1024
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
_OVERRIDES = ("BodyOverride", "TitleOverride", "RawContent")


@dataclass
class Target:
    """One recipient. `group` is where its answer goes: "Result" (an address), "EndpointResult" or "Users".
    `result` is set when it is answered without a ledger row (endpoint not found, no content for its channel)."""

    group: str
    name: str
    channel: str = ""
    channel_type: str = ""
    endpoint_id: str = ""
    user_id: str = ""
    address: str = ""
    config: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    key: str = ""
    duplicate: bool = False
    result: dict[str, Any] | None = None


def address_problem(channel_type: str, address: str) -> str | None:
    """Why `address` cannot receive a message of this ChannelType, or None."""
    if not address or address != address.strip():
        return "give the address without spaces around it"
    if len(address) > ADDRESS_MAX:
        return f"the address is longer than {ADDRESS_MAX} characters"
    if channel_type == ChannelType.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            return f"{address!r} is not a valid email address"
    elif channel_type in (ChannelType.SMS, ChannelType.VOICE) and not E164.match(address):
        return f"{address!r} is not an E.164 phone number (+ country code and up to 15 digits, no spaces)"
    elif channel_type in CHANNEL_FOR_TYPE and re.search(r"\s", address):
        return "a device token or custom address has no spaces"
    return None


def key_check(key: str) -> None:
    if not KEY_PATTERN.match(key):
        raise Invalid("use 1–255 printable ASCII characters without spaces (a UUID is ideal)", field="Idempotency-Key")


def fingerprint(operation: str, source: str, request: dict[str, Any]) -> str:
    """What makes two requests "the same" for an Idempotency-Key."""
    text = json.dumps([operation, source, request], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _map(request: dict[str, Any], name: str) -> dict[str, Any]:
    value = request.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        keyed = "user id" if name == "Users" else name[:-1].lower()
        raise Invalid(f"{name} must be an object keyed by {keyed}", field=name)
    return value


def request_check(request: Any, keys: tuple[str, ...], limit: int) -> None:
    """The request is an object with recipients (at most `limit`, as Pinpoint's 100) and something to send."""
    if not isinstance(request, dict):
        raise Invalid("the body must be a JSON object (a MessageRequest)", field="body")
    total = sum(len(_map(request, k)) for k in keys)
    if total == 0:
        raise Invalid(f"give at least one recipient in {' or '.join(keys)}", field=keys[0])
    if total > limit:
        field = next(k for k in keys if request.get(k))
        raise Invalid(f"{total} recipients; one request can send to at most {limit}", field=field)
    for name in ("MessageConfiguration", "TemplateConfiguration", "Context"):
        if request.get(name) is not None and not isinstance(request[name], dict):
            raise Invalid(f"{name} must be a JSON object", field=name)
    if not request.get("MessageConfiguration") and not request.get("TemplateConfiguration"):
        raise Invalid("give the message: MessageConfiguration or TemplateConfiguration", field="MessageConfiguration")


def _config(value: Any, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"{path} must be a JSON object", field=path)
    for name in ("Substitutions", "Context"):
        if value.get(name) is not None and not isinstance(value[name], dict):
            raise Invalid(f"{name} must be a JSON object", field=f"{path}.{name}")
    for name in _OVERRIDES:
        if value.get(name) is not None and not isinstance(value[name], str):
            raise Invalid(f"{name} must be text", field=f"{path}.{name}")
    return value


def address_targets(request: dict[str, Any]) -> list[Target]:
    """Addresses: each needs a known ChannelType and an address of its shape (400 naming the field otherwise)."""
    targets = []
    for address, value in _map(request, "Addresses").items():
        path = f"Addresses.{address}"
        config = _config(value, path)
        channel_type = config.get("ChannelType")
        if not channel_type:
            text = "give the ChannelType of the address (EMAIL, SMS, VOICE, GCM, APNS…)"
            raise Invalid(text, field=f"{path}.ChannelType")
        if channel_type not in CHANNEL_FOR_TYPE:
            text = f"{channel_type!r} is not a ChannelType a message can be sent to ({', '.join(CHANNEL_FOR_TYPE)})"
            raise Invalid(text, field=f"{path}.ChannelType")
        problem = address_problem(channel_type, address)
        if problem:
            raise Invalid(problem, field=path)
        targets.append(
            Target("Result", address, CHANNEL_FOR_TYPE[channel_type], channel_type, address=address, config=config)
        )
    return targets


def _endpoint_target(group: str, endpoint_id: str, endpoint: Endpoint | None, config: dict[str, Any]) -> Target:
    if endpoint is None:
        return Target(group, endpoint_id, endpoint_id=endpoint_id, result=endpoint_not_found(endpoint_id))
    target = Target(
        group,
        endpoint_id,
        CHANNEL_FOR_TYPE.get(endpoint.channel_type, ""),
        endpoint.channel_type,
        endpoint_id=endpoint_id,
        user_id=endpoint.user_id or "",
        address=endpoint.address or "",
        config=config,
    )
    if not target.channel:
        text = f"a {endpoint.channel_type} endpoint cannot be sent a direct message"
        target.result = result(PERMANENT_FAILURE, text)
    return target


def endpoint_targets(*, tenant: Tenant, request: dict[str, Any]) -> list[Target]:
    """Endpoints of this tenant by id; an id it does not have is answered "endpoint not found"."""
    wanted = _map(request, "Endpoints")
    configs = {eid: _config(value, f"Endpoints.{eid}") for eid, value in wanted.items()}
    found = endpoints_by_ids(tenant_id=tenant.pk, endpoint_ids=list(wanted))
    return [_endpoint_target("EndpointResult", eid, found.get(eid), configs[eid]) for eid in wanted]


def user_targets(*, tenant: Tenant, request: dict[str, Any]) -> list[Target]:
    """Every endpoint of each user; a user without endpoints gets an empty answer, as Pinpoint gives."""
    targets = []
    for user_id, value in _map(request, "Users").items():
        config = _config(value, f"Users.{user_id}")
        endpoints = user_endpoints(tenant=tenant, user_id=user_id)
        if not endpoints:
            targets.append(Target("Users", user_id, user_id=user_id, result={}))
        for endpoint in endpoints:
            target = _endpoint_target("Users", endpoint.endpoint_id, endpoint, config)
            target.user_id = user_id
            targets.append(target)
    return targets


def _normal(address: str) -> str:
    return address.lower() if "@" in address else address


def mark_duplicates(targets: list[Target]) -> None:
    """The same address twice on one channel: the first is sent, the others answered DUPLICATE."""
    seen: set[tuple[str, str]] = set()
    for target in targets:
        if target.result is not None or not target.address:
            continue
        key = (target.channel, _normal(target.address))
        target.duplicate = key in seen
        seen.add(key)


def recipient_context(target: Target, message: ChannelMessage) -> dict[str, Any] | None:
    """The ledger row's context: substitutions (the message's, then the recipient's), overrides, options."""
    config = target.config or {}
    context: dict[str, Any] = {k: config[k] for k in _OVERRIDES if config.get(k)}
    substitutions = {**message.substitutions, **(config.get("Substitutions") or {})}
    if substitutions:
        context["Substitutions"] = substitutions
    options: dict[str, Any] = {}
    if target.channel == Channel.PUSH and target.channel_type:
        options["ChannelType"] = target.channel_type
    if config.get("Context"):
        options["Context"] = {**message.options.get("Context", {}), **config["Context"]}
    if options:
        context["Options"] = options
    return context or None
