"""Driving a login through the real OpenID Connect provider: Django's test client for Engage, requests for the IdP."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from django.test import Client

from tests.sso.conftest import TEST_CALLBACK

FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def _interact(idp: requests.Session, response: requests.Response, login: str) -> str:
    """Fill the IdP's login (and consent) pages until it redirects back to Engage; returns that URL."""
    for _ in range(12):
        if response.is_redirect:
            location = response.headers["Location"]
            if location.startswith(TEST_CALLBACK):
                return location
            response = idp.get(urljoin(response.url, location), allow_redirects=False)
            continue
        action = FORM_ACTION.search(response.text)
        assert action, response.text[:2000]
        prompt = "login" if 'name="login"' in response.text else "consent"
        data = {"prompt": prompt, "login": login, "password": "any"} if prompt == "login" else {"prompt": prompt}
        response = idp.post(action.group(1), data=data, allow_redirects=False)
    raise AssertionError("the IdP never redirected back to Engage")


def oidc_login(client: Client, login: str, *, next_url: str | None = None, started: Any = None) -> Any:
    """Log in as `login` at the IdP, from the login page's Google button (or an already `started` redirect to the
    IdP); returns Engage's answer to the IdP's redirect back."""
    if started is None:
        data = {"process": "login", **({"next": next_url} if next_url else {})}
        started = client.post("/accounts/oidc/workspace/login/", data)
    assert started.status_code == 302, started.content[:500]
    idp = requests.Session()
    callback = _interact(idp, idp.get(started["Location"], allow_redirects=False), login)
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")
