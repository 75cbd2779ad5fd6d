"""A stand-in for the hall's SMS/WeChat gateway (`hallq devices simulate`, and the tests): an HTTP
server that takes the notices the hall posts (`[notices] url`, docs/notices.md) and writes each as one
JSON line to a log file, so a demo visitor can read what the hall "texted". Its own printout masks
the phone; the log file is the gateway's record and keeps what it received.

`stop()` and `start()` (on the same port) play a gateway that goes away and comes back; `failing`
makes it answer 503 while it stays up; `delay_s` makes it slow to answer.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from server.domain.cases import mask_phone

PATH = "/notices"
MAX_BODY = 64 * 1024


class GatewayStandIn:
    def __init__(self, log_file: Path | None = None, port: int = 0, say: Callable[[str], None] | None = None):
        self.log_file = log_file
        self.say = say
        self.port = port
        self.received: list[dict] = []  # every notice taken, in order (duplicates included)
        self.failing = False
        self.delay_s = 0.0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"

    def start(self) -> "GatewayStandIn":
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]  # the same port on every restart
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def take(self, notice: dict) -> None:
        with self._lock:
            self.received.append(notice)
            if self.log_file is not None:
                with open(self.log_file, "a", encoding="utf-8") as log:
                    log.write(json.dumps(notice, ensure_ascii=False) + "\n")
        if self.say:
            self.say(f"gateway: {notice.get('event')} → {mask_phone(str(notice.get('phone', '')))}: {notice.get('text')}")

    def _handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                if self.path != PATH or not 0 < length <= MAX_BODY:
                    return self._answer(404 if self.path != PATH else 400, {"error": "post a notice to " + PATH})
                try:
                    notice = json.loads(self.rfile.read(length))
                except ValueError:
                    return self._answer(400, {"error": "not JSON"})
                if gateway.failing:
                    return self._answer(503, {"error": "the gateway is failing (simulated)"})
                if gateway.delay_s:
                    time.sleep(gateway.delay_s)
                gateway.take(notice)
                return self._answer(200, {"ok": True})

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args) -> None:
                pass  # the notices themselves are the log
        return Handler
