"""The client address of a request: the socket peer, or X-Forwarded-For only through trusted proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=64)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def in_networks(ip: str, cidrs: Iterable[str]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    candidates: tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, ...] = (address,)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        candidates += (address.ipv4_mapped,)  # a dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d
    return any(a in net for net in _networks(tuple(cidrs)) for a in candidates)


def client_ip(request: HttpRequest) -> str:
    """Walk X-Forwarded-For from the right while the hop is a trusted proxy; else the socket peer."""
    peer = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXIES
    if not trusted or not in_networks(peer, trusted):
        return peer
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_ip(hop):
            return peer  # a proxy that forwards garbage is not believed
        if not in_networks(hop, trusted):
            return hop
    return hops[0] if hops else peer


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def normalize_cidrs(values: Iterable[str]) -> list[str]:
    """Validate CIDRs (or bare addresses) and return them in canonical form."""
    out = []
    for value in values:
        try:
            out.append(str(ipaddress.ip_network(value.strip(), strict=False)))
        except ValueError:
            raise ValidationError(
                f"{value!r} is not an IP address or CIDR range (for example 203.0.113.0/24)"
            ) from None
    return out
