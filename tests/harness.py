"""Start real `hallq serve` processes on free ports and talk to them over real sockets."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
HALLQ = [sys.executable, "-m", "hallq"]
PASSWORD = "hall-test-pass-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_config(folder: Path, extra_toml: str) -> str:
    """A copy of the bundled demo hall with `extra_toml` appended (devices, say); returns its path."""
    path = folder / "hall.toml"
    path.write_text((ROOT / "config" / "demo-hall.toml").read_text(encoding="utf-8") + extra_toml, encoding="utf-8")
    return str(path)


def seed_bench_staff(db: str, windows: int | None = None):
    """The bench's staff (a clerk signed in at each of the first `windows` windows), seeded as `hallq bench` does."""
    from bench.seed import seed_staff
    from hallq.bootstrap import build_hall
    hall, database = build_hall(None, db)
    try:
        return seed_staff(hall, windows)
    finally:
        database.dispose()


def run_cli(*args: str, db: str, config: str | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    cmd = [*HALLQ, *args, "--db", db] + (["--config", config] if config else [])
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=60)


class PortTaken(RuntimeError):
    pass


class Server:
    """One `hallq serve` process. `restart()` keeps the database; `kill()` is kill -9."""

    def __init__(self, db: str, workdir: Path, async_mode: str = "eventlet", config: str | None = None,
                 message_queue: str | None = None, port: int | None = None, channel: str | None = None,
                 clock_file: str | None = None, extra_args: tuple[str, ...] = ()):
        """`clock_file`: run on the clock of tests/launchers/clock_server.py (a file the test moves);
        `extra_args`: more `hallq serve` options (--trusted-proxy …)."""
        self.db, self.workdir, self.async_mode = db, workdir, async_mode
        self.extra_args = tuple(extra_args)
        self.clock_file = clock_file
        self.config, self.message_queue, self.channel = config, message_queue, channel
        self.port = port or free_port()
        # A port chosen here may be taken by some outgoing connection before the server binds it
        # (free ports come from the ephemeral range): the first start then tries another.
        self._may_move = port is None
        self.proc: subprocess.Popen | None = None
        self.log_path = workdir / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return self.url + "/api/v1"

    def start(self, timeout: float = 30) -> "Server":
        for _attempt in range(3):
            try:
                return self._start(timeout)
            except PortTaken:
                self.port = free_port()
                self.log_path = self.workdir / f"server-{self.port}.log"
        return self._start(timeout)

    def _start(self, timeout: float) -> "Server":
        launcher = HALLQ if self.clock_file is None else [
            sys.executable, str(ROOT / "tests" / "launchers" / "clock_server.py"), self.clock_file]
        cmd = [*launcher, "serve", "--db", self.db, "--port", str(self.port), "--async-mode", self.async_mode]
        if self.config:
            cmd += ["--config", self.config]
        if self.message_queue:
            cmd += ["--message-queue", self.message_queue]
        if self.channel:  # test runs share the machine's Redis: each hall gets its own channel
            cmd += ["--message-queue-channel", self.channel]
        cmd += list(self.extra_args)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "HALLQ_LOG_LEVEL": "WARNING"})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                if self._may_move and "Address already in use" in self.log():
                    raise PortTaken(self.port)
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if requests.get(self.api + "/health", timeout=1).status_code == 200:
                    self._may_move = False  # restarts keep the address its clients know
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not answer in {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> "Server":
        self.stop()
        return self.start()


class Client:
    """A thin HTTP client holding a bearer token."""

    def __init__(self, server: Server, token: str | None = None):
        self.server, self.token = server, token
        self.http = requests.Session()

    def headers(self, extra=None) -> dict:
        h = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**h, **(extra or {})}

    def get(self, path: str, **kw) -> requests.Response:
        return self.http.get(self.server.api + path, headers=self.headers(kw.pop("headers", None)), timeout=30, **kw)

    def post(self, path: str, json=None, **kw) -> requests.Response:
        return self.http.post(self.server.api + path, json=json, headers=self.headers(kw.pop("headers", None)), timeout=30, **kw)

    def put(self, path: str, json=None, **kw) -> requests.Response:
        return self.http.put(self.server.api + path, json=json, headers=self.headers(kw.pop("headers", None)), timeout=30, **kw)

    def delete(self, path: str, **kw) -> requests.Response:
        return self.http.delete(self.server.api + path, headers=self.headers(kw.pop("headers", None)), timeout=30, **kw)


def login(server: Server, username: str, password: str = PASSWORD) -> Client:
    r = requests.post(server.api + "/auth/login", json={"username": username, "password": password}, timeout=30)
    assert r.status_code == 200, r.text
    return Client(server, r.json()["token"])


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def connect_socket(url: str, namespace: str, auth: dict | None = None):
    """A Socket.IO client on one namespace, recording every event as (name, data) in the list returned."""
    import socketio
    received: list[tuple[str, object]] = []
    client = socketio.Client(reconnection=False)
    client.on("*", lambda event, data: received.append((event, data)), namespace=namespace)
    client.connect(url, namespaces=[namespace], transports=["websocket"], auth=auth, wait_timeout=10)
    return client, received


def wait_for(predicate, timeout: float = 5.0) -> bool:
    """Poll until `predicate()` is true or the time is up; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def display_client(url: str, subscription: dict):
    """A screen on /display, subscribed; returns the client and the list of (event, data) it receives."""
    received: list[tuple[str, dict]] = []
    client = socketio.Client(reconnection=False)
    for event in ("snapshot", "ticket_called", "window_updated", "ticket_updated", "ticket_place", "stats"):
        client.on(event, (lambda e: lambda data: received.append((e, data)))(event), namespace="/display")
    client.connect(url, namespaces=["/display"], transports=["websocket"], wait_timeout=10)
    ack = client.call("subscribe", subscription, namespace="/display", timeout=10)
    assert ack == {"ok": True, "room": f"{next(iter(subscription))}:{next(iter(subscription.values()))}"}
    return client, received
