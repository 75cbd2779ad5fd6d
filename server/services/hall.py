"""The service layer: every command and query of the hall floor.

HTTP routes, Socket.IO handlers, hardware pagers, the CLI and the tests all call these methods; each
runs in one short transaction (no I/O inside), then hands its notifications to the publisher.
"""
from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from ..config import HallConfig
from ..domain import events as ev
from ..domain.errors import Conflict, Forbidden, Invalid, NotFound, QueueEmpty, Unavailable
from ..domain.eta import ServingWindow, WaitEstimator, WaitingTicket
from ..domain.model import (Priority, Ticket, TicketStatus, Window, WindowState, business_day,
                            format_number)
from ..domain.policy import CallNextPolicy, PreferenceWithGreenChannel
from .actors import SYSTEM, Actor
from .unit_of_work import UnitOfWork

IDEMPOTENCY_TTL = dt.timedelta(hours=24)
MEASURED_MIN_SAMPLES = 3  # below this many finished tickets today, use the configured average
MEASURED_TTL_S = 10


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def call_text(number: str, window: str) -> str:
    return f"请{number}号到{window}号窗口办理"


@dataclass(frozen=True)
class Notification:
    """One message to push after a commit; the push adapter picks the rooms from its scope."""
    event: str
    data: dict
    floor: int | None = None
    window: str | None = None
    ticket: str | None = None
    case: str | None = None
    departments: tuple[str, ...] = ()


@dataclass(frozen=True)
class IdempotencyKey:
    key: str
    request: str  # "POST /api/v1/tickets"


@dataclass
class Outcome:
    status: int
    body: dict
    replayed: bool = False


class NullPublisher:
    def publish(self, notifications: list[Notification]) -> None:
        pass

    def stats_changed(self) -> None:
        pass


