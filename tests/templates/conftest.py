"""Runs cases through handlebars.js (node) once per test session: the reference for core syntax; and the clients and
template the console page tests share."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from engage.tenancy.models import Membership, Role, Tenant
from templates.models import MessageTemplate
from tests.templates.pages import login, make

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


@pytest.fixture
def marketer(tenant: Tenant, member_factory: Callable[..., Membership]) -> Client:
    return login(member_factory(tenant, Role.MARKETER))


@pytest.fixture
def viewer(tenant: Tenant, member_factory: Callable[..., Membership]) -> Client:
    return login(member_factory(tenant, Role.VIEWER))


@pytest.fixture
def welcome(tenant: Tenant) -> MessageTemplate:
    return make(
        tenant,
        {
            "TemplateName": "welcome",
            "TemplateType": "EMAIL",
            "Subject": "Hi {{User.UserId}}",
            "HtmlPart": "<p>Hello {{User.UserAttributes.FirstName}}</p>",
            "TemplateDescription": "first",
        },
    )
