"""Pinpoint's endpoint JSON (EndpointRequest / PublicEndpoint / EndpointResponse) to and from Endpoint rows.

Parsing validates every field against Pinpoint's rules and limits and raises `Invalid` naming the field;
merging applies UpdateEndpoint semantics (given keys replace, absent keys stay, an empty list removes an
attribute).
"""

from __future__ import annotations

import hashlib
import math
import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.dateparse import parse_datetime

from engage.errors import Invalid
from segments.models import ChannelType, Endpoint
from segments.models.endpoint import PUSH_CHANNELS

MAX_NAME = 50
MAX_VALUE = 100
MAX_VALUES = 50
MAX_ENDPOINT_BYTES = 15 * 1024
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
# Engage's extension key for recorded consent; Pinpoint clients ignore keys they do not know.
OPT_IN = "EngageOptIn"
DEMOGRAPHIC = {
    "AppVersion": "app_version",
    "Locale": "locale",
    "Make": "make",
    "Model": "model",
    "ModelVersion": "model_version",
    "Platform": "platform",
    "PlatformVersion": "platform_version",
    "Timezone": "timezone",
}
LOCATION_TEXT = {"City": "city", "Country": "country", "PostalCode": "postal_code", "Region": "region"}
TIMEZONE_ALIASES = {"Canada/East-Saskatchewan": "America/Regina", "US/Pacific-New": "America/Los_Angeles"}
_ZONES = zoneinfo.available_timezones()
# TextChoices.values rebuilds its list on every access; imports parse millions of endpoints.
CHANNEL_TYPES = ChannelType.values
STATUSES = Endpoint.Status.values
OPT_OUTS = Endpoint.OptOut.values


@dataclass
class EndpointWrite:
    """A validated endpoint update: only the fields the request carried."""

    endpoint_id: str
    scalars: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, list[str]] | None = None
    metrics: dict[str, float] | None = None
    user_attributes: dict[str, list[str]] | None = None
    opt_in_now: bool = False  # EngageOptIn without a Date: recorded when applied, unless already recorded

    def names(self) -> set[tuple[str, str]]:
        out = {("attribute", n) for n in self.attributes or {} if self.attributes and self.attributes[n]}
        out |= {("metric", n) for n in self.metrics or {}}
        out |= {
            ("user_attribute", n)
            for n in self.user_attributes or {}
            if self.user_attributes and self.user_attributes[n]
        }
        return out


def _text(value: Any, path: str, *, limit: int = 256, allow_empty: bool = True) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise Invalid(f"{path} must be a string", field=path)
    text = str(value)
    if len(text) > limit:
        raise Invalid(f"{path} is longer than {limit} characters", field=path)
    if not allow_empty and not text:
        raise Invalid(f"{path} must not be empty", field=path)
    return text


def _string_lists(value: Any, path: str) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise Invalid(f"{path} must be an object of name → list of strings", field=path)
    out: dict[str, list[str]] = {}
    for name, values in value.items():
        where = f"{path}.{name}"
        if not isinstance(name, str) or not name or len(name) > MAX_NAME:
            raise Invalid(f"attribute names must be 1–{MAX_NAME} characters: {name!r}", field=where)
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list):
            raise Invalid(f"{where} must be a list of strings", field=where)
        if len(values) > MAX_VALUES:
            raise Invalid(f"{where} has {len(values)} values; at most {MAX_VALUES} are allowed", field=where)
        cleaned = []
        for item in values:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise Invalid(f"{where} must hold strings, not {type(item).__name__}", field=where)
            text = str(item)
            if len(text) > MAX_VALUE:
                raise Invalid(f"a value of {where} is longer than {MAX_VALUE} characters", field=where)
            cleaned.append(text)
        out[name] = cleaned
    return out


def _metrics(value: Any, path: str = "Metrics") -> dict[str, float]:
    if not isinstance(value, dict):
        raise Invalid(f"{path} must be an object of name → number", field=path)
    out: dict[str, float] = {}
    for name, number in value.items():
        where = f"{path}.{name}"
        if not isinstance(name, str) or not name or len(name) > MAX_NAME:
            raise Invalid(f"metric names must be 1–{MAX_NAME} characters: {name!r}", field=where)
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            raise Invalid(f"{where} must be a number", field=where)
        out[name] = number
    return out


