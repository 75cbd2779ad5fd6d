"""Pagers (呼叫器) and evaluators (评价器) sharing one RS485 line: one worker per line (per `url`).

The worker reads FT1.2 frames (drivers/ft12.py) and echoes each good one as its acknowledgement.
A pager's key becomes a `PagerKey` for `hall.press`, which runs the command as the clerk signed in
at the pager's window; on a refusal the pager beeps and shows its window again. An evaluator's
press goes to `hall.rate`. What a pager shows (how many wait in its window's queues, the current
number) comes from the last `WindowUpdated` of its window and the last `QueueFiguresChanged` the
worker heard: nothing is recomputed. Events only update that state on the worker's thread; the
display frames go out between reads, at most one per pager per change.
"""
from __future__ import annotations

import logging

from server.domain.errors import HallError
from server.domain.events import QueueFiguresChanged, WindowUpdated
from server.services.pagers import PagerKey, PagerOutcome

from . import ft12
from .links import LinkError, open_link
from .worker import DeviceFault, Worker

log = logging.getLogger("hallq.devices")
READ_S = 0.05
LINK_TIMEOUT_S = 1.0
KEYS = {**{d: PagerKey(str(d)) for d in range(10)}, ft12.CALL: PagerKey.CALL, ft12.RECALL: PagerKey.RECALL,
        ft12.PAUSE: PagerKey.PAUSE, ft12.TRANSFER: PagerKey.TRANSFER, ft12.CONFIRM: PagerKey.CONFIRM,
        ft12.CANCEL: PagerKey.CANCEL}


class Bus(Worker):
    subscribes = (WindowUpdated, QueueFiguresChanged)
    idle_s = 0.0  # between jobs the worker reads the line (each read waits READ_S)

    def __init__(self, devices, config, hall, publish):
        super().__init__(devices, config, hall, publish)
        self.name = f"bus {self.device.url}"
        self.by_address = {d.address or 0: d for d in self.devices}
        self.pagers = {d.address or 0: d for d in self.devices if d.kind == "pager"}
        self.windows: dict[str, WindowUpdated] = {}  # window → its last update
        self.waiting: dict[str, int] | None = None   # queue code → waiting, from the last figures
        self.dirty: set[int] = set()    # pagers whose display may have changed
        self.forced: set[int] = set()   # pagers to show again even when unchanged (after a refusal)
        self.beeps: list[int] = []
        self.shown: dict[int, bytes] = {}
        self.buffer = b""

    # ---------------------------------------------------------------- on the server's thread
    def take(self, event) -> None:
        if isinstance(event, QueueFiguresChanged) or (
                isinstance(event, WindowUpdated) and any(p.attach == f"window:{event.window}"
                                                         for p in self.pagers.values())):
            self.submit(event)

    # ---------------------------------------------------------------- on the bus's thread
    def handle(self, event) -> None:
        """Remember what was heard; the display frames go out in `idle`."""
        if isinstance(event, WindowUpdated):
            self.windows[event.window] = event
            self.dirty |= {a for a, p in self.pagers.items() if p.attach == f"window:{event.window}"}
        elif isinstance(event, QueueFiguresChanged):
            self.waiting = {q.code: q.waiting for q in event.queues}
            self.dirty |= set(self.pagers)

    def display(self, address: int) -> bytes:
        """The pager's display frame: 3 digits waiting in its window's queues, 3 of the current ticket."""
        window = self.pagers[address].attach.partition(":")[2]
        update = self.windows.get(window)
        if update is not None:
            queues = update.facts.queues
        else:
            spec = self.config.windows.get(window)
            queues = spec.queues if spec else ()
        waiting = sum(self.waiting.get(q, 0) for q in queues) if self.waiting is not None else None
        current = update.current.number if update is not None and update.current is not None else None
        return ft12.show(address, waiting, current)

    def idle(self) -> None:
        try:
            if self.link is None:
                self.link = open_link(self.device.url, timeout=LINK_TIMEOUT_S, baudrate=self.device.baudrate)
                self.buffer, self.shown = b"", {}
                self.dirty |= {a for a, p in self.pagers.items() if p.attach.partition(":")[2] in self.windows}
                for device in self.devices:
                    self.ok("online", "bus open", device=device.name)
            self._write_pending()
            data = self.link.read(64, READ_S)
        except LinkError as exc:
            raise DeviceFault("offline", str(exc))
        if data:
            frames, self.buffer = ft12.split_frames(self.buffer + data)
            for raw in frames:
                self._frame(raw)

    def _write_pending(self) -> None:
        while self.beeps:
            self.link.write(ft12.frame(self.beeps[0], ft12.BEEP))
            self.beeps.pop(0)
        for address in sorted(self.dirty):
            frame = self.display(address)
            if frame != self.shown.get(address) or address in self.forced:
                self.link.write(frame)
                self.shown[address] = frame
            self.dirty.discard(address)
            self.forced.discard(address)

    def _frame(self, raw: bytes) -> None:
        try:
            address, function, payload = ft12.parse(raw)
        except ft12.FrameError as exc:
            log.warning("%s: dropped a bad frame %s (%s)", self.name, raw.hex(" "), exc)
            return
        self.link.write(raw)  # echo: the acknowledgement
        device = self.by_address.get(address)
        if device is None:
            log.warning("%s: frame from unknown address %d", self.name, address)
            return
        self.ok("online", "bus open", device=device.name)
        if not payload:
            return
        window = device.attach.partition(":")[2]
        if device.kind == "evaluator" and function == ft12.RATING:
            self._rate(device, window, payload[-1])
        elif device.kind == "pager" and function == ft12.KEY:
            self._press(device, window, payload[-1])
        else:
            log.warning("%s: %s %s sent function %02x", self.name, device.kind, device.name, function)

    def _press(self, pager, window: str, code: int) -> None:
        key = KEYS.get(code)
        outcome = PagerOutcome.REFUSED
        if key is None:
            log.info("pager %s at window %s: key %02x does nothing here", pager.name, window, code)
        else:
            try:
                outcome = self.hall.press(pager.name, window, key, pager.transfer_to)
            except Exception:
                log.exception("pager %s at window %s: %s failed", pager.name, window, key.value)
        if outcome is PagerOutcome.REFUSED:  # beep, then show the window again as last heard
            address = pager.address or 0
            self.beeps.append(address)
            self.dirty.add(address)
            self.forced.add(address)
        # DONE: the window's update refreshes the display; TYPED: the digit is kept by the server.

    def _rate(self, evaluator, window: str, level: int) -> None:
        try:
            self.hall.rate(window, level, evaluator.name)
        except HallError as exc:
            log.info("evaluator %s at window %s: %s (%s)", evaluator.name, window, exc.reason.value, exc.message)
        except Exception:
            log.exception("evaluator %s at window %s: the rating %d was not stored", evaluator.name, window, level)
