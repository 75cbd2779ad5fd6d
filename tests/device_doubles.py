"""The doubles of the drivers' tests (test_drivers_*.py, and the tests of devices on a real server): a
`FakeHall` stands for the server as the devices see it (drivers.router.HallForDevices), a
`PrinterListener` for a network printer, and the events, tickets and device entries they are fed.
The `router_for` fixture (tests/conftest.py) starts routers over a FakeHall. Frames are written out
here from docs/hardware.md, independently of drivers/."""
from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time

from drivers.escpos_ticket import status_answer
from server.config import Device, load_config
from server.domain.events import QueueFigures, QueueFiguresChanged, TicketFacts, WindowFacts, WindowUpdated
from server.services.pagers import PagerKey, PagerOutcome
from server.services.printing import PrintJob

TICKET = {"id": "tkt-abc", "number": "A023", "queue": "shebao", "matter": None, "floor": 1, "zone": "individual",
          "issued_at": "2026-11-27T01:30:00+00:00", "ahead": 4, "eta_minutes": 18,
          "eta_range": [12, 26]}
NOW = dt.datetime(2026, 11, 27, 1, 30, tzinfo=dt.timezone.utc)


class FakeHall:
    """The server as the devices see it: records what they report and do."""

    def __init__(self, owed: list[PrintJob] = (), outcome: PagerOutcome = PagerOutcome.DONE, rate_error=None):
        self.owed, self.printed_jobs = list(owed), []
        self.health: list[tuple[str, str, str]] = []
        self.presses: list[tuple] = []
        self.ratings: list[tuple] = []
        self.outcome, self.rate_error = outcome, rate_error
        self.lock = threading.Lock()

    def report_health(self, device: str, state: str, detail: str) -> None:
        self.health.append((device, state, detail))

    def owed_prints(self, printer: str) -> list[PrintJob]:
        with self.lock:
            return [job for job in self.owed if job.printer == printer]

    def printed(self, job: PrintJob) -> None:
        with self.lock:
            self.owed.remove(job)
            self.printed_jobs.append(job)

    def press(self, pager: str, window: str, key: PagerKey, transfer_to: str | None) -> PagerOutcome:
        self.presses.append((pager, window, key, transfer_to))
        return self.outcome

    def rate(self, window: str, level: int, evaluator: str) -> None:
        self.ratings.append((window, level, evaluator))
        if self.rate_error:
            raise self.rate_error

    def states(self, device: str) -> list[str]:
        return [state for name, state, _ in self.health if name == device]


def ticket(number="A023", window="15", floor=1, queue="yibao") -> TicketFacts:
    return TicketFacts(id="tkt-abc", number=number, queue=queue, matter=None, floor=floor, zone="individual",
                       priority="normal", status="called", issued_at=NOW, called_at=NOW, finished_at=None,
                       window=window, clerk="clerk-15", recalls=0, case=None)


def window_update(state="open", current: TicketFacts | None = None, window="15", queues=("yibao",)) -> WindowUpdated:
    return WindowUpdated(facts=WindowFacts(number=window, floor=1, kind="professional", department="ybj",
                                           queues=queues, state=state, clerk="clerk-15", version=1), current=current)


def figures(**waiting: int) -> QueueFiguresChanged:
    return QueueFiguresChanged(queues=tuple(QueueFigures(code, code, 1, n, 1, 0, None) for code, n in waiting.items()))


def ft12_frame(address: int, function: int, *data: int) -> bytes:
    """FF 68 L L 68 addr func data… CS 16, written out from docs/hardware.md."""
    length = 2 + len(data)
    return bytes([0xFF, 0x68, length, length, 0x68, address, function, *data,
                  (address + function + sum(data)) % 256, 0x16])


def config_with(*devices: dict):
    cfg = load_config()
    cfg.devices = [Device(**d) for d in devices]
    return cfg


def read_until(fd: int, predicate, timeout: float = 10.0) -> bytes:
    got, deadline = b"", time.monotonic() + timeout
    os.set_blocking(fd, False)
    while time.monotonic() < deadline and not predicate(got):
        try:
            got += os.read(fd, 4096)
        except BlockingIOError:
            time.sleep(0.02)
    return got


class PrinterListener:
    """A network printer stand-in: records every byte and answers DLE EOT like a printer would."""

    def __init__(self, port: int | None = None, paper_out: bool = False, late_answers: int = 0):
        self.late_answers = late_answers  # the first status queries answered too late (a loaded link)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port or 0))
        self.sock.listen()
        self.port, self.paper_out, self.data = self.sock.getsockname()[1], paper_out, b""
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                with conn:
                    while chunk := conn.recv(4096):
                        self.data += chunk
                        if b"\x10\x04" in chunk:
                            if self.late_answers:
                                self.late_answers -= 1
                                time.sleep(1.0)  # after the driver stopped waiting
                            conn.sendall(status_answer(paper_out=self.paper_out))
            except OSError:
                # The driver hung up before a late answer (a loaded machine): a printer serves the next
                # connection all the same. (Uncaught, this ended the listener, and every later job's
                # bytes waited unread in the backlog: the browser test's flake.)
                continue

    def close(self):
        self.sock.close()


def printer_device(port: int) -> dict:
    return dict(name="p1", kind="printer", url=f"tcp://127.0.0.1:{port}", protocol="escpos", attach="kiosk:kiosk-1")


def bus_devices(path: str) -> list[dict]:
    return [dict(name="pager-15", kind="pager", url=path, protocol="ft12", attach="window:15", address=1,
                 transfer_to="shebao"),
            dict(name="eval-15", kind="evaluator", url=path, protocol="ft12", attach="window:15", address=2)]
