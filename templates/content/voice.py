"""Voice content: a script in plain text or SSML (≤ 10,000 characters), a language code and a voice."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from templates.content.common import Errors, compact, text
from templates.content.types import Renderer, Source

PREFIX = "Voice"
BODY_LIMIT = 10_000
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2}(-[A-Z]{3})?)?$")
VOICE_ID = re.compile(r"^[A-Za-z][A-Za-z-]{1,31}$")
# Never fetch anything, never expand entities: the script is tenant-written text.
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def is_ssml(body: str) -> bool:
    return body.lstrip().startswith("<speak")


def _check_ssml(body: str, errors: Errors) -> None:
    where = f"{PREFIX}.Body"
    try:
        root = etree.fromstring(body.strip().encode(), parser=_SAFE_XML)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        errors.add(where, f"the SSML is not well-formed (line {line}, column {column}): {exc.msg}")
        return
    if etree.QName(root).localname != "speak":
        errors.add(where, "SSML must be wrapped in one <speak>…</speak> element")


def parse(body: dict[str, Any], errors: Errors) -> dict[str, Any]:
    script = text(body, "Body", PREFIX, errors, limit=BODY_LIMIT, required="write the script the voice will read")
    if script and is_ssml(script) and not errors.has(f"{PREFIX}.Body"):
        _check_ssml(script, errors)
    language = text(body, "LanguageCode", PREFIX, errors, limit=16)
    if language and not LANGUAGE_CODE.match(language):
        errors.add(f"{PREFIX}.LanguageCode", "use a language code such as en-US, ko-KR or cmn-CN")
    voice = text(body, "VoiceId", PREFIX, errors, limit=32)
    if voice and not VOICE_ID.match(voice):
        errors.add(f"{PREFIX}.VoiceId", "use a voice name such as Joanna or Seoyeon")
    return compact({"Body": script, "LanguageCode": language, "VoiceId": voice})


def sources(content: dict[str, Any]) -> list[Source]:
    return [Source(f"{PREFIX}.Body", content["Body"], html=False)] if content.get("Body") else []


def render(content: dict[str, Any], r: Renderer) -> dict[str, Any]:
    return compact(
        {
            "Body": r(f"{PREFIX}.Body", content.get("Body", ""), False),
            "LanguageCode": content.get("LanguageCode", ""),
            "VoiceId": content.get("VoiceId", ""),
        }
    )
