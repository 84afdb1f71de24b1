"""Helpers of the template console page tests: URLs, a logged-in client, response text, a saved template."""

from __future__ import annotations

from typing import Any

from django.test import Client

from engage.tenancy.models import Membership, Tenant
from templates.codec import template_request_parse
from templates.models import MessageTemplate
from templates.services.templates import template_create


def page(tenant: Tenant, path: str = "") -> str:
    return f"/t/{tenant.public_id}/templates/{path}"


def login(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


def make(tenant: Tenant, body: dict[str, Any]) -> MessageTemplate:
    return template_create(tenant=tenant, data=template_request_parse(body), by="tests")
