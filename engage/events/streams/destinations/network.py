"""Keeping destinations out of private networks unless the operator allows them (against SSRF).

A tenant admin configures the URL, but Engage's workers make the request: without this check a webhook
could reach the instance metadata service or an internal admin page and read its answer from last_error.
The address is checked when a batch is sent (a DNS name can change after it was saved).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from engage.events.streams.destinations.base import DeliveryError


def address_check(url: str) -> None:
    """Refuse a URL whose host resolves to a loopback, private, link-local or reserved address."""
    if settings.EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS:
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DeliveryError(f"cannot resolve {host}: {getattr(exc, 'strerror', None) or exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            raise DeliveryError(
                f"{host} is {address}, a private or reserved address; use a public address, or ask an operator "
                "to set EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS=1"
            )
