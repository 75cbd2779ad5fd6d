"""Tickets and windows: the rules of the hall floor, in plain Python.

Nothing here knows about HTTP, sockets or databases. Each state change checks its rule, changes the
object and records a domain event (server/domain/events/) carrying the ticket's facts; the unit of
work collects them, the command runner keeps them in the event log and publishes them after the
commit. A window records its own facts (signed in, paused …); what it serves is told to screens by
the `WindowUpdated` the unit of work adds for every window a command saved.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from . import events
from .errors import Conflict, Reason
from .identity import Holder
from .prediction import Wait


def _eta(wait: Wait | None) -> tuple[int | None, tuple[int, int] | None]:
    """A predicted wait as its events carry it: minutes and range."""
    return (wait.minutes, (wait.low, wait.high)) if wait else (None, None)


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


class TicketKind(StrEnum):
    WALK_IN = "walk_in"
    APPOINTMENT = "appointment"  # checked in from a booking: called before walk-ins of its queue
    PICKUP = "pickup"  # collects a case's result (取件)


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
    kind: TicketKind = TicketKind.WALK_IN
    # What orders a queue (with priority and kind): the issue time, unless a re-queue placed it later.
    placed_at: dt.datetime | None = None
    holder: Holder = field(default_factory=Holder)  # the citizen it is tied to (ID card, booking, phone)
    appointment: str | None = None  # the booking it was checked in from
    requeued: bool = False
    events: list = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.placed_at is None:
            self.placed_at = self.issued_at

    @property
    def phone(self) -> str | None:
        """For notices (短信通知); the facts, screens and the event log carry it masked only."""
        return self.holder.phone

    @classmethod
    def issue(cls, *, issued_by: str | None, ahead: int, wait: Wait | None, **fields) -> "Ticket":
        """A new waiting ticket; `ahead` and `wait` are its place when issued (what its paper says)."""
        ticket = cls(**fields)
        ticket.events.append(events.TicketIssued(ticket.facts(), issued_by, ahead, *_eta(wait)))
        return ticket

    def facts(self) -> events.TicketFacts:
        return events.TicketFacts(
            id=self.id, number=self.number, queue=self.queue, matter=self.matter, floor=self.floor, zone=self.zone,
            priority=self.priority.value, status=self.status.value, issued_at=self.issued_at,
            called_at=self.called_at, finished_at=self.finished_at, window=self.window, clerk=self.clerk,
            recalls=self.recalls, case=self.case, kind=self.kind.value,
            holder=self.holder.masked() if self.holder else None, requeued=self.requeued)

    def _require(self, status: TicketStatus, action: str) -> None:
        if self.status is not status:
            reason = Reason.TICKET_NOT_WAITING if status is TicketStatus.WAITING else Reason.TICKET_NOT_CALLED
            raise Conflict(f"Ticket {self.number} is {self.status.value}; it cannot be {action}.", reason)

    def call(self, window: Window, clerk: str | None, now: dt.datetime) -> None:
        self._require(TicketStatus.WAITING, action="called")
        self.status = TicketStatus.CALLED
        self.window, self.clerk, self.called_at = window.number, clerk, now
        self.recalls = 0
        self.events.append(events.TicketCalled(self.facts()))

    def recall(self, limit: int, now: dt.datetime) -> None:
        self._require(TicketStatus.CALLED, action="recalled")
        if self.recalls >= limit:
            raise Conflict(f"Ticket {self.number} has been recalled {self.recalls} times, the limit; mark it as a no-show.",
                           Reason.RECALL_LIMIT)
        self.recalls += 1
        self.events.append(events.TicketRecalled(self.facts(), now))

    def _end(self, status: TicketStatus, now: dt.datetime, action: str) -> None:
        self._require(TicketStatus.CALLED, action=action)
        self.status, self.finished_at = status, now

    def finish(self, now: dt.datetime, ended_by: str = "finish") -> None:
        """`ended_by`: finish, or call_next (the clerk called the next one), or hand_over (a pickup)."""
        self._end(TicketStatus.DONE, now, "finished")
        self.events.append(events.TicketFinished(self.facts(), ended_by))

    def mark_no_show(self, now: dt.datetime) -> None:
        self._end(TicketStatus.NO_SHOW, now, "marked as a no-show")
        self.events.append(events.TicketNoShow(self.facts()))

    def mark_routed(self, now: dt.datetime, case_number: str) -> None:
        self._end(TicketStatus.ROUTED, now, "routed")
        self.case = case_number
        self.events.append(events.TicketRouted(self.facts()))

    def transfer(self, queue: str, now: dt.datetime, floor: int | None = None, zone: str | None = None,
                 ahead: int | None = None, wait: Wait | None = None) -> None:
        """Back to waiting in another queue (on that queue's floor and zone, when they differ); it keeps its
        issue time, so it keeps its place. `ahead` and `wait`: its new place, when known."""
        self._require(TicketStatus.CALLED, action="transferred")
        if queue == self.queue:
            raise Conflict(f"Ticket {self.number} already waits in queue {queue}; choose another queue.", Reason.SAME_QUEUE)
        from_window = self.window
        self.queue, self.floor, self.zone = queue, floor or self.floor, zone or self.zone
        self.status = TicketStatus.WAITING
        self.window = self.clerk = self.called_at = None
        self.recalls = 0
        self.events.append(events.TicketTransferred(self.facts(), from_window, ahead, *_eta(wait)))

    def requeue(self, now: dt.datetime, within: dt.timedelta, placed_at: dt.datetime, behind: int) -> None:
        """过号顺延: a no-show waits again, once, if it comes back within `within` of being marked;
        `placed_at` puts it after `behind` waiting tickets (the service counts them)."""
        if self.status is not TicketStatus.NO_SHOW:
            raise Conflict(f"Ticket {self.number} is {self.status.value}; only a no-show can be re-queued.",
                           Reason.NOT_A_NO_SHOW)
        if self.requeued:
            raise Conflict(f"Ticket {self.number} was re-queued once already; please take a new ticket.",
                           Reason.ALREADY_REQUEUED)
        if self.finished_at is None or now - self.finished_at > within:
            raise Conflict(f"Ticket {self.number} passed more than {int(within.total_seconds() // 60)} minutes ago; "
                           "please take a new ticket.", Reason.REQUEUE_EXPIRED)
        self.status, self.requeued, self.placed_at = TicketStatus.WAITING, True, placed_at
        self.window = self.clerk = self.called_at = self.finished_at = None
        self.recalls = 0
        self.events.append(events.TicketRequeued(self.facts(), behind))

    def cancel(self, now: dt.datetime, reason: str) -> None:
        if self.status not in (TicketStatus.WAITING, TicketStatus.CALLED):
            raise Conflict(f"Ticket {self.number} is {self.status.value}; it cannot be cancelled.", Reason.TICKET_NOT_WAITING)
        self.status, self.finished_at = TicketStatus.CANCELLED, now
        self.events.append(events.TicketCancelled(self.facts(), reason))

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
    # What 电子监察 reads: since when the window has its state and clerk, when it last took or ended a
    # ticket (or changed state), and why it is paused. `stamp` keeps them when the window is saved.
    state_since: dt.datetime | None = None
    active_at: dt.datetime | None = None
    pause_reason: str | None = None
    clerk_name: str | None = None  # the clerk's display name (the account's; public screens show it)
    events: list = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._as_loaded = (self.state, self.clerk, self.current_ticket)

    def facts(self) -> events.WindowFacts:
        return events.WindowFacts(self.number, self.floor, self.kind, self.department, self.queues,
                                  self.state.value, self.clerk, self.version, self.pause_reason, self.state_since,
                                  self.clerk_name)

    def stamp(self, now: dt.datetime) -> None:
        """Note the times of what changed since the window was loaded (called as it is saved)."""
        state, clerk, current = self._as_loaded
        if (self.state, self.clerk) != (state, clerk) or self.state_since is None:
            self.state_since = now
        if (self.state, self.clerk, self.current_ticket) != (state, clerk, current) or self.active_at is None:
            self.active_at = now
        if self.state is not WindowState.PAUSED:
            self.pause_reason = None
        self._as_loaded = (self.state, self.clerk, self.current_ticket)

    def sign_in(self, clerk: str, clerk_name: str | None = None) -> None:
        if self.clerk and self.clerk != clerk:
            raise Conflict(f"Window {self.number} is signed in by {self.clerk}; they must sign out first, or an admin closes the window.",
                           Reason.WINDOW_TAKEN)
        self.clerk, self.clerk_name = clerk, clerk_name
        if self.state is WindowState.CLOSED:
            self.state = WindowState.OPEN
        self.events.append(events.WindowSignedIn(self.number, clerk))

    def sign_out(self) -> None:
        if self.current_ticket:
            raise Conflict(f"Window {self.number} still serves a ticket; finish, transfer or mark it before signing out.",
                           Reason.WINDOW_STILL_SERVING)
        clerk, self.clerk, self.clerk_name = self.clerk, None, None
        self.state = WindowState.CLOSED
        self.events.append(events.WindowSignedOut(self.number, clerk))

    def require_can_call(self) -> None:
        if self.state is WindowState.PAUSED:
            raise Conflict(f"Window {self.number} is paused; resume it before calling.", Reason.WINDOW_PAUSED)
        if self.state is WindowState.CLOSED:
            raise Conflict(f"Window {self.number} is closed.", Reason.WINDOW_CLOSED)

    def require_current(self) -> str:
        if not self.current_ticket:
            raise Conflict(f"Window {self.number} has no current ticket; call one first.", Reason.NO_CURRENT_TICKET)
        return self.current_ticket

    def took(self, ticket: Ticket) -> None:
        self.current_ticket = ticket.id
        self.green_streak = self.green_streak + 1 if ticket.priority is Priority.GREEN else 0

    def released(self) -> None:
        self.current_ticket = None

    def pause(self, reason: str | None = None) -> None:
        if self.state is not WindowState.OPEN:
            raise Conflict(f"Window {self.number} is {self.state.value}; only an open window can pause.", Reason.WINDOW_NOT_OPEN)
        self.state = WindowState.PAUSED
        self.pause_reason = reason
        self.events.append(events.WindowPaused(self.number, reason))

    def resume(self) -> None:
        if self.state is not WindowState.PAUSED:
            raise Conflict(f"Window {self.number} is {self.state.value}, not paused.", Reason.WINDOW_NOT_PAUSED)
        self.state = WindowState.OPEN
        self.events.append(events.WindowResumed(self.number))

    def set_state(self, state: WindowState) -> None:
        if state is WindowState.CLOSED and self.current_ticket:
            raise Conflict(f"Window {self.number} still serves a ticket; it can close once that ticket is finished.",
                           Reason.WINDOW_STILL_SERVING)
        self.state = state
        if state is WindowState.CLOSED:
            self.clerk = self.clerk_name = None
        self.events.append(events.WindowStateSet(self.number, state.value))

    def set_queues(self, queues: tuple[str, ...]) -> None:
        if not queues:
            raise Conflict("A window must serve at least one queue.", Reason.NO_QUEUES)
        if len(set(queues)) != len(queues):
            raise Conflict("A queue is listed twice.", Reason.QUEUE_LISTED_TWICE)
        self.queues = queues
        self.events.append(events.WindowQueuesSet(self.number, queues))
