"""The client's real address behind the proxies the hall trusts (CONTRACT v2 "Behind a proxy";
docs/deployment.md). Only a peer in the trusted list may say, in `X-Forwarded-For`, who it forwards
for; the client is the right-most address there that is not itself a trusted proxy (what a client
writes into the header itself lies to the left of what the proxies appended, and is never used).
From any other peer the header is ignored."""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDR blocks (`10.0.0.5`, `10.0.0.0/8`, `::1`); ValueError names a bad one."""
    networks = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"--trusted-proxy {entry!r} is not an IP address or CIDR block") from None
    return tuple(networks)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


class ClientAddress:
    """WSGI middleware: REMOTE_ADDR becomes the client's real address (the peer stays in `hallq.peer`),
    so the rate limits and the log see the citizen's or clerk's terminal, not the proxy."""

    def __init__(self, wsgi_app, trusted: tuple[Network, ...]):
        self.wsgi_app = wsgi_app
        self.trusted = trusted

    def _trusted(self, address) -> bool:
        return address is not None and any(address in network for network in self.trusted)

    def client(self, peer: str, forwarded_for: str | None) -> str:
        peer_address = _address(peer)
        if not forwarded_for or not self._trusted(peer_address):
            return peer
        client = peer_address
        for hop in reversed(forwarded_for.split(",")[-20:]):  # a long forged chain costs nothing to walk
            address = _address(hop)
            if address is None:
                break  # not written by a proxy we trust: stop at the last hop they vouched for
            client = address
            if not self._trusted(address):
                break
        return str(client)

    def __call__(self, environ, start_response):
        if self.trusted:
            peer = environ.get("REMOTE_ADDR", "")
            environ["hallq.peer"] = peer
            environ["REMOTE_ADDR"] = self.client(peer, environ.get("HTTP_X_FORWARDED_FOR"))
        return self.wsgi_app(environ, start_response)
