"""The HTTP servers' own refusals in the contract's shape. eventlet's and gevent's servers refuse an
over-long request line, over-long or too many header lines and unreadable requests before the Flask
application sees them, each with a body of its own (empty, or an HTML page); here each server's
protocol is subclassed so those refusals answer `{"error": {"code", "reason", "message"}}` as JSON too,
and their log lines go through the hall's logger (whose formatter escapes what a client sent).

The limits (docs/security.md "Bad input, headers and logs"):
- request line: REQUEST_LINE_LIMIT bytes (both servers) → 414 `request_too_large`;
- one header line: 8,192 bytes (eventlet), 65,536 (gevent); more than 100 header lines (both); all
  headers together 65,536 bytes (eventlet) → 431 `request_too_large`;
- a request line or headers that cannot be parsed → 400 `bad_request`.
Only the module of the server in use is imported (the async mode is one setting)."""
from __future__ import annotations

import json
import logging
from http import HTTPStatus

from ..domain.errors import Reason

REQUEST_LINE_LIMIT = 8192
wsgi_log = logging.getLogger("hallq.wsgi")

_TOO_LARGE = {414: "The request line (method, path and query) is longer than the server accepts "
                   f"({REQUEST_LINE_LIMIT} bytes); send shorter query values.",
              431: "The request's headers are larger than the server accepts (one line, 100 lines, or their "
                   "total); send fewer or shorter headers."}


def refusal(status: int) -> bytes:
    """A whole HTTP response (status line, headers, JSON body) for a request the server refused unread."""
    if status in _TOO_LARGE:
        code, reason, message = "invalid", Reason.REQUEST_TOO_LARGE, _TOO_LARGE[status]
    elif status < 500:
        code, reason, message = "invalid", Reason.BAD_REQUEST, "The request could not be read as HTTP/1.1."
    else:
        code, reason, message = "unavailable", Reason.SERVER_ERROR, "The server could not read this request."
    body = json.dumps({"error": {"code": code, "reason": reason.value, "message": message}}).encode()
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    head = (f"HTTP/1.1 {status} {phrase}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n")
    return head.encode("ascii") + body


def server_options(async_mode: str) -> dict:
    """What `socketio.run` passes on to the server of `async_mode` for these refusals and their log."""
    if async_mode == "eventlet":
        return {"protocol": _eventlet_protocol(), "url_length_limit": REQUEST_LINE_LIMIT, "log": wsgi_log}
    if async_mode == "gevent":
        return {"handler_class": _gevent_handler()}
    return {}


def _eventlet_protocol():
    from eventlet import wsgi

    class Protocol(wsgi.HttpProtocol):
        def _refuse(self, status: int) -> None:
            self.close_connection = 1
            try:
                self.wfile.write(refusal(status))
                self.wfile.flush()
            except OSError:
                pass

        def _read_request_line(self):
            line = super()._read_request_line()
            if len(line) >= self.server.url_length_limit:
                self.log_message("request line over %d bytes refused", self.server.url_length_limit)
                self._refuse(414)
                return ""  # eventlet closes a connection whose request line is empty
            return line

        def parse_request(self):
            try:
                return super().parse_request()
            except (wsgi.HeaderLineTooLong, wsgi.HeadersTooLarge) as exc:
                self.log_message("headers refused: %s", type(exc).__name__)
                self._refuse(431)
                return False

        def send_error(self, code, message=None, explain=None):
            # http.server's own refusals: an unreadable request line, over 100 header lines, a bad version.
            self.log_message("code %d, message %s", code, message)
            self._refuse(code if 400 <= code < 500 else 400)  # a bad version (505) is the client's error too

        def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
            wsgi_log.warning("%s: %s", self.client_address[0] if self.client_address else "-", format % args)

    return Protocol


def _gevent_handler():
    from http import client

    from gevent import pywsgi

    class HeadersTooLarge(ValueError):  # a ValueError: gevent logs it as a client's error, not a traceback
        pass

    class Handler(pywsgi.WSGIHandler):
        def MessageClass(self, *args):  # noqa: N802 (gevent's name)
            try:
                headers = super().MessageClass(*args)
            except client.HTTPException as exc:  # more than 100 header lines
                raise HeadersTooLarge(str(exc))
            if getattr(headers, "status", "") == "Line too long":  # gevent's mark for a line over 65,536 bytes
                raise HeadersTooLarge("a header line is too long")
            return headers

        def handle_one_request(self):
            result = super().handle_one_request()
            if isinstance(result, tuple):  # (status, gevent's own canned response): ours instead
                status = int(result[0])
                return result[0], refusal(431 if isinstance(self._client_error, HeadersTooLarge) else status)
            return result

        _client_error = None

        def _handle_client_error(self, ex):
            self._client_error = ex
            return super()._handle_client_error(ex)

    return Handler
