"""Preparing an email for engagement tracking, per recipient, right after it is rendered.

- an open pixel before `</body>` (or at the end of the HTML);
- http(s) links of `<a>` / `<area>` rewritten through the click redirect — not links marked `ses:no-track`, not the
  tenant's own unsubscribe link (marked, as in Pinpoint, `ses:tags="unsubscribeLinkTag:..."`), not our own URLs;
- `href="#unsubscribe"` becomes the recipient's one-click unsubscribe page;
- the message option `UnsubscribeUrl` (unless the sender gave one), from which the SES and SMTP transports make
  the List-Unsubscribe / List-Unsubscribe-Post headers (RFC 8058).

A channel config with `"tracking": false` gets none of it (List-Unsubscribe then comes only from the message's
own `UnsubscribeUrl` option or the config's `unsubscribe_mailto`), and neither do test messages.
"""

from __future__ import annotations

import html
import re

from django.conf import settings

from channels.models import Dispatch, Source
from channels.tracking.tokens import token_make
from channels.transports.base import OutboundMessage
from templates.models import Channel

LINK_TAG = re.compile(r"<(?:a|area)\b[^>]*>", re.IGNORECASE)
HREF = re.compile(r"""(\bhref\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE)
UNSUBSCRIBE_TAG = re.compile(r"""\bses:tags\s*=\s*["'][^"']*\bunsubscribeLinkTag\b""", re.IGNORECASE)
NO_TRACK = re.compile(r"\bses:no-track\b", re.IGNORECASE)
BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)
WEB_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
UNSUBSCRIBE_ANCHOR = "#unsubscribe"


def public_url(path: str) -> str:
    return f"{settings.ENGAGE_PUBLIC_URL.rstrip('/')}{path}"


def open_url(*, tenant_id: int, delivery_id: int) -> str:
    return public_url(f"/t/o/{token_make(kind='open', tenant_id=tenant_id, delivery_id=delivery_id)}.gif")


def click_url(*, tenant_id: int, delivery_id: int, url: str) -> str:
    return public_url(f"/t/c/{token_make(kind='click', tenant_id=tenant_id, delivery_id=delivery_id, data=url)}")


def unsubscribe_url(*, tenant_id: int, delivery_id: int, address: str) -> str:
    token = token_make(kind="unsubscribe", tenant_id=tenant_id, delivery_id=delivery_id, data=address)
    return public_url(f"/t/u/{token}")


# What a link tag becomes, decided once per distinct tag text: None (left alone), or the text before and after
# the new href value and the click target ("" for the unsubscribe link).
_Link = tuple[str, str, str] | None


class EmailTracking:
    """What one dispatch's emails get; `apply` is called once per rendered recipient. Made once per chunk: it
    keeps the public URL and, per distinct link tag, whether and how it is rewritten (only the signing is per
    recipient)."""

    def __init__(self, tenant_id: int) -> None:
        self.tenant_id = tenant_id
        self.base = settings.ENGAGE_PUBLIC_URL.rstrip("/")
        self.own = f"{self.base}/t/"
        self.links: dict[str, _Link] = {}

    def apply(self, message: OutboundMessage) -> None:
        tenant_id, delivery_id = self.tenant_id, message.delivery_id
        token = token_make(kind="unsubscribe", tenant_id=tenant_id, delivery_id=delivery_id, data=message.address)
        unsubscribe = f"{self.base}/t/u/{token}"
        message.options.setdefault("UnsubscribeUrl", unsubscribe)
        body = message.parts.get("HtmlPart")
        if not isinstance(body, str) or not body:
            return
        body = self._links(body, delivery_id, unsubscribe)
        pixel = f"{self.base}/t/o/{token_make(kind='open', tenant_id=tenant_id, delivery_id=delivery_id)}.gif"
        message.parts["HtmlPart"] = _with_pixel(body, pixel)

    def _links(self, body: str, delivery_id: int, unsubscribe: str) -> str:
        def tag(match: re.Match[str]) -> str:
            text = match.group(0)
            link = self.links[text] if text in self.links else self.links.setdefault(text, self._decide(text))
            if link is None:
                return text
            before, after, target = link
            if target:
                token = token_make(kind="click", tenant_id=self.tenant_id, delivery_id=delivery_id, data=target)
                new = f"{self.base}/t/c/{token}"
            else:
                new = unsubscribe
            return f'{before}"{html.escape(new)}"{after}'

        return LINK_TAG.sub(tag, body)

    def _decide(self, text: str) -> _Link:
        href = HREF.search(text)
        if href is None:
            return None
        target = html.unescape(next(g for g in href.groups()[1:] if g is not None)).strip()
        before, after = f"{text[: href.start()]}{href.group(1)}", text[href.end() :]
        if target.lower() == UNSUBSCRIBE_ANCHOR:
            return before, after, ""
        if (
            WEB_URL.match(target)
            and not target.startswith(self.own)
            and not UNSUBSCRIBE_TAG.search(text)
            and not NO_TRACK.search(text)
        ):
            return before, after, target
        return None


def _with_pixel(body: str, url: str) -> str:
    pixel = f'<img src="{html.escape(url)}" width="1" height="1" alt="" style="border:0;width:1px;height:1px">'
    ends = list(BODY_END.finditer(body))
    if not ends:
        return body + pixel
    at = ends[-1].start()
    return body[:at] + pixel + body[at:]


def email_tracking_for(dispatch: Dispatch) -> EmailTracking | None:
    """The tracking a dispatch's emails get, or None (not email, a test message, or tracking turned off)."""
    if dispatch.channel != Channel.EMAIL or dispatch.source == Source.TEST:
        return None
    config = dispatch.config
    if config is not None and config.setting("tracking", True) is False:
        return None
    return EmailTracking(tenant_id=dispatch.tenant_id)
