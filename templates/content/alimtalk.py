"""KakaoTalk AlimTalk content: Kakao's approved text with #{var} placeholders, each mapped to a Handlebars
expression, the sender profile key, the template code and optional buttons.

Kakao sends only text that matches the approved template, so the text itself is literal: what varies is
what each placeholder becomes.
"""

from __future__ import annotations

import re
from typing import Any

from templates.content.common import Errors, choice, compact, obj, plural, text, url
from templates.content.types import Renderer, Source

PREFIX = "ALIMTALK"
TEXT_LIMIT = 1_000
MAX_BUTTONS = 5
BUTTON_NAME_LIMIT = 14
PLACEHOLDER = re.compile(r"#\{([^{}#]{1,40})\}")
SENDER_KEY = re.compile(r"^[A-Za-z0-9]{1,64}$")
TEMPLATE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")
# WL web link, AL app link, DS delivery tracking, BK bot keyword, MD message delivery, AC add channel.
BUTTON_TYPES = ["WL", "AL", "DS", "BK", "MD", "AC"]


def placeholders(approved: str) -> list[str]:
    return list(dict.fromkeys(PLACEHOLDER.findall(approved)))


def _buttons(value: Any, errors: Errors) -> list[dict[str, Any]]:
    path = f"{PREFIX}.Buttons"
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        errors.add(path, "must be a list of buttons")
        return []
    if len(value) > MAX_BUTTONS:
        errors.add(path, f"has {plural(len(value), 'button')}; AlimTalk allows {MAX_BUTTONS}")
    buttons = []
    for index, item in enumerate(value[:MAX_BUTTONS]):
        where = f"{path}[{index}]"
        data = obj(item, where, errors)
        button = {
            "Name": text(data, "Name", where, errors, limit=BUTTON_NAME_LIMIT, required="write the button name"),
            "Type": choice(data, "Type", where, errors, BUTTON_TYPES, default="WL"),
            "UrlMobile": text(data, "UrlMobile", where, errors, limit=1_000),
            "UrlPc": text(data, "UrlPc", where, errors, limit=1_000),
        }
        if button["Type"] == "WL" and not button["UrlMobile"]:
            errors.add(f"{where}.UrlMobile", "a web-link button needs the mobile web address")
        for key in ("UrlMobile", "UrlPc"):
            if button["Type"] == "WL" and "#{" not in button[key]:
                url(button[key], f"{where}.{key}", errors)
        buttons.append(compact(button))
    return buttons


def parse(body: dict[str, Any], errors: Errors) -> dict[str, Any]:
    sender = text(body, "SenderKey", PREFIX, errors, limit=64, required="paste the sender profile key Kakao issued")
    if sender and not SENDER_KEY.match(sender):
        errors.add(f"{PREFIX}.SenderKey", "a sender profile key has only letters and digits")
    code = text(body, "TemplateCode", PREFIX, errors, limit=30, required="give the template code Kakao approved")
    if code and not TEMPLATE_CODE.match(code):
        errors.add(f"{PREFIX}.TemplateCode", "use up to 30 letters, digits, - or _")
    approved = text(body, "Text", PREFIX, errors, limit=TEXT_LIMIT, required="paste the approved template text")
    buttons = _buttons(body.get("Buttons"), errors)
    links = " ".join(b.get("UrlMobile", "") + " " + b.get("UrlPc", "") for b in buttons)
    mapping = obj(body.get("Variables"), f"{PREFIX}.Variables", errors)
    variables: dict[str, str] = {}
    for name in placeholders(f"{approved} {links}"):
        expression = mapping.get(name)
        if not isinstance(expression, str) or not expression.strip():
            errors.add(
                f"{PREFIX}.Variables.{name}", f"map #{{{name}}} to a value, e.g. {{{{User.UserAttributes.FirstName}}}}"
            )
            continue
        if len(expression) > 1_000:
            errors.add(f"{PREFIX}.Variables.{name}", "is longer than 1,000 characters")
        variables[name] = expression
    for name in mapping:
        if name not in variables and not errors.has(f"{PREFIX}.Variables.{name}"):
            errors.add(
                f"{PREFIX}.Variables.{name}", f"#{{{name}}} is not in the approved text or a button; remove the mapping"
            )
    return compact(
        {
            "SenderKey": sender,
            "TemplateCode": code,
            "Text": approved,
            "Variables": variables,
            "Buttons": buttons,
        }
    )


def sources(content: dict[str, Any]) -> list[Source]:
    return [Source(f"{PREFIX}.Variables.{k}", v, html=False) for k, v in content.get("Variables", {}).items()]


def fill(approved: str, values: dict[str, str]) -> str:
    """The approved text with each #{var} replaced by its rendered value (unknown ones stay as written)."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), approved)


def render(content: dict[str, Any], r: Renderer) -> dict[str, Any]:
    values = {k: r(f"{PREFIX}.Variables.{k}", v, False) for k, v in content.get("Variables", {}).items()}
    buttons = [
        {k: fill(v, values) if k in ("UrlMobile", "UrlPc") else v for k, v in button.items()}
        for button in content.get("Buttons", [])
    ]
    return compact(
        {
            "SenderKey": content.get("SenderKey", ""),
            "TemplateCode": content.get("TemplateCode", ""),
            "Text": fill(content.get("Text", ""), values),
            "Variables": values,
            "Buttons": buttons,
        }
    )
