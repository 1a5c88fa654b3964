"""The client's IP address, believed from ``X-Forwarded-For`` only when a trusted proxy says so.

``TRUSTED_PROXIES`` (settings, from the environment) lists the networks of the proxies in
front of the application (Kong, a load balancer). A peer outside them is the client, whatever
headers it sends; a trusted peer's ``X-Forwarded-For`` is read from the right, skipping
trusted hops, and the first address outside them is the client. Everything that keys on an
IP (DRF throttles, django-axes, logs) reads ``REMOTE_ADDR``, which the middleware rewrites.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Headers a client could use to pose as someone else or as a secure connection; kept only
# when a trusted proxy set them.
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_FORWARDED")


@lru_cache(maxsize=8)
def parse_networks(values: tuple[str, ...]) -> tuple[IpNetwork, ...]:
    """CIDRs (or single addresses); the settings module calls it so a typo fails at start-up."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {value!r} is not a CIDR") from exc
    return tuple(networks)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(address, networks: tuple[IpNetwork, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def resolve_client_ip(
    *, peer: str, forwarded_for: str, trusted: tuple[IpNetwork, ...]
) -> tuple[str, bool]:
    """``(client address, whether the peer is a trusted proxy)``.

    The rightmost address that is not a trusted proxy is the client: hops to its left were
    written by the client itself and prove nothing. A malformed hop ends the walk at the last
    address a trusted proxy vouched for.
    """
    peer_address = _address(peer)
    if not _is_trusted(peer_address, trusted):
        return peer, False
    client = peer
    for hop in reversed([h for h in forwarded_for.split(",") if h.strip()]):
        hop_address = _address(hop)
        if hop_address is None:
            break
        client = str(hop_address)
        if not _is_trusted(hop_address, trusted):
            break
    return client, True


class TrustedProxyMiddleware:
    """Puts the real client address into ``REMOTE_ADDR``; drops forwarded headers from others.

    The peer's own address stays in ``request.META["PEER_ADDR"]``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        client, from_proxy = resolve_client_ip(
            peer=peer,
            forwarded_for=meta.get("HTTP_X_FORWARDED_FOR", ""),
            trusted=parse_networks(tuple(settings.TRUSTED_PROXIES)),
        )
        meta["PEER_ADDR"] = peer
        meta["REMOTE_ADDR"] = client
        if not from_proxy:
            for header in FORWARDED_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)
