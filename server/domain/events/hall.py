"""Ratings (好差评), devices and the queue figures."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from .base import Event


# ---------------------------------------------------------------- ratings (好差评)
@dataclass(frozen=True)
class RatingEvent(Event):
    subject: ClassVar[str] = "rating"
    rating_id: str
    window: str
    ticket_id: str | None
    number: str | None
    clerk: str | None
    level: int
    label: str
    channel: str
    at: dt.datetime
    # The ticket's matter and its department, and the citizen's words (added with CONTRACT v2).
    matter: str | None = None
    department: str | None = None
    comment: str | None = None

    @property
    def subject_id(self) -> str:
        return self.rating_id


@dataclass(frozen=True)
class RatingGiven(RatingEvent):
    kind: ClassVar[str] = "given"


@dataclass(frozen=True)
class BadRatingGiven(RatingEvent):
    """The rating is a 差评 (不满意 or 非常不满意): the hall follows it up."""
    kind: ClassVar[str] = "bad"


# ---------------------------------------------------------------- devices
@dataclass(frozen=True)
class OwedPrint:
    ticket_id: str
    number: str
    printer: str


@dataclass(frozen=True)
class DeviceHealthChanged(Event):
    subject: ClassVar[str] = "device"
    kind: ClassVar[str] = "health"
    device: str
    device_kind: str  # printer | speaker | led | pager | evaluator
    attach: str
    state: str  # unknown | online | offline | paper_low | paper_out | error
    was: str
    detail: str
    at: dt.datetime
    unprinted: tuple[OwedPrint, ...] = ()  # a printer's: the tickets printers still owe

    @property
    def subject_id(self) -> str:
        return self.device


@dataclass(frozen=True)
class CallAudioReady(Event):
    """A floor speaker rendered a call as a WAV under /audio/…: floor screens play it."""
    subject: ClassVar[str] = "device"
    kind: ClassVar[str] = "call_audio"
    stored: ClassVar[bool] = False
    number: str
    window: str
    floor: int
    audio: str


@dataclass(frozen=True, repr=False)
class IdCardFacts:
    """What a kiosk's reader read off a 二代身份证 and the kiosk's page needs: the page sends the number
    back with its ticket. The full number goes to that kiosk's socket only (CONTRACT extension in
    docs/hardware.md); a repr, and so a log line or a traceback, shows it masked."""
    number: str
    name: str
    sex: str
    birth: dt.date

    def __repr__(self) -> str:
        return f"IdCardFacts({self.number[:3]}{'*' * max(0, len(self.number) - 7)}{self.number[-4:]})"


@dataclass(frozen=True)
class IdCardRead(Event):
    """A card was placed on the reader attached to `kiosk`: only that kiosk's socket hears of it. Not
    kept in the event log (the number must not be stored there)."""
    subject: ClassVar[str] = "device"
    kind: ClassVar[str] = "id_card"
    stored: ClassVar[bool] = False
    kiosk: str
    reader: str
    card: IdCardFacts

    @property
    def subject_id(self) -> str:
        return self.reader


# ---------------------------------------------------------------- queue figures
@dataclass(frozen=True)
class QueueFigures:
    code: str
    name: str
    floor: int
    waiting: int
    open_windows: int
    longest_wait_s: int
    eta_minutes: int | None
    daily_quota: int | None = None
    quota_reached: bool = False
    eta_range: tuple[int, int] | None = None  # a newcomer's likely wait (server/domain/prediction.py)


@dataclass(frozen=True)
class QueueFiguresChanged(Event):
    """State message: every queue's figures (`GET /stats`), at most twice a second after changes."""
    subject: ClassVar[str] = "hall"
    kind: ClassVar[str] = "queue_figures"
    stored: ClassVar[bool] = False
    queues: tuple[QueueFigures, ...]


@dataclass(frozen=True)
class KioskPrinterChanged(Event):
    """The printer attached to `kiosk` changed state: that kiosk's page hears whether a ticket would
    print (`ready`), to warn the citizen before issuing. A state message, not kept in the event log
    (its DeviceHealthChanged is)."""
    subject: ClassVar[str] = "device"
    kind: ClassVar[str] = "kiosk_printer"
    stored: ClassVar[bool] = False
    kiosk: str
    printer: str
    state: str
    ready: bool

    @property
    def subject_id(self) -> str:
        return self.printer
