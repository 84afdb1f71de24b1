"""Runs cases through handlebars.js (node) once per test session: the reference for core syntax."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
RENDER_SCRIPT = Path(__file__).with_name("hbs_render.js")
HANDLEBARS_PACKAGE = ROOT / "engage" / "frontend" / "node_modules" / "handlebars" / "package.json"
HANDLEBARS_VERSION = "4.7.10"


def handlebars_js(cases: list[dict[str, Any]]) -> list[dict[str, str]]:
    """[{template, context, html}] → [{output} | {error}] as handlebars.js renders them."""
    if shutil.which("node") is None:
        pytest.fail("node is needed for the conformance suite (it runs handlebars.js)")
    if not HANDLEBARS_PACKAGE.exists():
        pytest.fail("handlebars.js is not installed: run `make frontend` (npm ci in engage/frontend)")
    version = json.loads(HANDLEBARS_PACKAGE.read_text())["version"]
    assert version == HANDLEBARS_VERSION, f"the reference is handlebars.js {HANDLEBARS_VERSION}, found {version}"
    result = subprocess.run(
        ["node", str(RENDER_SCRIPT)], input=json.dumps(cases), capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(result.stdout)
