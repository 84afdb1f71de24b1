"""Email messages for the SMTP and SES transports: sender, headers (with RFC 8058 one-click unsubscribe)
and a multipart/alternative text + HTML body built with the standard email package."""

from __future__ import annotations

import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Any

from channels.transports.base import OutboundMessage, Transport, TransportError
from engage import clock

_BREAKS = re.compile(r"[\r\n]+\s*")


def one_line(value: str) -> str:
    """A header value on one line: a substituted value must never start a header of its own."""
    return _BREAKS.sub(" ", value).strip()


def sender_of(transport: Transport, message: OutboundMessage) -> str:
    """The From header: the message's FromAddress option, else "from_name <from_address>" from settings."""
    explicit = str(message.options.get("FromAddress") or "")
    if explicit:
        return one_line(explicit)
    address = str(transport.setting("from_address", "") or "")
    if not address:
        raise TransportError(f"the {transport.name} channel has no from address: set one", permanent=True)
    name = str(transport.setting("from_name", "") or "")
    return formataddr((one_line(name), address)) if name else address


def reply_to_of(transport: Transport, message: OutboundMessage) -> list[str]:
    value: Any = message.options.get("ReplyToAddresses") or transport.setting("reply_to", []) or []
    items = [value] if isinstance(value, str) else list(value)
    return [one_line(str(v)) for v in items if v]


def headers_of(transport: Transport, message: OutboundMessage) -> list[tuple[str, str]]:
    """The template's rendered headers, then List-Unsubscribe (+ List-Unsubscribe-Post for an https URL)
    unless turned off in settings or the template sets its own."""
    headers = [(str(h["Name"]), one_line(str(h.get("Value", "")))) for h in message.parts.get("Headers") or []]
    names = {name.lower() for name, _ in headers}
    if not transport.setting("list_unsubscribe", True) or "list-unsubscribe" in names:
        return headers
    url = one_line(str(message.options.get("UnsubscribeUrl") or ""))
    mailto = one_line(str(transport.setting("unsubscribe_mailto", "") or ""))
    if mailto and not mailto.startswith("mailto:"):
        mailto = f"mailto:{mailto}"
    targets = [f"<{t}>" for t in (url, mailto) if t]
    if targets:
        headers.append(("List-Unsubscribe", ", ".join(targets)))
        if url.startswith("https://") and "list-unsubscribe-post" not in names:
            headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    return headers


def domain_of(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "localhost"


def email_build(
    message: OutboundMessage,
    *,
    sender: str,
    reply_to: list[str],
    headers: list[tuple[str, str]],
    message_id: str = "",
) -> EmailMessage:
    """The full MIME message for one recipient. Raises ValueError for an address or header Python refuses."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = Address(addr_spec=message.address)
    msg["Subject"] = one_line(str(message.parts.get("Subject", "")))
    msg["Date"] = format_datetime(clock.now())
    if message_id:
        msg["Message-ID"] = message_id
    if reply_to:
        msg["Reply-To"] = ", ".join(reply_to)
    for name, value in headers:
        msg[name] = value
    text, html = str(message.parts.get("TextPart") or ""), str(message.parts.get("HtmlPart") or "")
    if text and html:
        msg.set_content(text)
        msg.add_alternative(html, subtype="html")
    elif html:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(text)
    return msg


def new_message_id(sender: str) -> str:
    return make_msgid(domain=domain_of(sender))
