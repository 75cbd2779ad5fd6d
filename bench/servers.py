"""The server processes a bench run measures: started here (`hallq serve` on free loopback ports), or
found by the port of `--url`. Peak memory is the kernel's high-water mark (VmHWM) of each process."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psutil


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeProcess:
    def __init__(self, db: str, workdir: Path, config: str | None, async_mode: str,
                 message_queue: str | None, channel: str | None, python: str | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # `python`: another checkout's interpreter (--server-python), to time two versions of the server
        # under the same generator.
        cmd = [python or sys.executable, "-m", "hallq", "serve", "--db", db, "--port", str(self.port),
               "--async-mode", async_mode]
        cmd += ["--config", str(Path(config).resolve())] if config else []
        cmd += ["--message-queue", message_queue] if message_queue else []
        cmd += ["--message-queue-channel", channel] if channel else []
        self.log_path = workdir / f"serve-{self.port}.log"
        with open(self.log_path, "ab") as log:
            # In the work folder, with no PYTHONPATH: `python -m hallq` run from a checkout would import that
            # checkout's code, not the code of `python`'s own.
            env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} if python else dict(os.environ)
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=workdir if python else None,
                                         env={**env, "HALLQ_LOG_LEVEL": "WARNING"})

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hallq serve exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/api/v1/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"hallq serve did not answer within {timeout}s; see {self.log_path}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def start_or_find(args, db: str, workdir: Path, servers: list[ServeProcess]) -> tuple[list[str], list[int | None]]:
    """The URLs and pids of the servers a run measures: those of --url, or `args.processes` of
    `hallq serve` started here (appended to `servers` as they start, so the caller stops every one
    even when a later one fails to come up)."""
    if args.url:
        urls = [u.rstrip("/") for u in args.url]
        return urls, [pid_listening_on(u) for u in urls]
    channel = f"hallq-bench-{uuid.uuid4().hex[:8]}"
    for _ in range(args.processes):
        servers.append(ServeProcess(db, workdir, args.config, args.async_mode, args.message_queue, channel,
                                    args.server_python))
    for s in servers:
        s.wait_ready()
    return [s.url for s in servers], [s.pid for s in servers]


def peak_rss_fields(pids: list[int | None]) -> dict:
    """`peak_rss_mb_per_process` (None where the process cannot be seen) and their largest, `peak_rss_mb`."""
    per_process = [peak_rss_mb(p) if p else None for p in pids]
    known = [m for m in per_process if m is not None]
    return {"peak_rss_mb_per_process": per_process, "peak_rss_mb": max(known) if known else None}


def pid_listening_on(url: str) -> int | None:
    """The process serving a loopback URL, if it runs on this machine and we may see it."""
    port = urlsplit(url).port or 80
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
                return conn.pid
    except psutil.AccessDenied:
        pass
    return None


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set size so far (VmHWM), in MB."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None
