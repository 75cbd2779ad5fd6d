"""Domain events: every fact of the hall as a typed value, in the order it happened.

Aggregates record them (`Ticket.events`, `Window.events`, `Case.events`, `Rating.events`); the unit
of work collects them in order, adds a state message for each window and case a command saved
(`WindowUpdated`, `CaseUpdated`), and the command runner keeps the facts in the hall's event log
(the audit trail) in the same transaction. After the commit the message bus hands each event to the
audiences that `server/services/bus.py` names for its type. Events carry what their consumers need,
so no consumer re-reads state or parses a sentence.

`subject` and `kind` name a fact ("ticket", "called"); `stored` says whether it goes into the event
log (state messages and device output do not: they describe the moment, not a new fact).
"""
from __future__ import annotations

import datetime as dt
import itertools
import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass
from typing import ClassVar

_order = itertools.count()


@dataclass(frozen=True)
class Event:
    subject: ClassVar[str] = ""
    kind: ClassVar[str] = ""
    stored: ClassVar[bool] = True
    # Creation order across aggregates, so one command's events keep the order they happened in.
    order: int = field(default_factory=lambda: next(_order), compare=False, repr=False, kw_only=True)

    @property
    def subject_id(self) -> str | None:
        return None


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
    """Issued with `ahead` tickets before it and a wait of about `eta_minutes` (what its paper says)."""
    kind: ClassVar[str] = "issued"
    issued_by: str | None  # the kiosk's or staff member's name
    ahead: int
    eta_minutes: int | None


@dataclass(frozen=True)
class TicketCalled(TicketEvent):
    kind: ClassVar[str] = "called"


@dataclass(frozen=True)
class TicketRecalled(TicketEvent):
    kind: ClassVar[str] = "recalled"


@dataclass(frozen=True)
class TicketTransferred(TicketEvent):
    """Back to waiting in another queue (its place kept by issue time)."""
    kind: ClassVar[str] = "transferred"
    from_window: str | None
    ahead: int
    eta_minutes: int | None


@dataclass(frozen=True)
class TicketFinished(TicketEvent):
    kind: ClassVar[str] = "done"
    ended_by: str  # finish | call_next | hand_over


@dataclass(frozen=True)
class TicketNoShow(TicketEvent):
    kind: ClassVar[str] = "no_show"


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


# ---------------------------------------------------------------- cases
@dataclass(frozen=True)
class CaseEvent(Event):
    subject: ClassVar[str] = "case"
    case_id: str
    number: str

    @property
    def subject_id(self) -> str:
        return self.case_id


@dataclass(frozen=True)
class CaseRouted(CaseEvent):
    kind: ClassVar[str] = "routed"
    window: str
    departments: tuple[str, ...]


@dataclass(frozen=True)
class CaseClaimed(CaseEvent):
    kind: ClassVar[str] = "claimed"
    department: str


@dataclass(frozen=True)
class CaseApproved(CaseEvent):
    """One department approved (并联审批: the case is decided when all have)."""
    kind: ClassVar[str] = "approved"
    department: str
    note: str | None


@dataclass(frozen=True)
class CaseRejected(CaseEvent):
    kind: ClassVar[str] = "rejected"
    department: str
    note: str | None


@dataclass(frozen=True)
class CaseDecided(CaseEvent):
    """Every department has decided; `result` is approved or rejected."""
    kind: ClassVar[str] = "decided"
    department: str
    result: str


@dataclass(frozen=True)
class MaterialsRequested(CaseEvent):
    kind: ClassVar[str] = "materials_requested"
    department: str
    materials: tuple[str, ...]
    note: str | None


@dataclass(frozen=True)
class MaterialsReceived(CaseEvent):
    kind: ClassVar[str] = "materials_received"
    materials: tuple[str, ...]
    note: str | None
    due_before: dt.datetime
    due_at: dt.datetime


@dataclass(frozen=True)
class CaseReturned(CaseEvent):
    kind: ClassVar[str] = "returned"
    department: str
    window: str


@dataclass(frozen=True)
class CasePickedUp(CaseEvent):
    kind: ClassVar[str] = "picked_up"


@dataclass(frozen=True)
class CaseMailed(CaseEvent):
    kind: ClassVar[str] = "mailed"
    tracking: str


@dataclass(frozen=True)
class CaseDueSoon(CaseEvent):
    kind: ClassVar[str] = "due_soon"
    matter: str
    due_at: dt.datetime
    waiting: tuple[str, ...]  # departments that have not decided yet


@dataclass(frozen=True)
class CaseOverdue(CaseEvent):
    kind: ClassVar[str] = "overdue"
    matter: str
    due_at: dt.datetime
    waiting: tuple[str, ...]


@dataclass(frozen=True)
class CaseUpdated(Event):
    """State message: a case as a command left it. `case` is a copy taken at the commit (a
    `server.domain.cases.Case`); consumers read it and never change it."""
    subject: ClassVar[str] = "case"
    kind: ClassVar[str] = "updated"
    stored: ClassVar[bool] = False
    case: typing.Any
    routed: bool  # the command created it (the back office hears `case_routed`)

    @property
    def subject_id(self) -> str:
        return self.case.id

    @property
    def case_id(self) -> str:
        return self.case.id

    @property
    def window(self) -> str:
        return self.case.window

    @property
    def departments(self) -> tuple[str, ...]:
        return tuple(self.case.departments)


@dataclass(frozen=True)
class ReadyCasesChanged(Event):
    """State message: the numbers of the cases ready for pickup on a floor (screens show them)."""
    subject: ClassVar[str] = "floor"
    kind: ClassVar[str] = "ready_cases"
    stored: ClassVar[bool] = False
    floor: int
    numbers: tuple[str, ...]
    windows: tuple[str, ...]  # the floor's windows, whose screens list them too


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


@dataclass(frozen=True)
class QueueFiguresChanged(Event):
    """State message: every queue's figures (`GET /stats`), at most twice a second after changes."""
    subject: ClassVar[str] = "hall"
    kind: ClassVar[str] = "queue_figures"
    stored: ClassVar[bool] = False
    queues: tuple[QueueFigures, ...]


# ---------------------------------------------------------------- the codec
def registry() -> dict[tuple[str, str], type[Event]]:
    """(subject, kind) → event class, over every concrete event defined so far (here or elsewhere)."""
    found: dict[tuple[str, str], type[Event]] = {}
    pending = list(Event.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.kind:
            found[(cls.subject, cls.kind)] = cls
    return found


def encode(event: Event) -> dict:
    """The event's fields as JSON-ready values (times as ISO 8601), without its `order`."""
    return {f.name: _encode(getattr(event, f.name)) for f in fields(event) if f.name != "order"}


def _encode(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    return value


def decode(subject: str, kind: str, data: dict) -> Event:
    """The inverse of `encode`, for events that crossed a process boundary."""
    return _decode(registry()[(subject, kind)], data)


def _decode(cls, data: dict):
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: _value(hints[f.name], data[f.name]) for f in fields(cls)
                  if f.name != "order" and f.name in data})


def _value(hint, raw):
    if raw is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _value(options[0], raw) if len(options) == 1 else raw
    if origin is tuple:
        inner = typing.get_args(hint)[0]
        return tuple(_value(inner, v) for v in raw)
    if hint is dt.datetime:
        return dt.datetime.fromisoformat(raw)
    if isinstance(hint, type) and is_dataclass(hint):
        return _decode(hint, raw)
    return raw