def parse_datetime_value(value: Any, path: str) -> datetime:
    """An ISO 8601 date-time (naive means UTC)."""
    if isinstance(value, datetime):
        parsed: datetime | None = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)  # the fast path: every ISO 8601 form SDKs send
        except ValueError:
            try:
                parsed = parse_datetime(value.strip().replace(" ", "T"))
            except ValueError:
                parsed = None
        if parsed is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            parsed = datetime.fromisoformat(value.strip())
    else:
        parsed = None
    if parsed is None:
        raise Invalid(f"{path} must be an ISO 8601 date-time such as 2026-11-23T10:00:00Z", field=path)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _address(channel: str, address: str) -> str:
    if not address:
        return address
    if channel == ChannelType.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            raise Invalid(f"{address!r} is not a valid email address", field="Address") from None
    elif channel in (ChannelType.SMS, ChannelType.VOICE) and not E164.match(address):
        raise Invalid(
            f"{address!r} is not an E.164 phone number (+ country code and up to 15 digits, no spaces)", field="Address"
        )
    return address


def _demographic(value: Any, scalars: dict[str, Any]) -> None:
    if not isinstance(value, dict):
        raise Invalid("Demographic must be an object", field="Demographic")
    for key, column in DEMOGRAPHIC.items():
        if key in value:
            text = _text(value[key], f"Demographic.{key}", limit=64)
            if key == "Timezone" and text:
                text = TIMEZONE_ALIASES.get(text, text)
                if text not in _ZONES:
                    raise Invalid(
                        f"Demographic.Timezone {text!r} is not an IANA time zone (e.g. Asia/Seoul)",
                        field="Demographic.Timezone",
                    )
            scalars[column] = text


def _location(value: Any, scalars: dict[str, Any]) -> None:
    if not isinstance(value, dict):
        raise Invalid("Location must be an object", field="Location")
    for key, column in LOCATION_TEXT.items():
        if key in value:
            scalars[column] = _text(value[key], f"Location.{key}", limit=8 if key == "Country" else 128)
    for key, low, high in (("Latitude", -90, 90), ("Longitude", -180, 180)):
        if key in value:
            number = value[key]
            if number is None:
                scalars[key.lower()] = None
                continue
            if isinstance(number, bool) or not isinstance(number, int | float) or not low <= number <= high:
                raise Invalid(f"Location.{key} must be a number between {low} and {high}", field=f"Location.{key}")
            scalars[key.lower()] = round(float(number), 1)  # Pinpoint keeps one decimal


def _opt_in(data: dict[str, Any], write: EndpointWrite) -> None:
    """EngageOptIn (an Engage extension): {"Date": ISO 8601, "Source": text}; null clears the opt-in."""
    if OPT_IN not in data:
        return
    value, s = data[OPT_IN], write.scalars
    if value is None:
        s["opt_in_at"], s["opt_in_source"] = None, ""
        return
    if not isinstance(value, dict) or set(value) - {"Date", "Source"}:
        raise Invalid(f"{OPT_IN} must be an object with Date and Source (or null)", field=OPT_IN)
    if value.get("Date") not in (None, ""):
        s["opt_in_at"] = parse_datetime_value(value["Date"], f"{OPT_IN}.Date")
    else:
        write.opt_in_now = True
    if "Source" in value:
        s["opt_in_source"] = _text(value["Source"], f"{OPT_IN}.Source", limit=255)


def _enum(value: Any, path: str, allowed: list[str]) -> str:
    if value not in allowed:
        raise Invalid(f"{path} must be one of {', '.join(allowed)}", field=path)
    return str(value)


def parse_endpoint(data: Any, *, endpoint_id: str, trusted: bool = False) -> EndpointWrite:
    """Validate an EndpointRequest-shaped object. `trusted` (imports of exports) keeps CreationDate and CohortId."""
    if not isinstance(data, dict):
        raise Invalid("the endpoint must be a JSON object", field="Endpoint")
    endpoint_id = _text(endpoint_id, "Id", limit=256, allow_empty=False)
    write = EndpointWrite(endpoint_id=endpoint_id)
    s = write.scalars
    if "ChannelType" in data:
        s["channel_type"] = _enum(data["ChannelType"], "ChannelType", CHANNEL_TYPES)
    if "Address" in data:
        s["address"] = _text(data["Address"], "Address", limit=1024).strip()
    if "EndpointStatus" in data:
        s["endpoint_status"] = _enum(data["EndpointStatus"], "EndpointStatus", STATUSES)
    if "OptOut" in data:
        s["opt_out"] = _enum(data["OptOut"], "OptOut", OPT_OUTS)
    if data.get("EffectiveDate"):
        s["effective_date"] = parse_datetime_value(data["EffectiveDate"], "EffectiveDate")
    if data.get("RequestId"):
        s["request_id"] = _text(data["RequestId"], "RequestId", limit=64)
    if data.get("Attributes") is not None:
        write.attributes = _string_lists(data["Attributes"], "Attributes")
    if data.get("Metrics") is not None:
        write.metrics = _metrics(data["Metrics"])
    if data.get("Demographic") is not None:
        _demographic(data["Demographic"], s)
    if data.get("Location") is not None:
        _location(data["Location"], s)
    _opt_in(data, write)
    user = data.get("User")
    if user is not None:
        if not isinstance(user, dict):
            raise Invalid("User must be an object with UserId and UserAttributes", field="User")
        if "UserId" in user:
            s["user_id"] = _text(user["UserId"], "User.UserId", limit=256)
        if user.get("UserAttributes") is not None:
            write.user_attributes = _string_lists(user["UserAttributes"], "User.UserAttributes")
    if trusted:
        if data.get("CreationDate"):
            s["creation_date"] = parse_datetime_value(data["CreationDate"], "CreationDate")
        if data.get("CohortId") not in (None, ""):
            s["cohort_id"] = _text(data["CohortId"], "CohortId", limit=4)
    return write


