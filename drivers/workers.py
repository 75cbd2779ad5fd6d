"""Device workers: each device runs in its own thread fed by a queue, so a slow or dead device never
holds up the server. A failing job is retried with backoff and never dropped; health changes are
reported to the hub, which turns them into admin alerts.

Under eventlet or gevent the server monkey-patches `threading`, `queue`, `socket`, `select` and
`subprocess`, so these threads are green threads and their I/O is cooperative (pyserial waits in
`select`, research/platform.md §5); speech runs in a child process.
"""
from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import bx5, ft12
from .escpos_ticket import STATUS_QUERY, TicketPrint, compose, parse_status
from .links import FileLink, Link, LinkError, open_link
from .speech import Announcer, SpeechError

log = logging.getLogger("hallq.devices")
BACKOFF_S = (0.5, 1, 2, 5)  # then every 5 s: a status probe is cheap, a waiting citizen is not
PRINTER_PROBE_S = 30
STATUS_WAIT_S = 0.5
FLASHES, FLASH_S = 3, 0.3
KEEP_AUDIO_FILES = 200


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


class DeviceFault(Exception):
    """The device cannot do the job now (offline, paper out …); the job stays queued and is retried."""

    def __init__(self, state: str, detail: str):
        super().__init__(detail)
        self.state, self.detail = state, detail


@dataclass
class Health:
    name: str
    kind: str
    protocol: str
    url: str
    attach: str
    state: str = "unknown"   # unknown | online | offline | paper_low | paper_out | error
    detail: str = "not used yet"
    since: str = field(default_factory=now_iso)
    last_seen: str | None = None
    queued: int = 0

    def view(self) -> dict:
        return dict(self.__dict__)


class Worker:
    coalesce = False  # True: only the newest queued job matters (a screen shows the latest state)

    def __init__(self, device, hub):
        self.device, self.hub = device, hub
        self.health = Health(device.name, device.kind, device.protocol, device.url, device.attach)
        self.jobs: queue.Queue = queue.Queue()
        self.idle_timeout: float | None = None

    def start(self) -> None:
        threading.Thread(target=self._run, name=f"device-{self.device.name}", daemon=True).start()

    def submit(self, job) -> None:
        self.jobs.put(job)
        self.health.queued = self.jobs.qsize()

    def _next(self):
        job = self.jobs.get(timeout=self.idle_timeout)
        while self.coalesce and not self.jobs.empty():
            job = self.jobs.get_nowait()
        self.health.queued = self.jobs.qsize()
        return job

    def _run(self) -> None:
        while True:
            try:
                job = self._next()
            except queue.Empty:
                self._attempt(self.idle, None, retry=False)
                continue
            self._attempt(self.handle, job, retry=True)

    def _attempt(self, action, job, retry: bool) -> None:
        attempt = 0
        while True:
            try:
                action(job)
                return
            except DeviceFault as exc:
                self.hub.report(self, exc.state, exc.detail)
            except Exception as exc:  # a bug or an unexpected answer: report it, keep the worker alive
                log.exception("device %s failed", self.device.name)
                self.hub.report(self, "error", f"{exc.__class__.__name__}: {exc}")
                return
            if not retry:
                return
            time.sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
            attempt += 1

    def handle(self, job) -> None:
        raise NotImplementedError

    def idle(self, _job) -> None:
        pass

    def ok(self, state: str = "online", detail: str = "ready") -> None:
        self.health.last_seen = now_iso()
        self.hub.report(self, state, detail)


# ---------------------------------------------------------------- printers
class PrinterWorker(Worker):
    def __init__(self, device, hub):
        super().__init__(device, hub)
        self.idle_timeout = PRINTER_PROBE_S

    def _open(self) -> Link:
        try:
            return open_link(self.device.url, timeout=3, baudrate=self.device.baudrate)
        except LinkError as exc:
            raise DeviceFault("offline", str(exc))

    def _status(self, link: Link):
        if isinstance(link, FileLink):
            return parse_status(b"")
        link.write(STATUS_QUERY)
        answer, deadline = b"", time.monotonic() + STATUS_WAIT_S
        while len(answer) < 3 and time.monotonic() < deadline:
            answer += link.read(3 - len(answer), max(0.01, deadline - time.monotonic()))
        return parse_status(answer)

    def handle(self, job: TicketPrint) -> None:
        link = self._open()
        try:
            status = self._status(link)
            if status.state in ("paper_out", "error"):
                raise DeviceFault(status.state, status.detail)
            link.write(compose(job))
        except LinkError as exc:
            raise DeviceFault("offline", str(exc))
        finally:
            link.close()
        self.hub.printed(self, job)
        self.ok(status.state, status.detail)

    def idle(self, _job) -> None:
        """Between tickets, ask for paper and cover status so the admin hears of paper-out early."""
        if self.device.url.startswith("file:"):
            return
        link = self._open()
        try:
            status = self._status(link)
        except LinkError as exc:
            raise DeviceFault("offline", str(exc))
        finally:
            link.close()
        if status.answered:
            self.ok(status.state, status.detail)


