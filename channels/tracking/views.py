"""Public tracking URLs (no login, no tenant in the path; the signed token says everything):
/t/o/<token>.gif (open pixel), /t/c/<token> (click redirect), /t/u/<token> (unsubscribe, RFC 8058 one-click).

A token that was not signed by us — edited, truncated, made up — gets 404: never an open redirect.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from channels.tracking.rewrite import WEB_URL
from channels.tracking.services import (
    Unsubscribe,
    click_record,
    open_record,
    unsubscribe_confirm,
    unsubscribe_target,
)
from channels.tracking.tokens import Token, token_read
from engage.tenancy.netaddr import client_ip

log = logging.getLogger(__name__)

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
NO_STORE = "no-store, no-cache, must-revalidate, max-age=0"
TEMPLATE = "channels/unsubscribe.html"


def _read(kind: str, token: str) -> Token:
    parsed = token_read(kind=kind, token=token)
    if parsed is None:
        raise Http404("no such link")
    return parsed


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = NO_STORE
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    """A 1×1 transparent GIF; a GET records `_email.open` (once per delivery and hour)."""
    parsed = _read("open", token)
    if request.method == "GET":
        try:
            open_record(token=parsed, ip=client_ip(request), user_agent=request.headers.get("User-Agent", ""))
        except Exception:  # the recipient's mail client still gets its image
            log.exception("recording an open failed")
    return _private(HttpResponse(PIXEL, content_type="image/gif"))


def click_redirect(request: HttpRequest, token: str) -> HttpResponse:
    """302 to the link the token carries; a GET records `_email.click` (once per delivery and hour)."""
    parsed = _read("click", token)
    if not WEB_URL.match(parsed.data):
        raise Http404("no such link")
    if request.method == "GET":
        try:
            click_record(token=parsed, ip=client_ip(request), user_agent=request.headers.get("User-Agent", ""))
        except Exception:  # the recipient still gets where the link goes
            log.exception("recording a click failed")
    return _private(HttpResponseRedirect(parsed.data))


@method_decorator(csrf_exempt, name="dispatch")  # mailbox providers POST without a session (RFC 8058)
class UnsubscribeView(View):
    """GET: a confirmation page with a button (link scanners change nothing). POST with
    `List-Unsubscribe=One-Click` (the mailbox provider) or the page's button: unsubscribe, idempotently."""

    http_method_names = ["get", "head", "post"]

    def target(self, token: str) -> Unsubscribe:
        found = unsubscribe_target(token=_read("unsubscribe", token))
        if found is None:
            raise Http404("no such link")
        return found

    def page(self, request: HttpRequest, target: Unsubscribe, done: bool, status: int = 200) -> HttpResponse:
        context: dict[str, Any] = {
            "tenant_name": target.tenant.name,
            "address": target.address,
            "done": done,
            "invalid": status != 200,
        }
        return _private(render(request, TEMPLATE, context, status=status))

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        target = self.target(token)
        return self.page(request, target, done=target.done)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        target = self.target(token)
        if request.POST.get("List-Unsubscribe") != "One-Click" and request.POST.get("confirm") != "yes":
            return self.page(request, target, done=target.done, status=400)
        return self.page(request, target, done=unsubscribe_confirm(target=target))
