"""Driving a SAML login through the real pysaml2 IdP: Django's test client for Engage, requests for the IdP."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

import requests
from django.test import Client

HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')
ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def idp_answer(redirect_to_idp: str, email: str, groups: str = "") -> tuple[str, dict[str, str]]:
    """Log in at the IdP as `email`; returns the ACS URL and the form fields its auto-submitting page posts."""
    idp = requests.Session()
    page = idp.get(redirect_to_idp)
    page.raise_for_status()
    fields = {name: html.unescape(value) for name, value in HIDDEN.findall(page.text)}
    base = "{0.scheme}://{0.netloc}".format(urlsplit(redirect_to_idp))
    posted = idp.post(f"{base}/sso/login", data={**fields, "email": email, "groups": groups})
    posted.raise_for_status()
    action = ACTION.search(posted.text)
    assert action, posted.text[:2000]
    return html.unescape(action.group(1)), {n: html.unescape(v) for n, v in HIDDEN.findall(posted.text)}


def saml_login(client: Client, started: Any, email: str, groups: str = "") -> Any:
    """Finish a SAML login that `started` (a redirect to the IdP) began; returns Engage's last answer."""
    assert started.status_code == 302, started.content[:500]
    acs, form = idp_answer(started["Location"], email, groups)
    posted = client.post(urlsplit(acs).path, form)
    assert posted.status_code == 302, posted.content[:500]
    return client.get(posted["Location"])
