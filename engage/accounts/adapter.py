"""allauth hooks: where people land after logging in, who may sign up, and who may use a password."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse


def is_same_site_path(url: str | None) -> bool:
    """A redirect target that stays on this site: an absolute path, never a scheme, host or `//` / `\\` trick."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return False
    if any(ch in url for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in url):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join tenants by invitation (a set-password email) or SSO; open sign-up is opt-in.
        return bool(getattr(settings, "ACCOUNT_ALLOW_SIGNUP", False))

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # allauth has already honoured a safe ?next=; otherwise the landing view picks the campaign screen.
        return reverse("landing")

    def is_safe_url(self, url: str | None) -> bool:
        # Deep links (`?next=`, SAML RelayState) may only name a page of this site, by path.
        return is_same_site_path(url)

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        """A password login, refused for members of a tenant that requires single sign-on."""
        from engage.accounts.selectors import sso_required_tenants

        user = super().authenticate(request, **credentials)
        if user is not None:
            required = sso_required_tenants(user=user)  # type: ignore[arg-type]
            if required:
                names = ", ".join(t.name for t in required)
                raise ValidationError(
                    f"{names} requires single sign-on: use “Log in with single sign-on” below instead of a password."
                )
        return user
