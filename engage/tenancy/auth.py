"""DRF authentication with `Authorization: Bearer <key id>:<secret>`."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from engage.tenancy.models import ApiKey
from engage.tenancy.netaddr import client_ip
from engage.tenancy.selectors import KeyRefused, apikey_authenticate


class ApiKeyPrincipal:
    """The request.user of a call made with an API key (it is nobody's user account)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, key: ApiKey) -> None:
        self.api_key = key

    def __str__(self) -> str:
        return f"api key {self.api_key.key_id}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        key_id, sep, secret = credentials.strip().partition(":")
        if not sep or not key_id or not secret:
            raise exceptions.AuthenticationFailed("Authorization must be 'Bearer <key id>:<secret>'.")
        try:
            key = apikey_authenticate(key_id=key_id, secret=secret, ip=client_ip(request._request))
        except KeyRefused as exc:
            if exc.status == 403:
                raise exceptions.PermissionDenied(str(exc)) from None
            raise exceptions.AuthenticationFailed(str(exc)) from None
        return ApiKeyPrincipal(key), key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="engage"'
