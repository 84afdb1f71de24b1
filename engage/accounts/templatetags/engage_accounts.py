"""Template helpers for the allauth pages."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def signup_open(context: dict[str, Any]) -> bool:
    """Whether the sign-up link may be shown: asks the account adapter, like allauth's sign-up view does."""
    request = context.get("request")
    return request is not None and bool(get_adapter(request).is_open_for_signup(request))


@register.filter
def compact_json(value: object) -> str:
    """A value as compact, readable JSON (audit details, event attributes)."""
    import json

    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)


@register.simple_tag
def sso_oidc_app() -> dict[str, str] | None:
    """The server's OpenID Connect app (Google Workspace) for the login page's button, if one is set up."""
    from allauth.socialaccount.adapter import get_adapter as get_social_adapter
    from django.conf import settings
    from django.urls import reverse

    apps = get_social_adapter().list_apps(None, provider=settings.SSO_OIDC_PROVIDER_ID)
    if not apps:
        return None
    url = reverse("openid_connect_login", kwargs={"provider_id": settings.SSO_OIDC_PROVIDER_ID})
    return {"name": apps[0].name or "Google Workspace", "login_url": url}
