"""Email content: subject, HTML body, plain-text alternative and up to 15 headers (EmailTemplateRequest)."""

from __future__ import annotations

import re
from typing import Any

from templates.content.common import Errors, compact, plural, text
from templates.content.types import Renderer, Source

PREFIX = "Email"
TEMPLATE_LIMIT = 500_000
SUBJECT_LIMIT = 998
MAX_HEADERS = 15
HEADER_NAME_LIMIT = 126
HEADER_VALUE_LIMIT = 870
HEADER_NAME = re.compile(r"^[!-9;-~]+$")  # RFC 5322 field-name: printable ASCII except the colon
# Set by the sender from the message itself; a template header would clash with them.
RESERVED_HEADERS = frozenset(
    {
        "from",
        "sender",
        "to",
        "cc",
        "bcc",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "return-path",
    }
)


def _headers(value: Any, errors: Errors) -> list[dict[str, str]]:
    path = f"{PREFIX}.Headers"
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        errors.add(path, "must be a list of {Name, Value} objects")
        return []
    if len(value) > MAX_HEADERS:
        errors.add(path, f"has {plural(len(value), 'header')}; an email template can have at most {MAX_HEADERS}")
    headers: list[dict[str, str]] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        if not isinstance(item, dict):
            errors.add(where, "must be an object with Name and Value")
            continue
        name = text(item, "Name", where, errors, limit=HEADER_NAME_LIMIT, required="give the header a name")
        value_text = text(item, "Value", where, errors, limit=HEADER_VALUE_LIMIT, required="give the header a value")
        if name and not HEADER_NAME.match(name):
            errors.add(f"{where}.Name", "use printable ASCII without spaces or a colon, for example X-Campaign")
        elif name.lower() in RESERVED_HEADERS:
            errors.add(f"{where}.Name", f"{name} is set from the message itself; remove this header")
        elif name.lower() in seen:
            errors.add(f"{where}.Name", f"{name} appears twice; keep one")
        seen.add(name.lower())
        headers.append({"Name": name, "Value": value_text})
    return headers


def parse(body: dict[str, Any], errors: Errors) -> dict[str, Any]:
    subject = text(body, "Subject", PREFIX, errors, limit=SUBJECT_LIMIT, required="write a subject line")
    html = text(body, "HtmlPart", PREFIX, errors, limit=TEMPLATE_LIMIT)
    plain = text(body, "TextPart", PREFIX, errors, limit=TEMPLATE_LIMIT)
    if not html and not plain:
        errors.add(f"{PREFIX}.HtmlPart", "write an HTML body, a plain-text body, or both")
    headers = _headers(body.get("Headers"), errors)
    total = len(subject) + len(html) + len(plain) + sum(len(h["Name"]) + len(h["Value"]) for h in headers)
    if total > TEMPLATE_LIMIT and not errors:
        errors.add(PREFIX, f"the template has {plural(total, 'character')}; the limit is {TEMPLATE_LIMIT:,} in all")
    return compact({"Subject": subject, "HtmlPart": html, "TextPart": plain, "Headers": headers})


def sources(content: dict[str, Any]) -> list[Source]:
    found = [
        Source(f"{PREFIX}.Subject", content.get("Subject", ""), html=False),
        Source(f"{PREFIX}.HtmlPart", content.get("HtmlPart", ""), html=True),
        Source(f"{PREFIX}.TextPart", content.get("TextPart", ""), html=False),
    ]
    for index, header in enumerate(content.get("Headers", [])):
        found.append(Source(f"{PREFIX}.Headers[{index}].Value", header.get("Value", ""), html=False))
    return [s for s in found if s.text]


def render(content: dict[str, Any], r: Renderer) -> dict[str, Any]:
    headers = [
        {"Name": h["Name"], "Value": r(f"{PREFIX}.Headers[{i}].Value", h.get("Value", ""), False)}
        for i, h in enumerate(content.get("Headers", []))
    ]
    return compact(
        {
            "Subject": r(f"{PREFIX}.Subject", content.get("Subject", ""), False),
            "HtmlPart": r(f"{PREFIX}.HtmlPart", content.get("HtmlPart", ""), True),
            "TextPart": r(f"{PREFIX}.TextPart", content.get("TextPart", ""), False),
            "Headers": headers,
        }
    )
