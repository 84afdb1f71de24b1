"""Single sign-on requests that would otherwise end in a server error: no Host header, an IdP that does not answer."""

from __future__ import annotations

import logging
from collections.abc import Callable

import requests
from django.http import HttpRequest, HttpResponse
from lxml import etree
from onelogin.saml2.xmlparser import DTDForbidden, EntitiesForbidden, NotSupportedError

from engage.accounts.sso.refusals import refusal_page

logger = logging.getLogger(__name__)
MALFORMED_SAML = (etree.XMLSyntaxError, DTDForbidden, EntitiesForbidden, NotSupportedError)


class SsoErrorMiddleware:
    """allauth fetches the OpenID configuration when a login starts; a network failure there would be a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "HTTP_HOST" not in request.META:
            # allauth's SAML code reads the Host header directly; an HTTP/1.0 client may not send one.
            request.META["HTTP_HOST"] = request.get_host()
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, requests.RequestException) and request.path.startswith("/accounts/"):
            logger.warning("identity provider unreachable at %s: %r", request.path, exception)
            return refusal_page(request, "provider_unreachable", status=502)
        if isinstance(exception, MALFORMED_SAML) and request.path.startswith("/accounts/saml/"):
            # python3-saml lets parser errors through (not XML, a DOCTYPE or entities): a forged or broken post.
            logger.warning("malformed SAML message at %s: %r", request.path, exception)
            return refusal_page(request, "saml_invalid", status=400, detail="it is not a valid SAML response.")
        return None
