"""Which address is the client's behind trusted proxies (server/web/proxies.py): the right-most hop of
X-Forwarded-For that is not a trusted proxy, and only when the peer is trusted."""
from __future__ import annotations

import pytest

from server.web.proxies import ClientAddress, parse_trusted

TRUSTED = ClientAddress(None, parse_trusted(["127.0.0.1", "10.0.0.0/24", "::1"]))


@pytest.mark.parametrize("peer, header, client", [
    ("127.0.0.1", "203.0.113.7", "203.0.113.7"),
    ("127.0.0.1", "1.1.1.1, 203.0.113.7", "203.0.113.7"),        # the client's own claim is to the left
    ("127.0.0.1", "203.0.113.7, 10.0.0.9", "203.0.113.7"),       # a chain of trusted proxies
    ("127.0.0.1", "10.0.0.8, 10.0.0.9", "10.0.0.8"),             # all trusted: the left-most they vouched for
    ("127.0.0.1", "garbage, 203.0.113.7", "203.0.113.7"),
    ("127.0.0.1", "203.0.113.7, garbage", "127.0.0.1"),           # not written by a trusted proxy: stop there
    ("127.0.0.1", None, "127.0.0.1"),
    ("::1", "2001:db8::5", "2001:db8::5"),
    ("198.51.100.1", "203.0.113.7", "198.51.100.1"),              # an untrusted peer's header is ignored
    ("127.0.0.1", ", ".join(["10.0.0.1"] * 5000 + ["203.0.113.9"]), "203.0.113.9"),
])
def test_the_client_address(peer, header, client):
    assert TRUSTED.client(peer, header) == client


def test_nothing_trusted_means_the_peer():
    assert ClientAddress(None, ()).client("127.0.0.1", "203.0.113.7") == "127.0.0.1"


@pytest.mark.parametrize("bad", ["proxy.lan", "10.0.0.0/33", "1.2.3"])
def test_a_bad_trusted_proxy_is_refused(bad):
    with pytest.raises(ValueError, match="trusted-proxy"):
        parse_trusted([bad])
