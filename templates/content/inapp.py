"""In-app content (InAppTemplateRequest): a layout, 1 message (or up to 5 in a carousel) and custom data.

In-app messages are fetched by the app as they are written: they take no message variables.
"""

from __future__ import annotations

from typing import Any

from templates.content.common import (
    Errors,
    choice,
    colour,
    compact,
    json_strings,
    obj,
    plural,
    string_map,
    text,
    url,
)
from templates.content.types import Renderer, Source

PREFIX = "InApp"
# Pinpoint's API names; the console calls OVERLAYS "Full screen" and MOBILE_FEED "Modal" (as does Amplify).
LAYOUTS = ["TOP_BANNER", "MIDDLE_BANNER", "BOTTOM_BANNER", "OVERLAYS", "MOBILE_FEED", "CAROUSEL"]
LAYOUT_ALIASES = {"FULL_SCREEN": "OVERLAYS", "MODAL": "MOBILE_FEED"}
LAYOUT_LABELS = {
    "TOP_BANNER": "Top banner",
    "MIDDLE_BANNER": "Middle banner",
    "BOTTOM_BANNER": "Bottom banner",
    "OVERLAYS": "Full screen",
    "MOBILE_FEED": "Modal",
    "CAROUSEL": "Carousel",
}
ALIGNMENTS = ["LEFT", "CENTER", "RIGHT"]
BUTTON_ACTIONS = ["CLOSE", "LINK", "DEEP_LINK"]
PLATFORMS = ["IOS", "Android", "Web"]
HEADER_LIMIT = 64
BODY_LIMIT = 150
BUTTON_TEXT_LIMIT = 64
MAX_CAROUSEL = 5
MAX_CUSTOM_DATA = 10


def _action(data: dict[str, Any], where: str, errors: Errors) -> dict[str, Any]:
    action = choice(data, "ButtonAction", where, errors, BUTTON_ACTIONS, default="CLOSE")
    link = text(data, "Link", where, errors, limit=2_048)
    if action in ("LINK", "DEEP_LINK") and not link:
        errors.add(f"{where}.Link", "give the link the button opens")
    url(link, f"{where}.Link", errors, web_only=action == "LINK")
    return {"ButtonAction": action, "Link": link if action != "CLOSE" else ""}


def _button(value: Any, where: str, errors: Errors) -> dict[str, Any]:
    data = obj(value, where, errors)
    if not data:
        return {}
    default = obj(data.get("DefaultConfig"), f"{where}.DefaultConfig", errors)
    at = f"{where}.DefaultConfig"
    config = {
        "Text": text(default, "Text", at, errors, limit=BUTTON_TEXT_LIMIT, required="write the button text"),
        "TextColor": text(default, "TextColor", at, errors, limit=32),
        "BackgroundColor": text(default, "BackgroundColor", at, errors, limit=32),
        **_action(default, at, errors),
    }
    colour(config["TextColor"], f"{at}.TextColor", errors)
    colour(config["BackgroundColor"], f"{at}.BackgroundColor", errors)
    radius = default.get("BorderRadius")
    if radius not in (None, ""):
        if isinstance(radius, bool) or not isinstance(radius, int) or not 0 <= radius <= 100:
            errors.add(f"{at}.BorderRadius", "must be a whole number of pixels from 0 to 100")
        else:
            config["BorderRadius"] = radius
    button: dict[str, Any] = {"DefaultConfig": compact(config)}
    for platform in PLATFORMS:
        override = obj(data.get(platform), f"{where}.{platform}", errors)
        if override:
            button[platform] = compact(_action(override, f"{where}.{platform}", errors))
    return button


def _text_config(value: Any, where: str, key: str, limit: int, errors: Errors) -> dict[str, Any]:
    data = obj(value, where, errors)
    if not data:
        return {}
    what = "header" if key == "Header" else "message"
    config = {
        key: text(data, key, where, errors, limit=limit, required=f"write the {what} text, or remove the {what}"),
        "TextColor": text(data, "TextColor", where, errors, limit=32) or "#000000",
        "Alignment": choice(data, "Alignment", where, errors, ALIGNMENTS, default="LEFT"),
    }
    colour(config["TextColor"], f"{where}.TextColor", errors)
    return config


def _message(value: Any, where: str, errors: Errors) -> dict[str, Any]:
    data = obj(value, where, errors)
    message: dict[str, Any] = {
        "HeaderConfig": _text_config(data.get("HeaderConfig"), f"{where}.HeaderConfig", "Header", HEADER_LIMIT, errors),
        "BodyConfig": _text_config(data.get("BodyConfig"), f"{where}.BodyConfig", "Body", BODY_LIMIT, errors),
        "BackgroundColor": text(data, "BackgroundColor", where, errors, limit=32),
        "ImageUrl": text(data, "ImageUrl", where, errors, limit=2_048),
        "PrimaryBtn": _button(data.get("PrimaryBtn"), f"{where}.PrimaryBtn", errors),
        "SecondaryBtn": _button(data.get("SecondaryBtn"), f"{where}.SecondaryBtn", errors),
    }
    colour(message["BackgroundColor"], f"{where}.BackgroundColor", errors)
    url(message["ImageUrl"], f"{where}.ImageUrl", errors)
    if data and not (message["HeaderConfig"] or message["BodyConfig"] or message["ImageUrl"]):
        errors.add(f"{where}.BodyConfig.Body", "give the message a header, a body or an image")
    return compact(message)


def parse(body: dict[str, Any], errors: Errors) -> dict[str, Any]:
    layout = body.get("Layout")
    layout = LAYOUT_ALIASES.get(layout, layout) if isinstance(layout, str) else layout
    layout = choice({"Layout": layout}, "Layout", PREFIX, errors, LAYOUTS)
    if not layout and not errors.has(f"{PREFIX}.Layout"):
        errors.add(f"{PREFIX}.Layout", f"choose a layout: {', '.join(LAYOUTS)}")
    items = body.get("Content")
    if items in (None, ""):
        items = []
    if not isinstance(items, list):
        errors.add(f"{PREFIX}.Content", "must be a list of messages")
        items = []
    limit = MAX_CAROUSEL if layout == "CAROUSEL" else 1
    if not items:
        errors.add(f"{PREFIX}.Content", "add a message")
    elif len(items) > limit:
        errors.add(
            f"{PREFIX}.Content",
            f"has {plural(len(items), 'message')}; "
            + ("a carousel shows at most 5" if layout == "CAROUSEL" else "only a carousel shows more than one"),
        )
    content = [_message(item, f"{PREFIX}.Content[{i}]", errors) for i, item in enumerate(items[:MAX_CAROUSEL])]
    custom = string_map(
        body.get("CustomConfig"),
        f"{PREFIX}.CustomConfig",
        errors,
        max_items=MAX_CUSTOM_DATA,
        key_limit=100,
        value_limit=1_000,
        what="custom data key",
    )
    return compact({"Layout": layout, "Content": content, "CustomConfig": custom})


def sources(content: dict[str, Any]) -> list[Source]:
    """Every text in the message: none may hold a variable (the app shows them as they are)."""
    return [Source(path, value, html=False) for path, value in json_strings(content, PREFIX) if value]


def render(content: dict[str, Any], r: Renderer) -> dict[str, Any]:
    return content
