"""Shapes shared by the channel modules: a template string found in content, and the renderer they call."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


class Source(NamedTuple):
    """One Handlebars string inside a template's content: where it is, the text, and whether it is HTML."""

    path: str
    text: str
    html: bool


# (field path, template source, html) -> rendered text. Field paths let errors name where they happened.
Renderer = Callable[[str, str, bool], str]
