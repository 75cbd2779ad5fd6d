"""The hall floor's facts: tickets and windows."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from .base import Event


# ---------------------------------------------------------------- value objects events carry
@dataclass(frozen=True)
class TicketFacts:
    """A ticket as it stood right after an event."""
    id: str
    number: str
    queue: str
    matter: str | None
    floor: int
    zone: str
    priority: str
    status: str
    issued_at: dt.datetime
    called_at: dt.datetime | None
    finished_at: dt.datetime | None
    window: str | None
    clerk: str | None
    recalls: int
    case: str | None
    kind: str = "walk_in"  # walk_in | appointment | pickup
    holder: dict | None = None  # the citizen it is tied to, masked (server/domain/identity.py Holder)
    requeued: bool = False  # 过号顺延: re-queued once after a no-show


@dataclass(frozen=True)
class WindowFacts:
    """A window as it stood when a command that changed it committed."""
    number: str
    floor: int
    kind: str
    department: str | None
    queues: tuple[str, ...]
    state: str
    clerk: str | None
    version: int
    pause_reason: str | None = None
    state_since: dt.datetime | None = None  # since when it is open, paused or closed (or has its clerk)
    clerk_name: str | None = None  # the clerk's display name: what public screens show instead of `clerk`


# ---------------------------------------------------------------- tickets
@dataclass(frozen=True)
class TicketEvent(Event):
    subject: ClassVar[str] = "ticket"
    ticket: TicketFacts

    @property
    def subject_id(self) -> str:
        return self.ticket.id

    @property
    def ticket_id(self) -> str:
        return self.ticket.id

    @property
    def floor(self) -> int:
        return self.ticket.floor

    @property
    def window(self) -> str | None:
        return self.ticket.window


@dataclass(frozen=True)
class TicketIssued(TicketEvent):
    """Issued with `ahead` tickets before it and a wait of about `eta_minutes`, most likely within
    `eta_range` (what its paper says)."""
    kind: ClassVar[str] = "issued"
    issued_by: str | None  # the kiosk's or staff member's name
    ahead: int
    eta_minutes: int | None
    eta_range: tuple[int, ...] | None = None


@dataclass(frozen=True)
class TicketCalled(TicketEvent):
    kind: ClassVar[str] = "called"


@dataclass(frozen=True)
class TicketRecalled(TicketEvent):
    kind: ClassVar[str] = "recalled"
    at: dt.datetime


@dataclass(frozen=True)
class TicketTransferred(TicketEvent):
    """Back to waiting in another queue (its place kept by issue time)."""
    kind: ClassVar[str] = "transferred"
    from_window: str | None
    ahead: int | None
    eta_minutes: int | None
    eta_range: tuple[int, ...] | None = None


@dataclass(frozen=True)
class TicketFinished(TicketEvent):
    kind: ClassVar[str] = "done"
    ended_by: str  # finish | call_next | hand_over


@dataclass(frozen=True)
class TicketNoShow(TicketEvent):
    kind: ClassVar[str] = "no_show"


@dataclass(frozen=True)
class TicketRequeued(TicketEvent):
    """过号顺延: a no-show waits again, placed after `behind` tickets."""
    kind: ClassVar[str] = "requeued"
    behind: int


@dataclass(frozen=True)
class TicketRouted(TicketEvent):
    """Accepted as a case (`ticket.case` is its number) and routed to the back office."""
    kind: ClassVar[str] = "routed"


@dataclass(frozen=True)
class TicketCancelled(TicketEvent):
    kind: ClassVar[str] = "cancelled"
    reason: str  # day_closed


@dataclass(frozen=True)
class TicketPrinted(Event):
    subject: ClassVar[str] = "ticket"
    kind: ClassVar[str] = "printed"
    ticket_id: str
    number: str
    printer: str
    reprint: bool

    @property
    def subject_id(self) -> str:
        return self.ticket_id


@dataclass(frozen=True)
class TicketPrintDropped(Event):
    """A print job taken off its printer's queue unprinted (docs/hardware.md "Slips that did not print"):
    its printer was down (`printer_down`) or the job waited too long (`stale`). Never printed by itself
    afterwards: staff ask for a reprint (补打)."""
    subject: ClassVar[str] = "ticket"
    kind: ClassVar[str] = "print_dropped"
    ticket_id: str
    number: str
    printer: str
    reprint: bool
    reason: str  # printer_down | stale

    @property
    def subject_id(self) -> str:
        return self.ticket_id


# ---------------------------------------------------------------- windows
@dataclass(frozen=True)
class WindowEvent(Event):
    subject: ClassVar[str] = "window"
    window: str

    @property
    def subject_id(self) -> str:
        return self.window


@dataclass(frozen=True)
class WindowSignedIn(WindowEvent):
    kind: ClassVar[str] = "signed_in"
    clerk: str


@dataclass(frozen=True)
class WindowSignedOut(WindowEvent):
    kind: ClassVar[str] = "signed_out"
    clerk: str | None


@dataclass(frozen=True)
class WindowPaused(WindowEvent):
    kind: ClassVar[str] = "paused"
    reason: str | None = None


@dataclass(frozen=True)
class WindowResumed(WindowEvent):
    kind: ClassVar[str] = "resumed"


@dataclass(frozen=True)
class WindowStateSet(WindowEvent):
    """The admin opened, paused or closed the window."""
    kind: ClassVar[str] = "state_set"
    state: str


@dataclass(frozen=True)
class WindowQueuesSet(WindowEvent):
    kind: ClassVar[str] = "queues_set"
    queues: tuple[str, ...]


@dataclass(frozen=True)
class WindowUpdated(Event):
    """State message: the window as a command left it, with what it serves (one per window a
    command saved)."""
    subject: ClassVar[str] = "window"
    kind: ClassVar[str] = "updated"
    stored: ClassVar[bool] = False
    facts: WindowFacts
    current: TicketFacts | None

    @property
    def subject_id(self) -> str:
        return self.facts.number

    @property
    def window(self) -> str:
        return self.facts.number

    @property
    def floor(self) -> int:
        return self.facts.floor
