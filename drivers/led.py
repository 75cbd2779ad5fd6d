"""LED screens: a window's strip and a floor's board, over BX-5 frames or plain text.

A window strip (`attach = "window:N"`) flashes 请A023号 when its window calls or recalls, shows the
current number while the window serves, 暂停服务 while it is paused, and the idle text (default
`N号窗口`) when it is idle or closed. A floor board (`attach = "floor:N"`) flashes the call sentence
of every call on its floor. Only the newest state matters, so queued updates coalesce, but a call's
flash survives the window update that follows it.
"""
from __future__ import annotations

from dataclasses import dataclass

from server.domain.events import TicketCalled, TicketRecalled, WindowUpdated
from server.domain.wording import call_text

from . import bx5
from .links import LinkError, open_link
from .worker import DeviceFault, Worker

PAUSED_TEXT = "暂停服务"
FLASHES, FLASH_S = 3, 0.3
LINK_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class LedShow:
    text: str
    flash: bool = False


def window_text(update: WindowUpdated, idle_text: str | None) -> str:
    """What a window strip shows for the window's state."""
    if update.facts.state == "paused":
        return PAUSED_TEXT
    if update.facts.state == "open" and update.current is not None:
        return f"请{update.current.number}号"
    return idle_text or f"{update.facts.number}号窗口"


class Led(Worker):
    subscribes = (TicketCalled, TicketRecalled, WindowUpdated)
    coalesce = True

    def __init__(self, device, config, hall, publish):
        super().__init__([device], config, hall, publish)
        where, _, value = device.attach.partition(":")
        self.window = value if where == "window" else None
        self.floor = int(value) if where == "floor" else None
        self.width, self.height = (int(v) for v in device.size.split("x"))

    def take(self, event) -> None:
        if isinstance(event, (TicketCalled, TicketRecalled)):
            ticket = event.ticket
            if ticket.window is None:
                return
            if self.window == ticket.window:
                self.submit(LedShow(f"请{ticket.number}号", flash=True))
            elif self.floor is not None and self.floor == ticket.floor:
                self.submit(LedShow(call_text(ticket.number, ticket.window), flash=True))
        elif isinstance(event, WindowUpdated) and self.window == event.facts.number:
            self.submit(LedShow(window_text(event, self.device.idle_text)))

    def merge(self, older: LedShow, newer: LedShow) -> LedShow:
        """The newest state wins, but a call's flash survives the window update that follows it."""
        return LedShow(newer.text, newer.flash or (older.flash and older.text == newer.text))

    def encode(self, text: str) -> bytes:
        if self.device.protocol == "bx5":
            text = text.encode("gb2312", errors="replace").decode("gb2312")  # a rare character: "?"
            return bx5.frame(bx5.dynamic_text(text, width=self.width, height=self.height),
                             screen=self.device.address or 1)
        return text.encode("gb18030", errors="replace") + b"\r\n"

    def _send(self, text: str) -> None:
        try:
            if self.link is None:
                self.link = open_link(self.device.url, timeout=LINK_TIMEOUT_S, baudrate=self.device.baudrate)
            self.link.write(self.encode(text))
        except LinkError as exc:
            raise DeviceFault("offline", str(exc))

    def handle(self, job: LedShow) -> None:
        if job.flash:
            for _ in range(FLASHES):  # no blink effect code is documented for BX-5 here: re-send instead
                self._send(job.text)
                self.pause(FLASH_S)
                self._send("")
                self.pause(FLASH_S)
        self._send(job.text)
        self.ok()