class HallService:
    def __init__(self, config: HallConfig, engine, publisher=None, clock: Callable[[], dt.datetime] = utc_now,
                 policy: CallNextPolicy | None = None):
        self.config = config
        self.engine = engine
        self.publisher = publisher or NullPublisher()
        self.clock = clock
        self.policy = policy or PreferenceWithGreenChannel(config.hall.green_max_in_row)
        self._measured_cache: tuple[dt.datetime | None, dict] = (None, {})
        self._estimator_cache: tuple | None = None  # (serving windows, measured, WaitEstimator)
        # Other services (cases) add their own notifications to every command's commit.
        self.notifiers: list[Callable[[UnitOfWork, dt.datetime], list[Notification]]] = []

    # ---------------------------------------------------------------- set-up
    def install_windows(self) -> None:
        """Create rows for windows in the config that the database does not have yet. Existing rows
        keep their runtime state (queues set by the admin, open/paused/closed)."""
        now = self.clock()
        with UnitOfWork(self.engine) as uow:
            for spec in self.config.windows.values():
                uow.windows.add(Window(spec.number, spec.floor, spec.kind, spec.department, spec.queues), now)
            uow.commit()

    def close_stale_day(self) -> int:
        """Cancel tickets left waiting or called from an earlier business day; returns how many."""
        now = self.clock()
        with UnitOfWork(self.engine) as uow:
            stale = uow.tickets.stale(self.today(now))
            for ticket in stale:
                window = uow.windows.get(ticket.window) if ticket.window else None
                ticket.cancel(now, reason="day_closed")
                uow.tickets.save(ticket)
                uow.tickets.log(ticket, "cancelled", now, SYSTEM.principal, {"reason": "day_closed"})
                if window and window.current_ticket == ticket.id:
                    window.released()
                    uow.windows.save(window, now)
            notes = self._notifications(uow, now)
            uow.commit()
        self._publish(notes)
        return len(stale)

    def today(self, now: dt.datetime | None = None) -> dt.date:
        return business_day(now or self.clock(), self.config.hall.tz, self.config.hall.day_rollover_hour)

    # ---------------------------------------------------------------- helpers
    def _run(self, actor: Actor, idempotency: IdempotencyKey | None, status: int,
             command: Callable[[UnitOfWork, dt.datetime], dict]) -> Outcome:
        """Run one command in one transaction; store its answer under the Idempotency-Key in that same
        transaction; publish after the commit. A repeat of a key returns the first answer."""
        now = self.clock()
        try:
            with UnitOfWork(self.engine) as uow:
                if idempotency:
                    stored = uow.idempotency.get(actor.principal, idempotency.key)
                    if stored:
                        return self._replay(stored, idempotency)
                body = command(uow, now)
                notes = self._notifications(uow, now)
                if idempotency:
                    uow.idempotency.put(actor.principal, idempotency.key, idempotency.request, status,
                                        json.dumps(body, ensure_ascii=False), now)
                uow.commit()
        except IntegrityError:
            # Another request with the same key committed first (PostgreSQL; SQLite serialises).
            if not idempotency:
                raise
            with UnitOfWork(self.engine) as uow:
                stored = uow.idempotency.get(actor.principal, idempotency.key)
            if not stored:
                raise
            return self._replay(stored, idempotency)
        self._publish(notes)
        return Outcome(status, body)

    def remember(self, actor: Actor, idempotency: IdempotencyKey | None, status: int,
                 action: Callable[[], dict]) -> Outcome:
        """Idempotency for actions that keep their own transaction (creating an account): the answer
        is stored right after the action commits, so a retry returns it instead of a conflict."""
        if idempotency:
            with UnitOfWork(self.engine) as uow:
                stored = uow.idempotency.get(actor.principal, idempotency.key)
            if stored:
                return self._replay(stored, idempotency)
        body = action()
        if idempotency:
            try:
                with UnitOfWork(self.engine) as uow:
                    uow.idempotency.put(actor.principal, idempotency.key, idempotency.request, status,
                                        json.dumps(body, ensure_ascii=False), self.clock())
                    uow.commit()
            except IntegrityError:
                pass  # a concurrent twin stored the same answer
        return Outcome(status, body)

    @staticmethod
    def _replay(stored, idempotency: IdempotencyKey) -> Outcome:
        if stored.request != idempotency.request:
            raise Conflict("This Idempotency-Key was already used for a different request; use a new key.")
        return Outcome(stored.status_code, json.loads(stored.body), replayed=True)

    def _publish(self, notes: list[Notification]) -> None:
        """After a commit: push what changed; queue figures may have changed with any command."""
        if notes:
            self.publisher.publish(notes)
        self.publisher.stats_changed()

    def _estimator(self, uow: UnitOfWork, now: dt.datetime) -> WaitEstimator:
        # Read every time (what is open, what was measured); built again only when either changed,
        # since everything else it depends on is config (the bench's profile, docs/performance.md).
        serving_rows = tuple(uow.windows.serving())
        measured = self._measured_service(uow, now)
        cached = self._estimator_cache
        if cached is not None and cached[0] == serving_rows and cached[1] is measured:
            return cached[2]
        estimator = self._build_estimator(serving_rows, measured)
        self._estimator_cache = (serving_rows, measured, estimator)
        return estimator

    def _build_estimator(self, serving_rows, measured: dict[str, tuple[float, int]]) -> WaitEstimator:
        serving = [ServingWindow(number, queues) for number, queues in serving_rows]
        staffed = {q for w in serving for q in w.queues}
        # A queue with no window open yet (before opening time, say) is estimated with the windows
        # the hall plans for it, so a kiosk can still show a wait.
        for spec in self.config.windows.values():
            planned = tuple(q for q in spec.queues if q not in staffed)
            if planned:
                serving.append(ServingWindow(f"planned:{spec.number}", planned))
        avg = {}
        for code in self.config.queues:
            seconds, n = measured.get(code, (0.0, 0))
            avg[code] = seconds / 60 if n >= MEASURED_MIN_SAMPLES else self.config.queue_avg_minutes(code)
        return WaitEstimator(serving, avg)

    def _measured_service(self, uow: UnitOfWork, now: dt.datetime) -> dict[str, tuple[float, int]]:
        """Today's measured service times per queue, re-read at most every MEASURED_TTL: an estimate
        does not need the last second, and the query scans the day's finished tickets."""
        cached_at, value = self._measured_cache
        if cached_at is None or abs((now - cached_at).total_seconds()) > MEASURED_TTL_S:
            value = uow.tickets.measured_service(self.today(now))
            self._measured_cache = (now, value)
        return value

    def _waiting_counts(self, uow: UnitOfWork) -> tuple[dict, dict]:
        """(queue, green) -> how many wait; queue -> the oldest issue time among them."""
        counts, oldest = {}, {}
        for r in uow.tickets.waiting_summary():
            counts[(r.queue, r.priority == Priority.GREEN.value)] = r.n
            oldest[r.queue] = min(r.oldest, oldest.get(r.queue, r.oldest))
        return counts, oldest

    def _waiting(self, uow: UnitOfWork, queues=None) -> list[WaitingTicket]:
        return [WaitingTicket(r.id, r.queue, r.priority == Priority.GREEN.value, r.issued_at, r.seq)
                for r in uow.tickets.waiting(queues)]

    def ticket_view(self, ticket: Ticket, ahead: int | None = None, eta: int | None = None) -> dict:
        return {
            "id": ticket.id, "number": ticket.number, "queue": ticket.queue, "matter": ticket.matter,
            "floor": ticket.floor, "zone": ticket.zone, "priority": ticket.priority.value,
            "status": ticket.status.value, "issued_at": iso(ticket.issued_at), "called_at": iso(ticket.called_at),
            "window": ticket.window, "ahead": ahead if ticket.status is TicketStatus.WAITING else 0,
            "eta_minutes": eta if ticket.status is TicketStatus.WAITING else 0,
            "recalls": ticket.recalls, "case": ticket.case,
        }

    def _ticket_view_with_wait(self, uow: UnitOfWork, ticket: Ticket, now: dt.datetime) -> dict:
        if ticket.status is not TicketStatus.WAITING:
            return self.ticket_view(ticket)
        estimator = self._estimator(uow, now)
        me = WaitingTicket(ticket.id, ticket.queue, ticket.priority is Priority.GREEN, ticket.issued_at, ticket.seq)
        ahead = estimator.ahead_of(me, self._waiting(uow, estimator.related_queues(ticket.queue)))
        return self.ticket_view(ticket, ahead, estimator.eta_minutes(ticket.queue, ahead))

    def window_view(self, uow: UnitOfWork, window: Window) -> dict:
        current = uow.tickets.get(window.current_ticket) if window.current_ticket else None
        return {
            "number": window.number, "floor": window.floor, "kind": window.kind,
            "department": window.department, "queues": list(window.queues), "state": window.state.value,
            "clerk": window.clerk, "current": self.ticket_view(current) if current else None,
            "version": window.version,
        }

    def _notifications(self, uow: UnitOfWork, now: dt.datetime) -> list[Notification]:
        """Turn the events pending on loaded objects into notifications carrying their data. Runs
        inside the transaction (reads only), so the data is exactly what commits."""
        notes: list[Notification] = []
        for ticket in uow.tickets.seen.values():
            for event in ticket.events:
                if isinstance(event, ev.TicketCalled):
                    notes.append(Notification("ticket_called", {
                        "number": ticket.number, "window": event.window, "floor": ticket.floor,
                        "queue": ticket.queue, "text": call_text(ticket.number, event.window),
                        "recall": event.recall, "at": iso(now)}, floor=ticket.floor, window=event.window))
            if ticket.events and not all(isinstance(e, ev.TicketIssued) for e in ticket.events):
                # (nobody follows a ticket that was issued a moment ago)
                notes.append(Notification("ticket_updated", self._ticket_view_with_wait(uow, ticket, now),
                                          ticket=ticket.id))
        for window in uow.windows.seen.values():
            if window.events:
                notes.append(Notification("window_updated", self.window_view(uow, window),
                                          floor=window.floor, window=window.number))
        for notify in self.notifiers:
            notes.extend(notify(uow, now))
        return notes + uow.notes

    def _window_for_clerk(self, uow: UnitOfWork, actor: Actor, number: str, reading: bool = False) -> Window:
        """Load and lock the window; only the clerk signed in there may operate it. `reading`: load it
        without the lock, for a query that the admin may also make about any window."""
        actor.require_staff("clerk", "admin")
        window = uow.windows.get(str(number), for_update=not reading)
        if window is None:
            raise NotFound(f"There is no window {number}.")
        if reading and actor.role == "admin":
            return window
        if actor.kind != "system" and window.clerk != actor.name:
            if window.clerk is None:
                raise Forbidden(f"Sign in at window {number} before operating it.")
            raise Forbidden(f"Window {number} is signed in by another clerk; you can act only at your own window.")
        return window

    # ---------------------------------------------------------------- tickets
    def take_ticket(self, actor: Actor, matter_id: str, priority: str = "normal",
                    idempotency: IdempotencyKey | None = None) -> Outcome:
        actor.require_issuer()
        matter = self.config.matters.get(matter_id)
        if matter is None:
            raise NotFound(f"There is no matter {matter_id!r} in the catalogue.")
        try:
            prio = Priority(priority)
        except ValueError:
            raise Invalid("priority must be 'normal' or 'green'.")
        self._require_issuing_hours()
        queue = self.config.queues[matter.queue]
        return self._issue(actor, queue, matter.id, prio, None, idempotency)

    def issuing_open(self) -> bool:
        hours = self.config.hall.issuing_hours
        if not hours:
            return True
        local = self.clock().astimezone(self.config.hall.tz).strftime("%H:%M")
        return hours[0] <= local < hours[1]

    def _require_issuing_hours(self) -> None:
        if not self.issuing_open():
            hours = self.config.hall.issuing_hours
            raise Unavailable(f"Tickets are issued from {hours[0]} to {hours[1]}; the hall is closed for new tickets now.")

    def _issue(self, actor: Actor, queue, matter_id: str | None, prio: Priority, case_number: str | None,
               idempotency: IdempotencyKey | None) -> Outcome:
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            return self.issue_in(uow, now, actor, queue, matter_id, prio, case_number)
        return self._run(actor, idempotency, 201, command)

    def issue_in(self, uow: UnitOfWork, now: dt.datetime, actor: Actor, queue, matter_id: str | None,
                 prio: Priority, case_number: str | None) -> dict:
        """Issue a ticket inside an open unit of work (a pickup ticket is issued with its case's checks)."""
        day = self.today(now)
        seq = uow.tickets.next_seq(day, queue.code)
        ticket = Ticket(
            id=secrets.token_urlsafe(16), day=day, series_queue=queue.code, seq=seq,
            number=format_number(queue.prefix, seq), queue=queue.code, matter=matter_id,
            floor=queue.floor, zone=self.config.zone_of_floor(queue.floor), priority=prio,
            issued_at=now, case=case_number)
        ticket.events.append(ev.TicketIssued(ticket.id))
        uow.tickets.add(ticket, actor.principal)
        uow.tickets.log(ticket, "issued", now, actor.principal,
                        {"matter": matter_id, "priority": prio.value, "case": case_number})
        # The newest ticket is behind every waiting one it competes with: count them in SQL rather
        # than load the queues (the bench's profile, docs/performance.md).
        estimator = self._estimator(uow, now)
        green = prio is Priority.GREEN
        counts = uow.tickets.waiting_counts(estimator.related_queues(queue.code))
        counts[(queue.code, green)] -= 1  # not itself
        ahead = estimator.ahead_of_newest(queue.code, green, counts)
        view = self.ticket_view(ticket, ahead, estimator.eta_minutes(queue.code, ahead))
        # For the kiosk's printer (drivers/): the ticket as answered, and who issued it.
        uow.notes.append(Notification("ticket_issued", {**view, "issued_by": actor.name},
                                      floor=ticket.floor, ticket=ticket.id))
        return {"ticket": view}

    def get_ticket(self, ticket_id: str) -> dict:
        if not ticket_id or len(ticket_id) > 32:
            raise NotFound("There is no such ticket.")
        now = self.clock()
        with UnitOfWork(self.engine) as uow:
            ticket = uow.tickets.get(ticket_id)
            if ticket is None:
                raise NotFound("There is no such ticket.")
            return {"ticket": self._ticket_view_with_wait(uow, ticket, now)}

    def places(self, ticket_ids: list[str]) -> list[dict]:
        """`{"id", "ahead", "eta_minutes"}` for those of the tickets that still wait: for tracking pages,
        whose place moves whenever others are called. One read of the waiting tickets serves them all."""
        now = self.clock()
        with UnitOfWork(self.engine) as uow:
            estimator = self._estimator(uow, now)
            waiting = self._waiting(uow)
        wanted = set(ticket_ids)
        places = []
        for me in (w for w in waiting if w.id in wanted):
            related = estimator.related_queues(me.queue)
            ahead = estimator.ahead_of(me, [w for w in waiting if w.queue in related])
            places.append({"id": me.id, "ahead": ahead, "eta_minutes": estimator.eta_minutes(me.queue, ahead)})
        return places

    def ticket_history(self, actor: Actor, ticket_id: str) -> list[dict]:
        actor.require_staff()
        with UnitOfWork(self.engine) as uow:
            if uow.tickets.get(ticket_id) is None:
                raise NotFound("There is no such ticket.")
            rows = uow.tickets.history(ticket_id)
        return [{"at": iso(r.at), "kind": r.kind, "status": r.status, "queue": r.queue, "window": r.window,
                 "actor": r.actor, "detail": json.loads(r.detail) if r.detail else None} for r in rows]

    # ---------------------------------------------------------------- window commands
    def sign_in(self, actor: Actor, number: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        actor.require_staff("clerk")

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = uow.windows.get(str(number), for_update=True)
            if window is None:
                raise NotFound(f"There is no window {number}.")
            if window.department != actor.department:
                where = f"department {window.department}" if window.department else "the hall's own staff"
                raise Forbidden(f"Window {number} is staffed by {where}; you cannot sign in there.")
            for other in uow.windows.of_clerk(actor.name):
                if other.number != window.number:
                    other.sign_out()  # a clerk is at one window at a time
                    uow.windows.save(other, now)
            window.sign_in(actor.name)
            uow.windows.save(window, now)
            return {"window": self.window_view(uow, window)}
        return self._run(actor, idempotency, 200, command)

    def sign_out(self, actor: Actor, number: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        return self._window_change(actor, number, idempotency, lambda w: w.sign_out())

    def call_next(self, actor: Actor, number: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = self._window_for_clerk(uow, actor, number)
            window.require_can_call()
            if window.current_ticket:
                # Pressing call-next while serving ends the current visit (as Qmatic's "next").
                current = uow.tickets.get(window.current_ticket, for_update=True)
                if current and current.status is TicketStatus.CALLED:
                    current.finish(now)
                    uow.tickets.save(current)
                    uow.tickets.log(current, "done", now, actor.principal, {"by": "call_next"})
                window.released()
            for candidate in self.policy.rank(window, uow.tickets.call_candidates(window.queues)):
                candidate.call(window, actor.name, now)
                if uow.tickets.claim(candidate):
                    uow.tickets.log(candidate, "called", now, actor.principal)
                    window.took(candidate)
                    uow.windows.save(window, now)
                    return {"ticket": self.ticket_view(candidate)}
                candidate.events.clear()  # taken by another window meanwhile; try the next one
            raise QueueEmpty(f"No ticket is waiting in the queues of window {number} ({', '.join(window.queues)}).")
        # A refusal (queue_empty included) rolls back, so the current ticket then stays current.
        return self._run(actor, idempotency, 200, command)

    def _current(self, uow: UnitOfWork, window: Window) -> Ticket:
        ticket = uow.tickets.get(window.require_current(), for_update=True)
        if ticket is None:
            raise Conflict(f"Window {window.number} has no current ticket; call one first.")
        return ticket

    def recall(self, actor: Actor, number: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = self._window_for_clerk(uow, actor, number)
            ticket = self._current(uow, window)
            ticket.recall(self.config.hall.recall_limit, now)
            uow.tickets.save(ticket)
            uow.tickets.log(ticket, "recalled", now, actor.principal, {"recalls": ticket.recalls})
            return {"ticket": self.ticket_view(ticket)}
        return self._run(actor, idempotency, 200, command)

    def _end_current(self, actor: Actor, number: str, idempotency, kind: str) -> Outcome:
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = self._window_for_clerk(uow, actor, number)
            ticket = self._current(uow, window)
            {"done": ticket.finish, "no_show": ticket.mark_no_show}[kind](now)
            uow.tickets.save(ticket)
            uow.tickets.log(ticket, kind, now, actor.principal)
            window.released()
            uow.windows.save(window, now)
            return {"ticket": self.ticket_view(ticket)}
        return self._run(actor, idempotency, 200, command)

    def finish(self, actor: Actor, number: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        return self._end_current(actor, number, idempotency, "done")

    def no_show(self, actor: Actor, number: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        return self._end_current(actor, number, idempotency, "no_show")

    def transfer(self, actor: Actor, number: str, queue: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = self._window_for_clerk(uow, actor, number)
            if queue not in self.config.queues:
                raise NotFound(f"There is no queue {queue!r}.")
            ticket = self._current(uow, window)
            ticket.transfer(queue, now)
            target = self.config.queues[queue]
            ticket.floor, ticket.zone = target.floor, self.config.zone_of_floor(target.floor)
            uow.tickets.save(ticket)
            uow.tickets.log(ticket, "transferred", now, actor.principal, {"from_window": window.number, "to_queue": queue})
            window.released()
            uow.windows.save(window, now)
            return {"ticket": self._ticket_view_with_wait(uow, ticket, now)}
        return self._run(actor, idempotency, 200, command)

    def pause(self, actor: Actor, number: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        return self._window_change(actor, number, idempotency, lambda w: w.pause())

    def resume(self, actor: Actor, number: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        return self._window_change(actor, number, idempotency, lambda w: w.resume())

    def _window_change(self, actor: Actor, number: str, idempotency, change) -> Outcome:
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = self._window_for_clerk(uow, actor, number)
            change(window)
            uow.windows.save(window, now)
            return {"window": self.window_view(uow, window)}
        return self._run(actor, idempotency, 200, command)

    # ---------------------------------------------------------------- admin
    def _admin_window(self, uow: UnitOfWork, actor: Actor, number: str) -> Window:
        actor.require_staff("admin")
        window = uow.windows.get(str(number), for_update=True)
        if window is None:
            raise NotFound(f"There is no window {number}.")
        return window

    def set_window_queues(self, actor: Actor, number: str, queues: list[str],
                          idempotency: IdempotencyKey | None = None) -> Outcome:
        actor.require_staff("admin")
        unknown = [q for q in queues if q not in self.config.queues]
        if unknown:
            raise Invalid(f"Unknown queue(s): {', '.join(unknown)}.")

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = self._admin_window(uow, actor, number)
            elsewhere = [q for q in queues if self.config.queues[q].floor != window.floor]
            if elsewhere:
                raise Invalid(f"Queue(s) {', '.join(elsewhere)} wait on another floor than window {number} (floor {window.floor}).")
            window.set_queues(tuple(queues))
            uow.windows.save(window, now)
            return {"window": self.window_view(uow, window)}
        return self._run(actor, idempotency, 200, command)

    def set_window_state(self, actor: Actor, number: str, state: str,
                         idempotency: IdempotencyKey | None = None) -> Outcome:
        actor.require_staff("admin")
        try:
            new_state = WindowState(state)
        except ValueError:
            raise Invalid("state must be 'open', 'paused' or 'closed'.")

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = self._admin_window(uow, actor, number)
            window.set_state(new_state)
            uow.windows.save(window, now)
            return {"window": self.window_view(uow, window)}
        return self._run(actor, idempotency, 200, command)

    # ---------------------------------------------------------------- queries
    def windows(self, actor: Actor, floor: int | None = None) -> list[dict]:
        actor.require_staff()
        with UnitOfWork(self.engine) as uow:
            served = uow.tickets.served_today(self.today())
            out = []
            for w in sorted(uow.windows.all(), key=lambda w: (w.floor, int(w.number) if w.number.isdigit() else 0, w.number)):
                if floor is None or w.floor == floor:
                    out.append({**self.window_view(uow, w), "served_today": served.get(w.number, 0)})
            return out

    def window(self, actor: Actor, number: str) -> dict:
        actor.require_staff()
        with UnitOfWork(self.engine) as uow:
            window = uow.windows.get(str(number))
            if window is None:
                raise NotFound(f"There is no window {number}.")
            return self.window_view(uow, window)

    def stats(self, floor: int | None = None) -> list[dict]:
        now = self.clock()
        with UnitOfWork(self.engine) as uow:
            estimator = self._estimator(uow, now)
            counts, oldest_of = self._waiting_counts(uow)
            windows = uow.windows.all()
        out = []
        for code, queue in self.config.queues.items():
            if floor is not None and queue.floor != floor:
                continue
            oldest = oldest_of.get(code)
            ahead = estimator.ahead_of_newest(code, False, counts)
            out.append({
                "code": code, "name": queue.name, "floor": queue.floor,
                "waiting": counts.get((code, False), 0) + counts.get((code, True), 0),
                "open_windows": sum(1 for w in windows if w.state is WindowState.OPEN and code in w.queues),
                "longest_wait_s": int((now - oldest).total_seconds()) if oldest else 0,
                "eta_minutes": estimator.eta_minutes(code, ahead),
            })
        return out

    def snapshot(self, floor: int | None = None, window: str | None = None, ticket: str | None = None) -> dict:
        """Everything a screen needs at once: on subscribe and after every reconnect."""
        if ticket is not None:
            return {"ticket": self.get_ticket(ticket)["ticket"], "at": iso(self.clock())}
        now = self.clock()
        with UnitOfWork(self.engine) as uow:
            if window is not None:
                w = uow.windows.get(str(window))
                if w is None:
                    raise NotFound(f"There is no window {window}.")
                floor_of = w.floor
                wins = [self.window_view(uow, w)]
            else:
                if floor not in self.config.floors:
                    raise NotFound(f"There is no floor {floor}.")
                floor_of = floor
                wins = [self.window_view(uow, w) for w in sorted(uow.windows.all(), key=lambda w: (int(w.number) if w.number.isdigit() else 0, w.number)) if w.floor == floor]
            recent = uow.tickets.recent_calls(floor if window is None else None, window if window is not None else None)
            # Cases whose result waits on this floor: screens show their numbers only.
            ready = uow.cases.ready_numbers(self.config.windows_on(floor_of))
        return {
            "floor": floor_of, "window": str(window) if window is not None else None,
            "zone": self.config.zone_of_floor(floor_of), "floor_name": self.config.floors[floor_of].name,
            "hall": self.config.hall.name, "notice": self.config.hall.notice,
            "windows": wins,
            "recent_calls": [{"number": r.number, "window": r.window, "floor": r.floor, "queue": r.queue,
                              "text": call_text(r.number, r.window), "at": iso(r.at)} for r in recent],
            "stats": self.stats(floor_of),
            "ready_cases": ready,
            # A speaker on this floor renders each call with its chime (drivers/): the screen plays that.
            "call_audio": any(d.kind == "speaker" and d.attach == f"floor:{floor_of}" for d in self.config.devices),
            "at": iso(now),
        }

    def catalog(self) -> dict:
        c = self.config
        return {
            "hall": {"name": c.hall.name, "notice": c.hall.notice, "issuing_hours": c.hall.issuing_hours,
                     "issuing_open": self.issuing_open()},
            "floors": [{"number": f.number, "zone": f.zone, "name": f.name} for f in c.floors.values()],
            "departments": [{"code": d.code, "name": d.name, "kind": d.kind, "floors": d.floors}
                            for d in c.departments.values()],
            "queues": [{"code": q.code, "name": q.name, "floor": q.floor, "prefix": q.prefix, "purpose": q.purpose}
                       for q in c.queues.values()],
            "matters": [{"id": m.id, "name": m.name, "department": m.department, "queue": m.queue,
                         "floor": c.queues[m.queue].floor, "zone": c.zone_of_floor(c.queues[m.queue].floor),
                         "promised_days": m.promised_days, "avg_minutes": m.avg_minutes,
                         "materials": m.materials, "involves": m.involves}
                        for m in c.matters.values()],
        }

    def window_of_clerk(self, clerk: str) -> str | None:
        with UnitOfWork(self.engine) as uow:
            mine = uow.windows.of_clerk(clerk)
        return mine[0].number if mine else None

    def ping(self) -> None:
        with UnitOfWork(self.engine) as uow:
            uow.windows.get("__ping__")

    def purge_idempotency(self) -> None:
        with UnitOfWork(self.engine) as uow:
            uow.idempotency.purge_before(self.clock() - IDEMPOTENCY_TTL)
            uow.commit()
