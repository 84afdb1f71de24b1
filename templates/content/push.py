"""Push content (PushNotificationTemplateRequest): a default part and per-service parts that override it.

Engage extends the default part with ImageUrl, ImageIconUrl, SmallImageIconUrl, SilentPush and Data (the
campaign editor's silent/data push), so one part can carry everything most apps need.
"""

from __future__ import annotations

import json
from typing import Any

from templates.content.common import Errors, choice, compact, json_object, json_strings, obj, plural, text, url
from templates.content.types import Renderer, Source

PREFIX = "Push"
ACTIONS = ["OPEN_APP", "DEEP_LINK", "URL"]
SERVICES = ["GCM", "APNS", "ADM", "Baidu"]
# Characters per part (Pinpoint's quotas): the default and APNs parts 2,000, FCM/ADM/Baidu 4,000.
PART_LIMITS = {"Default": 2_000, "APNS": 2_000, "GCM": 4_000, "ADM": 4_000, "Baidu": 4_000}
SERVICE_LABELS = {"Default": "default", "GCM": "FCM", "APNS": "APNs", "ADM": "ADM", "Baidu": "Baidu"}
TEXT_FIELDS = {
    "Default": ["Title", "Body", "Url", "Sound", "ImageUrl", "ImageIconUrl", "SmallImageIconUrl"],
    "APNS": ["Title", "Body", "Url", "Sound", "MediaUrl", "RawContent"],
    "GCM": ["Title", "Body", "Url", "Sound", "ImageUrl", "ImageIconUrl", "SmallImageIconUrl", "RawContent"],
}
TEXT_FIELDS["ADM"] = TEXT_FIELDS["Baidu"] = TEXT_FIELDS["GCM"]
IMAGE_FIELDS = ("ImageUrl", "ImageIconUrl", "SmallImageIconUrl", "MediaUrl")


def _part(name: str, value: Any, errors: Errors) -> dict[str, Any]:
    where = f"{PREFIX}.{name}"
    data = obj(value, where, errors)
    if not data:
        return {}
    limit = PART_LIMITS[name]
    part: dict[str, Any] = {key: text(data, key, where, errors, limit=limit) for key in TEXT_FIELDS[name]}
    part["Action"] = choice(data, "Action", where, errors, ACTIONS)
    if part["Action"] in ("URL", "DEEP_LINK") and not part["Url"]:
        errors.add(f"{where}.Url", f"give the {'web address' if part['Action'] == 'URL' else 'deep link'} to open")
    url(part["Url"], f"{where}.Url", errors, web_only=part["Action"] == "URL")
    for key in IMAGE_FIELDS:
        url(part.get(key, ""), f"{where}.{key}", errors)
    if part.get("RawContent"):
        json_object(part["RawContent"], f"{where}.RawContent", errors, limit=limit)  # kept as written
    if name == "Default":
        silent = data.get("SilentPush", False)
        if not isinstance(silent, bool):
            errors.add(f"{where}.SilentPush", "must be true or false")
        part["SilentPush"] = silent is True
        part["Data"] = json_object(data.get("Data"), f"{where}.Data", errors, limit=limit) or {}
    size = sum(len(v) for v in part.values() if isinstance(v, str)) + (
        len(json.dumps(part.get("Data"), ensure_ascii=False)) if part.get("Data") else 0
    )
    if size > limit:
        errors.add(
            where,
            f"the {SERVICE_LABELS[name]} part has {plural(size, 'character')}; the limit is {limit:,} "
            "(title, body, addresses and raw content together)",
        )
    return compact({k: v for k, v in part.items() if v is not False})


def parse(body: dict[str, Any], errors: Errors) -> dict[str, Any]:
    content = compact({name: _part(name, body.get(name), errors) for name in ["Default", *SERVICES]})
    default = content.get("Default", {})
    if default.get("SilentPush") and (default.get("Title") or default.get("Body")):
        errors.add(
            f"{PREFIX}.Default.SilentPush", "a silent push shows nothing: remove the title and body, or turn silent off"
        )
    has_message = any(p.get("Title") or p.get("Body") or p.get("RawContent") for p in content.values()) or (
        default.get("SilentPush") and default.get("Data")
    )
    if not has_message and not errors:
        errors.add(
            f"{PREFIX}.Default.Body", "write a title or body (or raw content for a service, or a silent push with data)"
        )
    return content


def sources(content: dict[str, Any]) -> list[Source]:
    found: list[Source] = []
    for name, part in content.items():
        for key, value in part.items():
            where = f"{PREFIX}.{name}.{key}"
            if key == "RawContent":
                found.extend(Source(p, s, html=False) for p, s in json_strings(_loads(value), where) if s)
            elif key == "Data":
                found.extend(Source(p, s, html=False) for p, s in json_strings(value, where) if s)
            elif isinstance(value, str) and value and key != "Action":
                found.append(Source(where, value, html=False))
    return found


def _loads(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return {}


def render_json(value: Any, where: str, r: Renderer) -> Any:
    """Render the strings inside a JSON value one by one, so substituted text can never break the JSON."""
    if isinstance(value, str):
        return r(where, value, False)
    if isinstance(value, dict):
        return {key: render_json(item, f"{where}.{key}", r) for key, item in value.items()}
    if isinstance(value, list):
        return [render_json(item, f"{where}[{index}]", r) for index, item in enumerate(value)]
    return value


def render(content: dict[str, Any], r: Renderer) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, part in content.items():
        rendered: dict[str, Any] = {}
        for key, value in part.items():
            where = f"{PREFIX}.{name}.{key}"
            if key == "RawContent":
                rendered[key] = json.dumps(render_json(_loads(value), where, r), ensure_ascii=False)
            elif key == "Data":
                rendered[key] = render_json(value, where, r)
            elif isinstance(value, str) and key != "Action":
                rendered[key] = r(where, value, False)
            else:
                rendered[key] = value
        out[name] = rendered
    return out
