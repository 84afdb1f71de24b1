"""allauth hooks: where people land after logging in, and who may sign up."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join tenants by invitation (a set-password email) or SSO; open sign-up is opt-in.
        return bool(getattr(settings, "ACCOUNT_ALLOW_SIGNUP", False))

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # allauth has already honoured a safe ?next=; otherwise the landing view picks the campaign screen.
        return reverse("landing")