# ---------------------------------------------------------------- LED screens
@dataclass(frozen=True)
class LedShow:
    text: str
    flash: bool = False


class LedWorker(Worker):
    coalesce = True

    def _next(self):
        """The newest state wins, but a call's flash survives the window update that follows it."""
        job = self.jobs.get(timeout=self.idle_timeout)
        while not self.jobs.empty():
            newer = self.jobs.get_nowait()
            job = LedShow(newer.text, newer.flash or (job.flash and job.text == newer.text))
        self.health.queued = 0
        return job

    def __init__(self, device, hub):
        super().__init__(device, hub)
        self.link: Link | None = None
        self.width, self.height = (int(v) for v in device.size.split("x"))

    def encode(self, text: str) -> bytes:
        if self.device.protocol == "bx5":
            return bx5.frame(bx5.dynamic_text(text, width=self.width, height=self.height),
                             screen=self.device.address or 1)
        return text.encode("gb18030", errors="replace") + b"\r\n"

    def _send(self, text: str) -> None:
        try:
            if self.link is None:
                self.link = open_link(self.device.url, timeout=3, baudrate=self.device.baudrate)
            self.link.write(self.encode(text))
        except LinkError as exc:
            if self.link is not None:
                self.link.close()
            self.link = None
            raise DeviceFault("offline", str(exc))

    def handle(self, job: LedShow) -> None:
        if job.flash:
            for _ in range(FLASHES):  # no blink effect code is documented for BX-5 here: re-send instead
                self._send(job.text)
                time.sleep(FLASH_S)
                self._send("")
                time.sleep(FLASH_S)
        self._send(job.text)
        self.ok()


# ---------------------------------------------------------------- speakers
@dataclass(frozen=True)
class Announcement:
    text: str
    number: str
    window: str
    floor: int


class SpeakerWorker(Worker):
    """One per speaker (one per floor): announcements strictly one after another. With
    `url = "file:DIR"` each announcement is written as a WAV that the floor screens play."""

    def __init__(self, device, hub):
        super().__init__(device, hub)
        self.folder = Path(device.url[len("file:"):])  # the config check allows only file:DIR
        self.announcer = Announcer(self.folder / ".cache", repeats=device.repeats)
        self.counter = 0

    def handle(self, job: Announcement) -> None:
        self.counter += 1
        stamp = dt.datetime.now().strftime("%H%M%S")
        name = f"{stamp}-{self.counter:04d}-{job.number}-{job.window}.wav"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.announcer.announcement(job.text, self.folder / name)
        except (SpeechError, OSError) as exc:
            raise DeviceFault("error", str(exc))
        self._prune()
        self.hub.announced(self, job, name)
        self.ok()

    def _prune(self) -> None:
        files = sorted(self.folder.glob("*.wav"))
        for old in files[:-KEEP_AUDIO_FILES]:
            old.unlink(missing_ok=True)


# ---------------------------------------------------------------- RS485 bus: pagers and evaluators
class BusWorker(Worker):
    """All pagers and evaluators sharing one serial line. Reads key frames, echoes each as the
    acknowledgement, and hands keys to the hub; writes display frames between reads."""

    def __init__(self, devices, hub):
        super().__init__(devices[0], hub)
        self.devices = {d.address or 0: d for d in devices}
        self.link: Link | None = None
        self.buffer = b""
        self.healths = {d.name: Health(d.name, d.kind, d.protocol, d.url, d.attach) for d in devices}

    def submit(self, job) -> None:
        self.jobs.put(job)

    def _run(self) -> None:
        attempt = 0
        while True:
            try:
                if self.link is None:
                    self.link = open_link(self.device.url, timeout=1, baudrate=self.device.baudrate)
                    for name in self.healths:
                        self.hub.report_named(name, "online", "bus open", self.healths)
                    attempt = 0
                self._pump()
            except LinkError as exc:
                if self.link is not None:
                    self.link.close()
                self.link = None
                for name in self.healths:
                    self.hub.report_named(name, "offline", str(exc), self.healths)
                time.sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
                attempt += 1
            except Exception:
                log.exception("bus %s failed", self.device.url)
                time.sleep(1)

    def _pump(self) -> None:
        while not self.jobs.empty():
            job = self.jobs.get_nowait()
            if job[0] == "show":  # ("show", pager, window view): computed here, off the request path
                self.link.write(self.hub.pager_frame(job[1], job[2]))
            else:
                self.link.write(job[1])
        data = self.link.read(64, 0.05)
        if not data:
            return
        frames, self.buffer = ft12.split_frames(self.buffer + data)
        for raw in frames:
            try:
                address, function, payload = ft12.parse(raw)
            except ft12.FrameError as exc:
                log.warning("bus %s: dropped a bad frame %s (%s)", self.device.url, raw.hex(" "), exc)
                continue
            self.link.write(raw)  # echo: the acknowledgement
            device = self.devices.get(address)
            if device is None:
                log.warning("bus %s: frame from unknown address %d", self.device.url, address)
                continue
            self.healths[device.name].last_seen = now_iso()
            self.hub.bus_input(self, device, function, payload)

    def send(self, frame: bytes) -> None:
        self.jobs.put(("frame", frame))
