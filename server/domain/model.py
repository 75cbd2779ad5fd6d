"""Tickets and windows: the rules of the hall floor, in plain Python.

Nothing here knows about HTTP, sockets or databases. Each state change checks its rule, changes the
object and records a domain event; the service layer persists the objects and publishes the events
after the commit.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from . import events
from .errors import Conflict


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    DONE = "done"
    NO_SHOW = "no_show"
    ROUTED = "routed"
    CANCELLED = "cancelled"


FINAL_STATUSES = frozenset({TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.ROUTED, TicketStatus.CANCELLED})


class Priority(StrEnum):
    NORMAL = "normal"
    GREEN = "green"  # 绿色通道: the elderly, the disabled, pregnant women …


class WindowState(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


def format_number(prefix: str, seq: int) -> str:
    """`A` + 23 → `A023`; past 999 the number simply grows (`A1000`)."""
    return f"{prefix}{seq:03d}"


def business_day(now: dt.datetime, tz, rollover_hour: int) -> dt.date:
    """The hall's business day for a moment: local date, turning over at `rollover_hour`."""
    local = now.astimezone(tz)
    return (local - dt.timedelta(hours=rollover_hour)).date()


@dataclass
class Ticket:
    id: str
    day: dt.date
    series_queue: str  # the queue whose number series issued it (kept across transfers)
    seq: int
    number: str
    queue: str  # the queue it waits in now
    matter: str | None
    floor: int
    zone: str
    priority: Priority
    issued_at: dt.datetime
    status: TicketStatus = TicketStatus.WAITING
    called_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    window: str | None = None
    clerk: str | None = None
    recalls: int = 0
    case: str | None = None  # the case number a pickup ticket collects
    events: list = field(default_factory=list, repr=False, compare=False)

    def _require(self, *allowed: TicketStatus, action: str) -> None:
        if self.status not in allowed:
            raise Conflict(f"Ticket {self.number} is {self.status.value}; it cannot be {action}.")

    def call(self, window: Window, clerk: str | None, now: dt.datetime) -> None:
        self._require(TicketStatus.WAITING, action="called")
        self.status = TicketStatus.CALLED
        self.window, self.clerk, self.called_at = window.number, clerk, now
        self.recalls = 0
        self.events.append(events.TicketCalled(self.id, window.number, recall=False))

    def recall(self, limit: int, now: dt.datetime) -> None:
        self._require(TicketStatus.CALLED, action="recalled")
        if self.recalls >= limit:
            raise Conflict(f"Ticket {self.number} has been recalled {self.recalls} times, the limit; mark it as a no-show.")
        self.recalls += 1
        self.events.append(events.TicketCalled(self.id, self.window, recall=True))

    def _end(self, status: TicketStatus, now: dt.datetime, action: str) -> None:
        self._require(TicketStatus.CALLED, action=action)
        self.status, self.finished_at = status, now
        self.events.append(events.TicketEnded(self.id, status.value, self.window))

    def finish(self, now: dt.datetime) -> None:
        self._end(TicketStatus.DONE, now, "finished")

    def mark_no_show(self, now: dt.datetime) -> None:
        self._end(TicketStatus.NO_SHOW, now, "marked as a no-show")

    def mark_routed(self, now: dt.datetime) -> None:
        self._end(TicketStatus.ROUTED, now, "routed")

    def transfer(self, queue: str, now: dt.datetime) -> None:
        """Back to waiting in another queue; it keeps its issue time, so it keeps its place."""
        self._require(TicketStatus.CALLED, action="transferred")
        if queue == self.queue:
            raise Conflict(f"Ticket {self.number} already waits in queue {queue}; choose another queue.")
        from_window = self.window
        self.queue = queue
        self.status = TicketStatus.WAITING
        self.window = self.clerk = self.called_at = None
        self.recalls = 0
        self.events.append(events.TicketTransferred(self.id, queue, from_window))

    def cancel(self, now: dt.datetime, reason: str) -> None:
        self._require(TicketStatus.WAITING, TicketStatus.CALLED, action="cancelled")
        self.status, self.finished_at = TicketStatus.CANCELLED, now
        self.events.append(events.TicketEnded(self.id, TicketStatus.CANCELLED.value, self.window, reason=reason))

    @property
    def service_seconds(self) -> int | None:
        if self.status is TicketStatus.DONE and self.called_at and self.finished_at:
            return max(0, int((self.finished_at - self.called_at).total_seconds()))
        return None


@dataclass
class Window:
    number: str
    floor: int
    kind: str
    department: str | None
    queues: tuple[str, ...]
    state: WindowState = WindowState.CLOSED
    clerk: str | None = None
    current_ticket: str | None = None
    green_streak: int = 0  # green calls in a row, for the no-starvation rule
    version: int = 0  # bumped on every save; screens drop a window_updated older than what they show
    events: list = field(default_factory=list, repr=False, compare=False)

    def _changed(self) -> None:
        self.events.append(events.WindowChanged(self.number))

    def sign_in(self, clerk: str) -> None:
        if self.clerk and self.clerk != clerk:
            raise Conflict(f"Window {self.number} is signed in by {self.clerk}; they must sign out first, or an admin closes the window.")
        self.clerk = clerk
        if self.state is WindowState.CLOSED:
            self.state = WindowState.OPEN
        self._changed()

    def sign_out(self) -> None:
        if self.current_ticket:
            raise Conflict(f"Window {self.number} still serves a ticket; finish, transfer or mark it before signing out.")
        self.clerk = None
        self.state = WindowState.CLOSED
        self._changed()

    def require_can_call(self) -> None:
        if self.state is WindowState.PAUSED:
            raise Conflict(f"Window {self.number} is paused; resume it before calling.")
        if self.state is WindowState.CLOSED:
            raise Conflict(f"Window {self.number} is closed.")

    def require_current(self) -> str:
        if not self.current_ticket:
            raise Conflict(f"Window {self.number} has no current ticket; call one first.")
        return self.current_ticket

    def took(self, ticket: Ticket) -> None:
        self.current_ticket = ticket.id
        self.green_streak = self.green_streak + 1 if ticket.priority is Priority.GREEN else 0
        self._changed()

    def released(self) -> None:
        self.current_ticket = None
        self._changed()

    def pause(self) -> None:
        if self.state is not WindowState.OPEN:
            raise Conflict(f"Window {self.number} is {self.state.value}; only an open window can pause.")
        self.state = WindowState.PAUSED
        self._changed()

    def resume(self) -> None:
        if self.state is not WindowState.PAUSED:
            raise Conflict(f"Window {self.number} is {self.state.value}, not paused.")
        self.state = WindowState.OPEN
        self._changed()

    def set_state(self, state: WindowState) -> None:
        if state is WindowState.CLOSED and self.current_ticket:
            raise Conflict(f"Window {self.number} still serves a ticket; it can close once that ticket is finished.")
        self.state = state
        if state is WindowState.CLOSED:
            self.clerk = None
        self._changed()

    def set_queues(self, queues: tuple[str, ...]) -> None:
        if not queues:
            raise Conflict("A window must serve at least one queue.")
        if len(set(queues)) != len(queues):
            raise Conflict("A queue is listed twice.")
        self.queues = queues
        self._changed()