def cohort_for(endpoint_id: str) -> str:
    """Pinpoint's CohortId: a stable bucket 0–99 of the endpoint id."""
    return str(int.from_bytes(hashlib.sha256(endpoint_id.encode()).digest()[:4], "big") % 100)


def _merge_lists(current: dict[str, Any], update: dict[str, list[str]] | None) -> dict[str, Any]:
    if update is None:
        return current
    merged = dict(current)
    for name, values in update.items():
        if values:
            merged[name] = values
        else:
            merged.pop(name, None)
    return merged


def apply_write(endpoint: Endpoint, write: EndpointWrite, *, now: datetime) -> None:
    """Merge an update into an endpoint (new or loaded), like UpdateEndpoint does, and validate the result."""
    for column, value in write.scalars.items():
        setattr(endpoint, column, value)
    endpoint.attributes = _merge_lists(endpoint.attributes or {}, write.attributes)
    endpoint.user_attributes = _merge_lists(endpoint.user_attributes or {}, write.user_attributes)
    if write.metrics is not None:
        endpoint.metrics = {**(endpoint.metrics or {}), **write.metrics}
    if write.opt_in_now and endpoint.opt_in_at is None:
        endpoint.opt_in_at = now
    if "effective_date" not in write.scalars:
        endpoint.effective_date = now
    if endpoint.creation_date is None:
        endpoint.creation_date = now
    if not endpoint.cohort_id:
        endpoint.cohort_id = cohort_for(endpoint.endpoint_id)
    _address(endpoint.channel_type, endpoint.address)
    if endpoint.channel_type in PUSH_CHANNELS and "address" in write.scalars and not endpoint.address:
        raise Invalid("a push endpoint needs its device token in Address", field="Address")


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def endpoint_to_pinpoint(endpoint: Endpoint, *, application_id: str) -> dict[str, Any]:
    """The EndpointResponse JSON (also the line format of Pinpoint's export files)."""
    demographic = {k: getattr(endpoint, c) for k, c in DEMOGRAPHIC.items() if getattr(endpoint, c)}
    location: dict[str, Any] = {k: getattr(endpoint, c) for k, c in LOCATION_TEXT.items() if getattr(endpoint, c)}
    if endpoint.latitude is not None:
        location["Latitude"] = endpoint.latitude
    if endpoint.longitude is not None:
        location["Longitude"] = endpoint.longitude
    user: dict[str, Any] = {}
    if endpoint.user_id:
        user["UserId"] = endpoint.user_id
    if endpoint.user_attributes:
        user["UserAttributes"] = endpoint.user_attributes
    out: dict[str, Any] = {
        "ApplicationId": application_id,
        "Id": endpoint.endpoint_id,
        "ChannelType": endpoint.channel_type or None,
        "Address": endpoint.address or None,
        "EndpointStatus": endpoint.endpoint_status,
        "OptOut": endpoint.opt_out,
        "Attributes": endpoint.attributes or None,
        "Metrics": endpoint.metrics or None,
        "Demographic": demographic or None,
        "Location": location or None,
        "User": user or None,
        "CohortId": endpoint.cohort_id,
        "CreationDate": _iso(endpoint.creation_date),
        "EffectiveDate": _iso(endpoint.effective_date),
        "RequestId": endpoint.request_id or None,
    }
    if endpoint.opt_in_at is not None or endpoint.opt_in_source:
        out[OPT_IN] = {"Date": _iso(endpoint.opt_in_at), "Source": endpoint.opt_in_source}
    return {k: v for k, v in out.items() if v is not None}


def endpoint_json_size(endpoint: Endpoint) -> int:
    import json

    return len(json.dumps(endpoint_to_pinpoint(endpoint, application_id=""), separators=(",", ":")).encode())
