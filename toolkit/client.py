"""The address of the person behind a request, also when a reverse proxy stands in front.

Behind the TLS-terminating proxy every request arrives from the proxy, so ``REMOTE_ADDR`` alone
would put every visitor in one rate-limit bucket and stamp every audit event with the proxy's
address. The proxy appends the address it saw to ``X-Forwarded-For``; everything left of that
is whatever the client chose to send. So the header counts only when the request comes from a
trusted proxy (``settings.TRUSTED_PROXIES``: addresses or networks, default none), and then the
client is the rightmost hop that is not itself a trusted proxy.

Written by hand rather than with django-ipware: ipware (python-ipware) matches trusted proxies
by string prefix rather than network, and judges them from the hops written in the header
instead of from the peer that actually connected, so it does not give this guarantee by itself.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request) -> str | None:
    """The client's IP address as a string, or None when the peer's address is unknown."""
    peer = _parse(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not _trusted(peer, networks):
        return str(peer)
    # Walk the chain from the right: each trusted proxy vouches for the hop to its left; the first
    # hop it does not trust is the client. A malformed hop ends the walk at the last good one.
    client = peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _parse(hop)
        if address is None:
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)
