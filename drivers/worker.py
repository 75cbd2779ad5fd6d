"""The common device worker: one thread per device, fed by a queue, so a slow or dead device never
holds up the server. A failing job stays at the head of the queue and is retried with backoff; it is
never dropped. Health goes to the server through `hall.report_health`: every change, and every
success (the server stores the changes and throttles the rest).

Under eventlet or gevent the server monkey-patches `threading`, `queue`, `socket`, `select` and
`subprocess`, so these plain threads become green threads and their I/O is cooperative (pyserial
waits in `select`); speech runs in a child process. Nothing here needs to know which mode runs.
"""
from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable
from typing import ClassVar

from server.config import Device, HallConfig
from server.domain.events import Event

from .hall import HallForDevices
from .links import Link

log = logging.getLogger("hallq.devices")
BACKOFF_S = (0.5, 1, 2, 5)  # then every 5 s: a status probe is cheap, a waiting citizen is not
STOP_WAIT_S = 5.0
Publish = Callable[[list[Event]], None]


class DeviceFault(Exception):
    """The device cannot do the job now (offline, paper out …); the job stays queued and is retried."""

    def __init__(self, state: str, detail: str):
        super().__init__(detail)
        self.state, self.detail = state, detail


class _Stop:
    """The sentinel `stop()` puts on the queue to wake the thread."""


def backoff(failures: int) -> float:
    return BACKOFF_S[min(max(failures - 1, 0), len(BACKOFF_S) - 1)]


class Worker:
    """One device kind's worker. A kind declares the event types it `subscribes` to and turns each
    into queued work in `take` (on the server's thread: no I/O there); the thread runs `handle(job)`
    for each job and `idle()` after `idle_s` without one."""

    subscribes: ClassVar[tuple[type[Event], ...]] = ()
    coalesce: ClassVar[bool] = False  # only the newest queued job matters (a screen shows the latest state)
    idle_s: float | None = None

    def __init__(self, devices: Iterable[Device], config: HallConfig, hall: HallForDevices, publish: Publish):
        self.devices = list(devices)
        self.device = self.devices[0]
        self.name = self.device.name
        self.config, self.hall, self.publish = config, hall, publish
        self.jobs: queue.Queue = queue.Queue()
        self.link: Link | None = None
        self.thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._reported: dict[str, tuple[str, str]] = {}

    # ---------------------------------------------------------------- on the server's thread
    def take(self, event: Event) -> None:
        """Queue what `event` means for this device, or nothing. Never does I/O."""
        raise NotImplementedError

    def submit(self, job) -> None:
        self.jobs.put(job)

    def start(self) -> None:
        self._stopping.clear()
        self.thread = threading.Thread(target=self._run, name=f"device-{self.name}", daemon=True)
        self.thread.start()

    def request_stop(self) -> None:
        self._stopping.set()
        self.jobs.put(_Stop())

    def join(self, timeout: float = STOP_WAIT_S) -> bool:
        """Wait for the thread (which closes its link on the way out); True when it ended."""
        if self.thread is not None:
            self.thread.join(timeout)
            if self.thread.is_alive():
                log.warning("device %s did not stop within %.0f s", self.name, timeout)
                return False
        return True

    def stop(self, timeout: float = STOP_WAIT_S) -> bool:
        self.request_stop()
        return self.join(timeout)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # ---------------------------------------------------------------- on the device's thread
    def handle(self, job) -> None:
        raise NotImplementedError

    def idle(self) -> None:
        pass

    def merge(self, older, newer):
        """With `coalesce`: the job that replaces two queued ones (by default the newer)."""
        return newer

    def close(self) -> None:
        if self.link is not None:
            self.link.close()
            self.link = None

    def pause(self, seconds: float) -> bool:
        """Sleep unless stopping; True when the worker should go on."""
        return not self._stopping.wait(seconds)

    def _next(self, timeout: float | None):
        job = self.jobs.get(timeout=timeout)
        return self._newest(job) if self.coalesce else job

    def _newest(self, job):
        while not isinstance(job, _Stop):
            try:
                newer = self.jobs.get_nowait()
            except queue.Empty:
                break
            if isinstance(newer, _Stop):
                if self.stopping:
                    return newer
                continue  # left over from an earlier stop
            job = self.merge(job, newer)
        return job

    def _run(self) -> None:
        try:
            failures, timeout = 0, self.idle_s
            while not self.stopping:
                try:
                    job = self._next(timeout)
                except queue.Empty:  # idle: after a failed idle() the next comes after the backoff
                    failures = 0 if self._attempt(self.idle) else failures + 1
                    timeout = backoff(failures) if failures else self.idle_s
                    continue
                if isinstance(job, _Stop):
                    if self.stopping:
                        break
                    continue  # left over from an earlier stop
                failures = 0
                while not self._attempt(self.handle, job):  # the job stays at the head until it is done
                    failures += 1
                    if not self.pause(backoff(failures)):
                        break
                    if self.coalesce:  # a newer state queued meanwhile replaces it
                        job = self._newest(job)
                        if isinstance(job, _Stop):
                            break
                failures, timeout = 0, self.idle_s
        finally:
            self.close()

    def _attempt(self, action, *job) -> bool:
        try:
            action(*job)
            return True
        except DeviceFault as exc:
            self.close()
            self.fault(exc.state, exc.detail)
        except Exception as exc:  # a bug or an unexpected answer: report it, keep the worker alive
            detail = f"{exc.__class__.__name__}: {exc}"
            if self._reported.get(self.device.name) != ("error", detail):  # log a streak once
                log.exception("device %s failed", self.name)
            self.close()
            self.fault("error", detail)
        return False

    # ---------------------------------------------------------------- health
    def ok(self, state: str = "online", detail: str = "ready", device: str | None = None) -> None:
        """A success: always reported."""
        self._report(device or self.name, state, detail, always=True)

    def fault(self, state: str, detail: str, device: str | None = None) -> None:
        """A failure: reported when it differs from what was last reported (retries do not repeat it)."""
        for name in [device] if device else [d.name for d in self.devices]:
            self._report(name, state, detail, always=False)

    def _report(self, name: str, state: str, detail: str, always: bool) -> None:
        if not always and self._reported.get(name) == (state, detail):
            return
        self._reported[name] = (state, detail)
        try:
            self.hall.report_health(name, state, detail)
        except Exception:  # the server's trouble, not the device's: the next report tries again
            log.exception("could not report the health of %s", name)
            self._reported.pop(name, None)
