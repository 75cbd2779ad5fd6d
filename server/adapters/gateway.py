"""The hall's message gateway (短信/微信), as the notices' worker sees it: one HTTP POST of one notice
as JSON (CONTRACT v2 `[notices] url`); any 2xx answer means the gateway took it.

It is called on a real OS thread (hallq/bootstrap.py `thread_runner`), so it speaks through the C
`_socket` module, which neither eventlet nor gevent patches: a blocking socket with a timeout on that
thread, whatever the server's async mode, and never the event loop's.
"""
from __future__ import annotations

import _socket
import json
from urllib.parse import urlsplit

from ..services.notice_delivery import NoticeNotDelivered

MAX_STATUS_LINE = 4096


class HttpGateway:
    def __init__(self, url: str, timeout_s: float):
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"the gateway url must be http://HOST:PORT/PATH, not {url!r}")
        self.host, self.port = parts.hostname, parts.port or 80
        self.target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.timeout_s = timeout_s

    def __call__(self, payload: dict) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        head = (f"POST {self.target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nUser-Agent: hallq\r\n"
                f"Content-Type: application/json; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n")
        try:
            sock = self._connect()
        except OSError as exc:
            raise NoticeNotDelivered(f"cannot reach the gateway: {exc.strerror or type(exc).__name__}") from None
        try:
            sock.sendall(head.encode("ascii") + body)
            status = _status(sock)
        except OSError as exc:
            raise NoticeNotDelivered(f"the gateway did not answer: {exc.strerror or type(exc).__name__}") from None
        finally:
            sock.close()
        if not 200 <= status < 300:
            raise NoticeNotDelivered(f"the gateway answered HTTP {status}")

    def _connect(self):
        failure: OSError = OSError("no address")
        for family, kind, proto, _name, address in _socket.getaddrinfo(self.host, self.port, 0, _socket.SOCK_STREAM):
            sock = _socket.socket(family, kind, proto)
            sock.settimeout(self.timeout_s)
            try:
                sock.connect(address)
                return sock
            except OSError as exc:
                sock.close()
                failure = exc
        raise failure


def _status(sock) -> int:
    """The status code of the answer's first line (`HTTP/1.1 200 OK`)."""
    received = b""
    while b"\r\n" not in received:
        chunk = sock.recv(1024)
        if not chunk or len(received) > MAX_STATUS_LINE:
            raise NoticeNotDelivered("the gateway closed the connection without an answer")
        received += chunk
    parts = received.split(b"\r\n", 1)[0].split()
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        raise NoticeNotDelivered("the gateway's answer is not HTTP")
    return int(parts[1])
